#pragma once
// ViewState: what the windows remember between frames that is about *showing* the trace, not about
// the trace — which windows are open, the timeline's zoom, animations in flight. The trace, the
// cursor and the selected task live in the model's Session (model/session.hpp).
//
// Rules:
// * Windows read the Session and this; only input handlers change them.
// * `time_s` is the frame's time in seconds (ImGui's clock, or frame count / 60 in screenshot runs so
//   screenshots are reproducible); animations are functions of it, never of wall time read directly.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/live_feed.hpp"
#include "model/timeline_layout.hpp"
#include "model/view_windows.hpp"
#include "model/world_state.hpp"

namespace asynclab::vis {

class Session;
struct ViewState;

struct WindowsOpen {
  bool playback = true;
  bool timeline = true;
  bool tasks = true;
  bool task_detail = true;
  bool executor = true;
  bool resources = true;
  bool warnings = true;
  bool code = true;
  bool pinning = true;  // drawn only for traces with Pinned futures
  bool legend = false;  // what the timeline's colours and glyphs mean (F1)
};

// The flag that says whether window `w` is open; nullptr for a lesson's own windows (Lesson, Output),
// which the shell keeps.
constexpr bool WindowsOpen::*open_flag(ViewWindow w) {
  switch (w) {
    case ViewWindow::playback: return &WindowsOpen::playback;
    case ViewWindow::timeline: return &WindowsOpen::timeline;
    case ViewWindow::tasks: return &WindowsOpen::tasks;
    case ViewWindow::task: return &WindowsOpen::task_detail;
    case ViewWindow::executor: return &WindowsOpen::executor;
    case ViewWindow::resources: return &WindowsOpen::resources;
    case ViewWindow::warnings: return &WindowsOpen::warnings;
    case ViewWindow::code: return &WindowsOpen::code;
    case ViewWindow::pinning: return &WindowsOpen::pinning;
    case ViewWindow::legend: return &WindowsOpen::legend;
    case ViewWindow::lesson:
    case ViewWindow::output: return nullptr;
  }
  return nullptr;
}

// The flag of the window titled `title` (model/view_windows.hpp), or nullptr for a title that is not
// a view of the trace.
inline bool WindowsOpen::*window_open_flag(std::string_view title) {
  const auto w = view_window_titled(title);
  return w ? open_flag(*w) : nullptr;
}

// A run queue token's animation: when it joined the queue, or left it for the worker.
struct TokenMotion {
  double since_s = 0;
  bool leaving = false;
};

// What part of the run the timeline shows. begin == end means "not set yet: fit the whole run".
struct TimelineCamera {
  Axis axis = Axis::time;
  bool axis_chosen = false;  // a lesson step chose the axis: fitting keeps it instead of guessing
  double begin = 0;
  double end = 0;
  bool follow_cursor = true;  // while playing, keep the cursor line in view
  float scroll_y = 0;         // pixels scrolled down through the lanes
};

// Live mode (`asynclab gui --live`): the feed the playback bar reports on, and whether the cursor
// follows the newest event. Following stops when the learner pauses (Space) or moves the cursor, and
// starts again with End, ▶| or the Follow button.
struct LiveView {
  const LiveFeed* feed = nullptr;  // null: not live
  bool following = true;
  std::string failure;  // the live program threw: what it said
};

// A second run the timeline draws under this one, on the same axis: an exercise's reference run
// under the learner's ("Show my run"). Set each frame by whoever owns that run, before the views
// draw; cleared after them, so no pointer outlives the frame.
struct BesideRun {
  Session* session = nullptr;
  ViewState* view = nullptr;  // its rows, folds and scroll
  std::string this_heading;   // the heading over the open trace's rows, e.g. "Your run"
  std::string heading;        // over the run beside, e.g. "Reference run (the solution)"
  std::string note;           // after that heading: the first difference that matters
  bool* open = nullptr;       // its ×: stop showing the run beside
};

struct ViewState {
  WindowsOpen open;
  BesideRun beside;
  double time_s = 0;
  bool present = false;  // presentation mode: bigger things, fewer windows
  bool still = false;    // an output run (screenshot, report): draw every animation finished

  // Executor: per task id, when its token last entered or left the run queue, and the previous
  // frame's queue to tell what changed.
  std::unordered_map<std::uint32_t, TokenMotion> token_motion;
  std::deque<std::uint32_t> previous_queue;
  std::uint32_t previous_running = 0;
  std::vector<WorkerNow> previous_workers;  // multi-worker traces: each worker's poll and local queue

  LiveView live;
  TimelineCamera camera;
  std::vector<DrawCmd> timeline_cmds;  // kept between frames so a warm frame allocates nothing
  // The timeline's rows this frame: the session's lanes with the nested rows of unfolded tasks.
  std::vector<Lane> timeline_rows;
  // Tasks whose nested rows the learner folded (false) or unfolded (true) by clicking the ▸ / ▾ beside
  // the name; a task not listed follows the default (open when it has a dozen rows or fewer).
  std::unordered_map<std::uint32_t, bool> unfolded_tasks;
  int timeline_drag_group = -1;  // the group of lanes a drag began in (it scrolls that one), -1: none

  // Tasks table: row order (task slots) under the current sort, and the cursor it was sorted at.
  std::vector<std::uint32_t> task_rows;
  std::size_t task_rows_cursor = 0;
  // How many tasks the table's column widths were fitted to: a live trace starts with none, and its
  // columns are fitted again as tasks arrive (else they keep the widths of an empty table).
  std::size_t task_columns_fitted = 0;
  // The session they were fitted for, compared by address only (never dereferenced): another trace
  // or lesson gets its own fit.
  const void* task_columns_session = nullptr;

  // Set by a window that wants the playback bar to jump (a click on a lint or a table row).
  std::string breakpoint_text;
  std::string breakpoint_error;
};

}  // namespace asynclab::vis
