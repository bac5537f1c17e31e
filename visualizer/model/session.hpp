#pragma once
// Session: one open trace and everything the views share about it — the index, the state timeline,
// the playback cursor, the world at that cursor, and which task the learner has selected. The GUI
// holds one Session per open trace; the terminal lesson runner and the tests use the same type.
//
// Rules:
// * A Session owns its Trace, and the index, timeline and playback borrow it: the Session is neither
//   copied nor moved (hold it by unique_ptr), so those borrows stay valid.
// * state() is the world at playback().cursor() after sync(); the GUI calls sync() once per frame,
//   after input has moved the cursor and before any window draws, so every window shows one moment.
// * Live mode (model/live_feed.hpp): the trace grows only through grow(), which appends and then
//   indexes the whole trace again, so the index, the timeline and the lanes always describe exactly
//   the events the trace holds. The cursor and the selected task stay where they were.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/trace/trace.hpp"
#include "model/playback.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"

namespace asynclab::vis {

class Session {
 public:
  Session(trace::Trace trace, std::string title);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Loads an .altrace or Chrome JSON file (model/load_trace.hpp); the message says why not.
  static std::expected<std::unique_ptr<Session>, std::string> open(const std::filesystem::path& path);

  const std::string& title() const { return title_; }
  const trace::Trace& trace() const { return *trace_; }
  const TraceIndex& index() const { return index_; }
  const StateTimeline& states() const { return states_; }
  const LaneIndex& lane_index() const { return lane_index_; }
  // The timeline's rows: workers (with several), tasks in id order, then blocking lanes.
  const std::vector<Lane>& lanes() const { return lanes_; }
  // The row of a task's lane, or npos.
  std::uint32_t lane_of_task(std::uint32_t task) const;
  Playback& playback() { return playback_; }
  const Playback& playback() const { return playback_; }

  // Live mode: `append` adds events (and table entries) to the session's trace; then everything
  // derived from it is built again. Returns the events added.
  std::size_t grow(const std::function<void(trace::Trace&)>& append);

  const WorldState& state() const { return state_; }
  // Brings state() to the playback cursor: a short replay forward, or a snapshot and a replay.
  void sync() { states_.seek(state_, playback_.cursor()); }

  // The event just applied (the one the views highlight), if the cursor is past the start.
  std::optional<trace::Event> current_event() const;
  // The task the current event is about (0: none, or the runtime).
  std::uint32_t current_task() const;

  std::uint32_t selected_task = 0;  // 0: none

 private:
  std::unique_ptr<trace::Trace> trace_;
  std::string title_;
  TraceIndex index_;
  StateTimeline states_;
  LaneIndex lane_index_;
  std::vector<Lane> lanes_;
  Playback playback_;
  WorldState state_;
};

}  // namespace asynclab::vis
