#pragma once
// The shell around the views: the main menu, the "Open trace" dialog, the error dialog and the
// status bar, and the state they share — which trace is open and what went wrong opening one.
//
// Rules:
// * Every way of opening a trace (--trace, drag and drop, File › Open trace…) goes through
//   open_trace(shell, path), which calls the `open_trace` hook. The hook returns an error message
//   (or nothing on success); a bad file is shown in the window — the error dialog and a red line in
//   the status bar — and reported to the UI report. It never ends the program.
// * The hook opens the file as a model Session (model/session.hpp): an .altrace or Chrome JSON trace,
//   indexed once. A trace recorded in this process (the built-in demo, later a lesson) is adopted
//   with adopt_trace().
// * Live mode (--live, app/live_run.hpp): start_live() opens an empty session and a LiveRun that
//   grows it, once per frame in update_live(). Opening anything else (a trace, a lesson) replaces
//   that session; the live program is then stopped.
// * Files dropped on the window are queued by the GLFW callback and opened at the start of the next
//   frame, outside any ImGui window.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/live_run.hpp"
#include "app/playback_keys.hpp"
#include "asynclab/trace/trace.hpp"
#include "model/session.hpp"
#include "view/api_window.hpp"
#include "view/exercise_state.hpp"
#include "view/lesson_state.hpp"
#include "view/view_state.hpp"
#include "view/welcome.hpp"

namespace asynclab::vis {

// Opens the trace at a path; returns why it could not, or nullopt when it did.
using OpenTraceHook = std::function<std::optional<std::string>(const std::filesystem::path&)>;

struct OpenTraceDialog {
  bool requested = false;  // set by the menu or Ctrl+O; the dialog opens at the next show
  std::string path;        // the text field
  std::vector<std::filesystem::path> candidates;  // *.altrace and *.json in the current directory
  std::string error;       // why the last attempt from the dialog failed
};

struct Shell {
  OpenTraceHook open_trace;

  // The open trace, and how the windows show it.
  std::unique_ptr<Session> session;
  ViewState view;
  std::filesystem::path trace_path;
  // Live mode: the program whose events grow `session`, and that session (to tell it was replaced).
  std::unique_ptr<LiveRun> live;
  const Session* live_session = nullptr;

  std::string error;                // the last failure to open a trace, in words
  std::string error_note;           // the error dialog's line under it: what did and did not change
  bool show_error_dialog = false;   // open the error dialog at the next show
  std::vector<std::filesystem::path> dropped;
  OpenTraceDialog dialog;

  AppCommands commands;       // this frame's playback commands
  std::string last_command;   // the most recent one, in words
  WelcomeInfo welcome;
  bool show_welcome = true;
  bool quit_requested = false;
  // Whether seeing a lesson's steps counts as progress: not in an output run (--screenshot,
  // --ui-report), which a script or a test draws and nobody reads.
  bool keep_progress = true;

  // Lessons: the library (catalog, progress, browser) and the lesson open now, if any.
  LessonLibrary library;
  std::optional<LessonState> lesson;
  bool lesson_pane_open = true;
  bool output_open = true;
  bool relayout = false;  // place every window afresh at the next show_views (a lesson opened or closed)

  // Exercises: the window, its background grading, and the reference run it opened.
  ExercisesState exercises;
  // The API reference's window (F2, or "API…" in the Exercises window).
  ApiWindowState api;
};

// The hook every open goes through: Session::open, and the new session replaces the old one.
OpenTraceHook load_into(Shell& shell);
// Makes a trace recorded in this process the open one, titled `title`.
void adopt_trace(Shell& shell, trace::Trace trace, std::string title);

// Live mode: an empty session titled `title`, grown by `program`'s events as it runs.
void start_live(Shell& shell, std::string title, LiveProgram program, LiveFeedLimits limits = {});
// Once per frame before advance_playback: reads the live events, grows the session when due, keeps
// the cursor (and the timeline's camera) on the newest event while following, and reports the live
// status to the UI report. Stops the program when its session was replaced.
void update_live(Shell& shell, double now_s);
// Whether a live run is still producing events (an output run keeps drawing frames until it is not).
bool live_in_progress(const Shell& shell);

// Acts on this frame's playback keys, moves a playing cursor by `seconds`, and brings the world
// state to the cursor. Call once per frame before the windows draw.
void advance_playback(Shell& shell, double seconds);
// Every view window, placed on first use (later runs restore where the learner left them). In
// presentation mode only the playback controls, the timeline and the executor, large and fixed.
void show_views(Shell& shell);

// Lessons (app/lesson_shell.cpp).
// Opens a lesson ("08", "join", ...) at a 0-based step: runs its scenario, adopts the trace, lays the
// windows out for it. A lesson that cannot be loaded is shown like a bad trace (dialog, status bar).
bool open_lesson(Shell& shell, std::string_view key, std::size_t step);
// Once per frame before the views: carries out what the lesson windows asked for (another step, a
// slider moved, open or close a lesson), adopts a new run's trace, moves the playback to the step's
// cursor with its highlight, focus and axis, and records progress.
void sync_lesson(Shell& shell);
// The lesson pane, its output and the lesson browser, when they are shown.
void show_lesson_windows(Shell& shell);
// The Exercises window and the reference run's timeline, when shown; opens the learner's run when
// the window asks ("Show my run").
void show_exercise_windows(Shell& shell);
// When the main timeline holds the learner's run and the reference run is open ("Show my run"): the
// reference drawn under it in the same timeline, on one axis, with the first difference in its
// heading (ViewState::beside). Called before show_views; clears `beside` otherwise.
void compare_with_reference(Shell& shell);

// Opens `path` through the hook and records the outcome (the error, or the newly open trace).
// Returns whether it opened.
bool open_trace(Shell& shell, const std::filesystem::path& path);

// Queues files dropped on the window (GLFW's drop callback passes them here) for open_dropped.
void queue_dropped(Shell& shell, int count, const char* const* paths);
// Opens the files dropped since the last frame, in the order dropped; the last one that opens stays
// open. When any could not be opened, the error dialog lists each of them with its reason, even if
// another one opened after it.
void open_dropped(Shell& shell);

// The main menu bar: File › Open trace…, Quit; View › which windows are shown.
void show_main_menu(Shell& shell);
// The modal dialogs: "Open trace" (a path field and the traces in the current directory) and
// "Could not open trace".
void show_dialogs(Shell& shell);
// The status bar along the bottom: the open trace, or the last error in red.
void show_status_bar(const Shell& shell, bool present);

}  // namespace asynclab::vis
