#pragma once
// UiReport: what the GUI drew, as data. `asynclab gui --ui-report FILE` writes it as JSON after the
// last frame, so tests (and a teacher's scripts) can check what a learner would see without reading
// pixels:
//
//   {"frames": 3, "size": [1280, 800],
//    "windows": [{"name": "Trace", "visible": true, "items": 14, "texts": ["demo.altrace", ...]}],
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
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::vis {

struct ReportedWindow {
  std::string name;
  bool visible = false;  // ImGui::Begin returned true: not collapsed, not clipped away
  std::size_t items = 0;
  std::vector<std::string> texts;
};

class UiReport {
 public:
  static constexpr std::size_t max_texts_per_window = 256;

  void set_size(int width, int height) {
    width_ = width;
    height_ = height;
  }
  void begin_frame();
  void begin_window(std::string_view name, bool visible);
  void end_window();
  void item(std::size_t count = 1);
  void text(std::string_view text);
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
void begin_window(std::string_view name, bool visible);
void end_window();
void item(std::size_t count = 1);
void text(std::string_view text);
void error(std::string_view message);
void property(std::string_view key, std::string_view value);

}  // namespace ui_report

}  // namespace asynclab::vis
