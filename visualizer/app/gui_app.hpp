#pragma once
// `asynclab gui`: the visualizer's window — GLFW, an OpenGL 3.3 core context and Dear ImGui, with
// the shell (menu, open dialog, status bar) around the views. This header has no ImGui or GLFW in
// it, so the command line (cli/main.cpp) can include it.
//
// Rules:
// * With no display (no DISPLAY, glfwInit fails) it says so in one line and returns 2; it never
//   falls back silently.
// * --screenshot and --ui-report runs draw a fixed number of frames (3 unless --frames says
//   otherwise), then write their outputs and return: tests and CI run them under Xvfb. They neither
//   read nor write the saved window layout, so the same inputs draw the same picture.
// * Interactive runs keep the window layout in $XDG_CONFIG_HOME/asynclab/imgui.ini
//   (~/.config/asynclab/imgui.ini when XDG_CONFIG_HOME is unset).
// * A trace that cannot be opened is shown in the window, never a reason to exit non-zero.
// * Live mode (`live_program`): the program runs on its own thread while the window shows its events
//   arriving (app/live_run.hpp). Output runs keep drawing past --frames until the program has
//   finished and every event it recorded is shown, so their pictures are of the whole run.
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>
#include <vector>
#include <string_view>

#include "asynclab/trace/recorder.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::vis {

struct GuiOptions {
  std::optional<std::filesystem::path> trace;       // open this trace at start
  // Or record one in this process at start (the built-in demo): called once, before the first frame.
  std::function<trace::Trace()> record_trace;
  std::string recorded_title = "built-in demo";
  // Or watch a program live: it runs on a background thread and builds its real-time runtime with the
  // Recorder it is given (`Runtime::builder().multi_thread(2).trace(recorder)`); it should return
  // after a bounded time, and soon after the stop token asks it to. See app/live_run.hpp.
  std::function<void(trace::Recorder&, std::stop_token)> live_program;
  std::string live_title = "live";
  std::optional<std::size_t> at;                     // start with events [0, at) applied (default: all)
  bool present = false;                              // presentation mode: large fonts, keyboard driven
  std::optional<std::filesystem::path> screenshot;  // write the last frame here as PNG
  int frames = 0;       // frames to draw; 0: until the window is closed (3 with --screenshot / --ui-report)
  int width = 1600;     // window size in screen coordinates
  int height = 1000;
  std::optional<std::filesystem::path> ui_report;  // write what was drawn here as JSON
  std::optional<std::string> lesson;                 // --lesson ID: open this lesson
  int step = 1;                                      // --step N within the lesson (1-based)
  bool every_step = false;  // --every-step: with --lesson and an output, each step from --step on is drawn
                            // and written as NAME.stepK.EXT (K from 1), one process for the whole lesson
  bool lesson_browser = false;                       // start at the lesson browser (the main job)
  bool exercises = false;                            // start with the Exercises window open
  std::optional<std::string> check_exercise;         // --check EX: select it and press Check at start
  std::optional<std::string> doc;                    // --doc NAME: the API window open on that entry
  bool show_my_run = false;                          // --show-my-run: after that check, press "Show my run"
  std::vector<std::string> open_windows;             // --open NAME: these views open at start (Legend, Task, ...)
  bool live_mid_run = false;  // outputs after `frames` frames without waiting for a live program to finish
};

struct WindowSize {
  int width = 0;
  int height = 0;
};

// Smallest and largest window sides `--size` accepts.
inline constexpr int min_window_side = 200;
inline constexpr int max_window_side = 16384;

// Parses "1280x800" (an 'x' or 'X' between two whole numbers, each within the limits above). The
// error says what was expected, for the command line to print.
std::expected<WindowSize, std::string> parse_window_size(std::string_view text);

// Runs the GUI until the window closes (or for the frames asked for). Returns 0 when it ran and
// wrote what was asked, 1 when an output (screenshot, UI report) could not be written, 2 when there
// is no display or no OpenGL 3.3 — the exit statuses of cli/exit_codes.hpp. Messages go to `err`.
int run_gui(const GuiOptions& options, std::ostream& err);

}  // namespace asynclab::vis
