// See gui_app.hpp. run_gui reads like Dear ImGui's examples/example_glfw_opengl3/main.cpp: one flat
// function, set-up steps and a main loop with numbered comments.
#include "app/gui_app.hpp"

#include <cfloat>
#include <charconv>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <GLFW/glfw3.h>  // after the ImGui headers; drags in the system OpenGL header

#include "view/fonts.hpp"
#include "app/leak_check.hpp"
#include "app/playback_keys.hpp"
#include "app/screenshot.hpp"
#include "app/shell.hpp"
#include "view/ui_report.hpp"
#include "view/exercises_window.hpp"
#include "view/palette.hpp"
#include "view/welcome.hpp"

namespace asynclab::vis {

namespace fs = std::filesystem;

namespace {

// The exit statuses of cli/exit_codes.hpp (the visualizer does not depend on the command line).
constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_environment = 2;
constexpr int exit_usage = 2;  // as the CLI's: the command line named something that is not there

constexpr int frames_for_outputs = 3;  // enough for auto-sized windows and popups to settle
// An output run waits this long at most for a live program to finish (the built-in ones take a few
// seconds); past it the outputs show what had arrived, and say so.
constexpr double live_wait_limit_s = 20;
constexpr const char* glsl_version = "#version 150";

std::string last_glfw_error;
void remember_glfw_error(int code, const char* description) {
  last_glfw_error = fmt::format("{} (GLFW error {:#x})", description, code);
}

// $XDG_CONFIG_HOME/asynclab/imgui.ini, or ~/.config/asynclab/imgui.ini; nullopt (no saved layout)
// when neither can be found or the folder cannot be made.
std::optional<fs::path> layout_file(std::ostream& err) {
  fs::path config;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && fs::path(xdg).is_absolute())
    config = xdg;  // the XDG spec says to ignore a relative path
  else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    config = fs::path(home) / ".config";
  else
    return std::nullopt;
  const fs::path dir = config / "asynclab";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    err << fmt::format("asynclab gui: warning: cannot create '{}' ({}); the window layout will not be saved\n",
                       dir.string(), ec.message());
    return std::nullopt;
  }
  return dir / "imgui.ini";
}

void queue_dropped_files(GLFWwindow* window, int count, const char** paths) {
  queue_dropped(*static_cast<Shell*>(glfwGetWindowUserPointer(window)), count, paths);
}

PlaybackKeys playback_keys_pressed() {
  auto pressed = [](ImGuiKey key, bool repeat) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), repeat); };
  return PlaybackKeys{.space = pressed(ImGuiKey_Space, false),
                      .right = pressed(ImGuiKey_RightArrow, true),
                      .left = pressed(ImGuiKey_LeftArrow, true),
                      .home = pressed(ImGuiKey_Home, false),
                      .end = pressed(ImGuiKey_End, false),
                      .page_down = pressed(ImGuiKey_PageDown, false),
                      .page_up = pressed(ImGuiKey_PageUp, false),
                      .shift = ImGui::GetIO().KeyShift};
}

void place_centre() {
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_FirstUseEver, ImVec2(0.5f, 0.5f));
}

// Tears down what was set up, in reverse order, however run_gui leaves.
struct Teardown {
  GLFWwindow* window = nullptr;
  bool imgui_context = false;
  bool imgui_glfw = false;
  bool imgui_opengl = false;
  ~Teardown() {
    if (imgui_opengl) ImGui_ImplOpenGL3_Shutdown();
    if (imgui_glfw) ImGui_ImplGlfw_Shutdown();
    if (imgui_context) ImGui::DestroyContext();  // writes the layout file, if there is one
    if (window != nullptr) glfwDestroyWindow(window);
    glfwTerminate();
  }
};

// "out.png" with ".step3" is "out.step3.png".
fs::path with_suffix(const fs::path& path, std::string_view suffix) {
  fs::path named = path;
  named.replace_filename(fmt::format("{}{}{}", path.stem().string(), suffix, path.extension().string()));
  return named;
}

// For the UI report: which windows are drawn over part of each reported window (ImGui keeps its
// windows in display order, back to front; a window's own child windows and tooltips do not count).
void report_overlaps(UiReport& report) {
  const ImGuiContext& g = *GImGui;
  for (std::size_t i = 0; i < report.windows().size(); ++i) {
    const ReportedWindow& reported = report.windows()[i];
    ImGuiWindow* window = ImGui::FindWindowByName(reported.id.c_str());
    if (window == nullptr || !window->Active || !reported.visible) continue;
    int z = 0;
    while (z < g.Windows.Size && g.Windows[z] != window) ++z;
    std::vector<std::string> covering;
    for (int k = z + 1; k < g.Windows.Size; ++k) {
      const ImGuiWindow* other = g.Windows[k];
      if (!other->Active || other->Hidden || other->RootWindow == window->RootWindow) continue;
      if (other->Flags & (ImGuiWindowFlags_Tooltip | ImGuiWindowFlags_ChildWindow)) continue;
      ImRect overlap = window->Rect();
      overlap.ClipWithFull(other->Rect());
      if (overlap.GetWidth() < 2 || overlap.GetHeight() < 2) continue;
      std::string_view name = other->Name;
      name = name.substr(0, name.find("##"));
      covering.emplace_back(name.empty() ? std::string_view(other->Name) : name);
    }
    report.set_covered_by(i, std::move(covering));
  }
}

}  // namespace

std::expected<WindowSize, std::string> parse_window_size(std::string_view text) {
  auto bad = [&] {
    return std::unexpected(fmt::format("expected WIDTHxHEIGHT such as 1280x800, not '{}'", text));
  };
  auto number = [](std::string_view s) -> std::optional<int> {
    int value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
  };
  const auto x = text.find_first_of("xX");
  if (x == std::string_view::npos) return bad();
  const std::optional<int> width = number(text.substr(0, x));
  const std::optional<int> height = number(text.substr(x + 1));
  if (!width || !height) return bad();
  for (int side : {*width, *height})
    if (side < min_window_side || side > max_window_side)
      return std::unexpected(fmt::format("each side must be {} to {} pixels, not '{}'", min_window_side,
                                         max_window_side, text));
  return WindowSize{.width = *width, .height = *height};
}

int run_gui(const GuiOptions& options, std::ostream& err) {
  const bool writes_outputs = options.screenshot.has_value() || options.ui_report.has_value();
  const int frames = options.frames > 0 ? options.frames : (writes_outputs ? frames_for_outputs : 0);

  // 1. GLFW: a window with an OpenGL 3.3 core context
  glfwSetErrorCallback(remember_glfw_error);
  if (!glfwInit()) {
    err << fmt::format(
        "asynclab gui: cannot open a window: {}. Run it in a desktop session, or, to draw to a file "
        "without a screen, under Xvfb: xvfb-run -a asynclab gui --screenshot out.png\n",
        last_glfw_error.empty() ? "no display" : last_glfw_error);
    return exit_environment;
  }
  // io.IniFilename points into `layout`, and ImGui writes the file when its context is destroyed:
  // declared before the teardown, it outlives it.
  std::string layout;
  Teardown teardown;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  if (!writes_outputs) {
    // Interactive: follow the monitor's scale, and fill the screen for a class. Output runs draw
    // exactly the pixels asked for.
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    if (options.present) glfwWindowHint(GLFW_MAXIMIZED, GLFW_TRUE);
  }
  teardown.window = glfwCreateWindow(options.width, options.height, "asynclab", nullptr, nullptr);
  GLFWwindow* window = teardown.window;
  if (window == nullptr) {
    err << fmt::format("asynclab gui: cannot create a window with OpenGL 3.3: {}\n", last_glfw_error);
    return exit_environment;
  }
  glfwMakeContextCurrent(window);
  keep_gl_driver_loaded_for_leak_check();
  glfwSwapInterval(writes_outputs ? 0 : 1);  // vsync, except when drawing frames for a file

  // 2. Dear ImGui: context, saved layout, style, fonts, backends
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  teardown.imgui_context = true;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  if (!writes_outputs) {
    if (std::optional<fs::path> file = layout_file(err)) {
      layout = file->string();
      io.IniFilename = layout.c_str();
    }
  }
  float content_scale = 1.0f;
  if (!writes_outputs) glfwGetWindowContentScale(window, &content_scale, nullptr);
  const float font_px = options.present ? presentation_font_px_for(options.height) : normal_font_px;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().Colors[ImGuiCol_PopupBg].w = 1.0f;  // a dialog is read, not seen through
  ImGui::GetStyle().Colors[ImGuiCol_WindowBg].w = 1.0f;  // so is a window: no text ghosting through from behind
  ImGui::GetStyle().ScaleAllSizes(content_scale * font_px / normal_font_px);
  const LoadedFonts fonts = load_fonts(FontRequest{.size_px = font_px, .content_scale = content_scale}, err);
  teardown.imgui_glfw = ImGui_ImplGlfw_InitForOpenGL(window, true);
  teardown.imgui_opengl = ImGui_ImplOpenGL3_Init(glsl_version);
  if (!teardown.imgui_glfw || !teardown.imgui_opengl) {
    err << "asynclab gui: cannot set up Dear ImGui's GLFW / OpenGL 3 backends\n";
    return exit_environment;
  }

  // 3. The shell (open trace, dialogs) and, when asked for, the UI report
  Shell shell;
  shell.keep_progress = !writes_outputs;
  shell.open_trace = load_into(shell);
  shell.welcome = WelcomeInfo{.lesson = options.lesson, .step = options.step};
  glfwSetWindowUserPointer(window, &shell);
  glfwSetDropCallback(window, queue_dropped_files);
  UiReport report;
  std::optional<ui_report::Installed> reporting;
  if (options.ui_report) reporting.emplace(report);
  ui_report::property("font", fonts.regular);
  ui_report::property("mono_font", fonts.mono);
  ui_report::property("font_px", fmt::format("{}", fonts.pixel_size));
  ui_report::property("mode", options.present ? "presentation" : "normal");
  shell.view.present = options.present;
  shell.view.still = writes_outputs;  // a picture of the moment, not of a token halfway along its slide
  shell.library.progress = lessons::Progress::load();
  if (!shell.library.progress.warning().empty()) ui_report::error(shell.library.progress.warning());
  shell.exercises.show = options.exercises || options.check_exercise.has_value();
  if (options.check_exercise && !start_check(shell.exercises, shell.library.progress, *options.check_exercise))
    ui_report::error(fmt::format("There is no exercise '{}' to check.", *options.check_exercise));
  shell.exercises.show_run_after_check = options.show_my_run;
  if (options.doc && !show_api_entry(shell.api, *options.doc))
    ui_report::error(fmt::format("There is no one API entry called '{}' (asynclab doc lists them).", *options.doc));

  if (options.lesson) {
    // A lesson records its own trace; a bad lesson name leaves the browser open to pick another.
    if (!open_lesson(shell, *options.lesson, static_cast<std::size_t>(std::max(options.step, 1) - 1)))
      shell.library.show_browser = true;
  } else if (options.trace) {
    open_trace(shell, *options.trace);
  } else if (options.lesson_browser || options.exercises || options.check_exercise || options.doc) {
    // The window asked for is the start: no Welcome over it (--check opens Exercises too).
    shell.library.show_browser = options.lesson_browser;
    shell.show_welcome = false;
  } else if (options.live_program) {
    start_live(shell, options.live_title, options.live_program);
  } else if (options.record_trace) {
    adopt_trace(shell, options.record_trace(), options.recorded_title);
  }
  if (shell.session && options.at) shell.session->playback().seek(*options.at);
  // --open: views opened at start, as the View menu would (a teacher preparing a screen; the tests);
  // after the lesson or trace is open, which chooses its own windows first.
  for (const std::string& name : options.open_windows)
    if (bool WindowsOpen::*flag = window_open_flag(name)) shell.view.open.*flag = true;
  // An output run has no one to read the error dialog: what could not be opened fails the command,
  // as the CLI's own commands do (an unknown lesson is a usage error, a bad trace a rejected input).
  const std::string opening_error = writes_outputs ? shell.error : std::string();
  const bool unknown_lesson =
      options.lesson && !(shell.library.catalog && shell.library.catalog->find(*options.lesson) != nullptr);
  const int opening_status = unknown_lesson ? exit_usage : exit_failed;  // a broken lesson: rejected input

  // 4. Main loop
  int status = exit_ok;
  int drawn = 0;
  bool screenshot_taken = false;
  const bool every_step = options.every_step && shell.lesson && writes_outputs;
  bool every_step_done = false;
  fs::path titled;  // the trace the window title names
  // A check started with --check keeps the frames coming until its grader is done, so a screenshot
  // or UI report shows the verdict (the grader has its own time limit).
  auto grading = [&] { return shell.exercises.job != nullptr; };
  // So does a live run, until its program has finished and every event it recorded is shown.
  const double live_wait_until = glfwGetTime() + live_wait_limit_s;
  bool live_wait_reported = false;
  auto waiting_for_live = [&] {
    if (!live_in_progress(shell)) return false;
    if (glfwGetTime() < live_wait_until) return true;
    if (!live_wait_reported) {
      live_wait_reported = true;
      ui_report::error(fmt::format("The live program had not finished after {:.0f} s; this shows the events that had arrived.",
                                   live_wait_limit_s));
    }
    return false;
  };
  auto waiting = [&] { return grading() || (writes_outputs && !options.live_mid_run && waiting_for_live()); };
  // What a finished wait hands over (a verdict, the reference run's session) is drawn from the frame
  // after it: outputs wait that many frames more.
  constexpr int frames_after_wait = 2;
  int since_wait = frames_after_wait;
  auto settled = [&] { return drawn >= frames && !waiting() && since_wait >= frames_after_wait; };
  while (!glfwWindowShouldClose(window) && !every_step_done &&
         (frames == 0 || !settled() || every_step)) {
    // 4a. Poll and handle events (inputs, window resize, dropped files)
    glfwPollEvents();
    open_dropped(shell);
    if (shell.trace_path != titled) {
      titled = shell.trace_path;
      glfwSetWindowTitle(window, fmt::format("asynclab — {}", titled.filename().string()).c_str());
    }

    // 4b. Start the Dear ImGui frame
    report.begin_frame();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // An output run draws what the program shows, not where Xvfb's pointer happens to rest: no
    // hover highlights or tooltips in screenshots and reports.
    if (writes_outputs) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();

    // 4c. Keys: playback commands for the views, and the shell's shortcuts
    shell.commands = commands_for(playback_keys_pressed(), io.WantTextInput);
    if (shell.commands.any()) shell.last_command = describe(shell.commands);
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) shell.dialog.requested = true;
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q, false)) shell.quit_requested = true;
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_L, false)) shell.library.show_browser = true;
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_E, false)) shell.exercises.show = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) shell.view.open.legend = !shell.view.open.legend;
    if (ImGui::IsKeyPressed(GLFW_KEY_F2, false)) shell.api.show = !shell.api.show;

    // 4d. The windows: menu and status bars, the views, then the dialogs on top
    show_main_menu(shell);
    show_status_bar(shell, options.present);
    // Output runs step time by a fixed 1/60 s per frame, so the same inputs draw the same picture.
    const double frame_seconds = writes_outputs ? 1.0 / 60.0 : static_cast<double>(io.DeltaTime);
    shell.view.time_s = writes_outputs ? drawn / 60.0 : ImGui::GetTime();
    sync_lesson(shell);
    update_live(shell, glfwGetTime());
    advance_playback(shell, frame_seconds);
    compare_with_reference(shell);
    show_views(shell);
    shell.view.beside = BesideRun{};  // the pointers it holds are this frame's
    show_lesson_windows(shell);
    show_exercise_windows(shell);
    show_api_window(shell.api, &shell.api.show);
    if (!shell.session && shell.show_welcome) {
      place_centre();
      show_welcome(shell.welcome, &shell.show_welcome);
    }
    show_dialogs(shell);

    if (options.ui_report) report_overlaps(report);

    // 4e. Rendering
    ImGui::Render();
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window, &width, &height);
    glViewport(0, 0, width, height);
    glClearColor(palette::background.r, palette::background.g, palette::background.b, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    report.set_size(width, height);
    ++drawn;
    since_wait = waiting() ? 0 : since_wait + 1;

    // 4f. --every-step: each step of the lesson gets its own outputs (name.stepK.ext), drawn after
    // `frames` frames of it; then the next step, until the last, whose outputs end the run.
    if (every_step && settled()) {
      const std::size_t step = shell.lesson->player->step();
      const std::string suffix = fmt::format(".step{}", step + 1);
      if (options.screenshot)
        if (auto written = write_png(with_suffix(*options.screenshot, suffix), read_back_buffer(width, height)); !written) {
          err << fmt::format("asynclab gui: {}\n", written.error());
          status = exit_failed;
        }
      if (options.ui_report)
        if (auto written = report.write(with_suffix(*options.ui_report, suffix)); !written) {
          err << fmt::format("asynclab gui: {}\n", written.error());
          status = exit_failed;
        }
      if (step + 1 < shell.lesson->player->step_count()) {
        shell.lesson->player->go_to(step + 1);
        drawn = 0;
      } else {
        screenshot_taken = true;
        every_step_done = true;
      }
    }

    // 4g. The screenshot is of the last frame, read before the swap (after it the back buffer is undefined)
    if (!every_step && options.screenshot && settled() && !screenshot_taken) {
      screenshot_taken = true;
      if (auto written = write_png(*options.screenshot, read_back_buffer(width, height)); !written) {
        err << fmt::format("asynclab gui: {}\n", written.error());
        status = exit_failed;
      }
    }

    glfwSwapBuffers(window);
    if (shell.quit_requested) glfwSetWindowShouldClose(window, GLFW_TRUE);
  }

  // 5. Outputs: the UI report describes the last frame drawn
  if (options.screenshot && !screenshot_taken) {
    err << fmt::format("asynclab gui: the window was closed after {} of {} frames; no screenshot written\n", drawn,
                       frames);
    status = exit_failed;
  }
  if (!opening_error.empty()) {
    err << fmt::format("asynclab gui: {}\n", opening_error);
    if (status == exit_ok) status = opening_status;
  }
  if (options.ui_report && !every_step) {
    if (auto written = report.write(*options.ui_report); !written) {
      err << fmt::format("asynclab gui: {}\n", written.error());
      status = exit_failed;
    }
  }
  return status;  // 6. Cleanup: Teardown shuts the backends, ImGui and GLFW down
}

}  // namespace asynclab::vis
