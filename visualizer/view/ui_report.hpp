#pragma once
// UiReport: what the GUI drew, as data. `asynclab gui --ui-report FILE` writes it as JSON after the
// last frame, so tests (and a teacher's scripts) can check what a learner would see without reading
// pixels:
//
//   {"frames": 3, "size": [1280, 800],
//    "windows": [{"name": "Trace", "visible": true, "items": 14, "texts": ["demo.altrace", ...],
//                 "rect": [x, y, w, h], "covered_by": ["Task"], "clipped": ["a text cut off"]}],
//    "timeline": {"axis": "time", "begin": 0, "end": 1.1e9, "begin_ms": 0, "end_ms": 1100,
//                 "lanes": [{"kind": "request", "label": "GET api.example/users", "parent": "main",
//                            "first_ms": 0, "last_ms": 300, "end": "done", ...}]},
//    "errors": ["Could not open 'x.altrace': not an .altrace file"], "properties": {"font": ...}}
//
// Rules:
// * No ImGui and no GL here. A window reports itself through the free functions in `ui_report::`
//   (view/widgets.hpp wraps the common ones: begin a window, draw a line of text, and report it).
// * Windows are per frame: begin_frame() forgets the previous frame's windows, so the report shows
//   the last frame drawn. Errors and properties are per run: every error shown is kept, once.
// * Items are what a window drew that a learner can read or click: each call to item() or text()
//   counts one. Texts are kept (up to max_texts_per_window) so a test can ask "is task X listed?".
// * Windows nest (a popup opened inside a window): begin_window/end_window pair like ImGui's
//   Begin/End, and items go to the innermost open window. Items drawn outside any window are not
//   counted.
// * When no collector is installed (an ordinary interactive run) every `ui_report::` call does
//   nothing but one pointer test.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::vis {

struct ReportedRect {
  float x = 0, y = 0, width = 0, height = 0;  // pixels from the framebuffer's top-left corner
};

struct ReportedWindow {
  std::string name;
  bool visible = false;  // ImGui::Begin returned true: not collapsed, not clipped away
  std::size_t items = 0;
  std::vector<std::string> texts;
  std::string id;  // the name ImGui knows it by ("Task###Task detail"), to find it in the window stack
  std::optional<ReportedRect> rect;
  std::vector<std::string> covered_by;  // windows drawn over any part of it
  std::vector<std::string> clipped;     // texts not wholly visible (cut, or scrolled out of sight)
};

// The Timeline as drawn: the visible range and every row, so a test can ask "does lesson 08's
// staircase show three requests one after another?" without reading pixels.
struct ReportedLane {
  std::string group;   // "" when the timeline shows one run; else "yours" or "beside" (a run drawn under it)
  std::string kind;    // task, future, request, lock, job, blocking, worker
  std::string label;
  std::string parent;  // nested rows: the task they sit under; "" otherwise
  double first_ms = 0, last_ms = 0;
  std::size_t first_event = 0, last_event = 0;
  std::string end;     // done, cancelled, failed, running
  std::size_t spans = 1;
  bool on_screen = false;  // scrolled into the window's rows
};
struct ReportedTimeline {
  std::string axis;  // "time" or "steps"
  double begin = 0, end = 0;          // the visible range in axis units (ns or event index)
  double begin_ms = 0, end_ms = 0;    // the same range as times (steps: the times of those events)
  std::vector<ReportedLane> lanes;
};

class UiReport {
 public:
  static constexpr std::size_t max_texts_per_window = 256;

  void set_size(int width, int height) {
    width_ = width;
    height_ = height;
  }
  void begin_frame();
  void begin_window(std::string_view name, bool visible, std::string_view id = {});
  void end_window();
  // The innermost open window's place on screen.
  void window_rect(const ReportedRect& rect);
  // Which windows cover the window reported as `index` (in windows()).
  void set_covered_by(std::size_t index, std::vector<std::string> names);
  void timeline(ReportedTimeline t) { timeline_ = std::move(t); }
  const std::optional<ReportedTimeline>& timeline() const { return timeline_; }
  void item(std::size_t count = 1);
  void text(std::string_view text);
  // A text of the innermost window (reported with text()) is not wholly visible.
  void clipped(std::string_view text);
  void error(std::string_view message);
  void property(std::string_view key, std::string_view value);

  int frames() const { return frames_; }
  const std::vector<ReportedWindow>& windows() const { return windows_; }
  const ReportedWindow* find_window(std::string_view name) const;
  const std::vector<std::string>& errors() const { return errors_; }

  // The report as pretty-printed JSON (the shape above).
  std::string to_json() const;
  // Writes to_json() to `path` through a temporary file, so a reader never sees half a report.
  std::expected<void, std::string> write(const std::filesystem::path& path) const;

 private:
  int frames_ = 0;
  int width_ = 0;
  int height_ = 0;
  std::vector<ReportedWindow> windows_;
  std::vector<std::size_t> open_;  // indices into windows_, innermost last
  std::optional<ReportedTimeline> timeline_;  // per frame, like the windows
  std::vector<std::string> errors_;
  std::map<std::string, std::string, std::less<>> properties_;
};

// The free functions views call. They act on the installed collector, if any.
namespace ui_report {

// Installs `report` as the collector for as long as the guard lives; the one it replaced comes back
// when it dies.
class Installed {
 public:
  explicit Installed(UiReport& report);
  ~Installed();
  Installed(const Installed&) = delete;
  Installed& operator=(const Installed&) = delete;

 private:
  UiReport* previous_;
};

bool active();
void begin_window(std::string_view name, bool visible, std::string_view id = {});
void end_window();
void window_rect(const ReportedRect& rect);
void timeline(ReportedTimeline t);
void item(std::size_t count = 1);
void text(std::string_view text);
void clipped(std::string_view text);
void error(std::string_view message);
void property(std::string_view key, std::string_view value);

}  // namespace ui_report

}  // namespace asynclab::vis
