// See shell.hpp.
//
// Index of this file:
// [SECTION] Opening traces
// [SECTION] Views
// [SECTION] Main menu
// [SECTION] Dialogs
// [SECTION] Status bar
#include "app/shell.hpp"

#include <algorithm>
#include <span>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <imgui.h>
#include <imgui_internal.h>  // BeginViewportSideBar: a bar that takes its room from the work area
#include <imgui_stdlib.h>

#include "view/ui_report.hpp"
#include "view/legend.hpp"
#include "view/lesson_windows.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace fs = std::filesystem;

namespace {
constexpr const char* open_dialog_name = "Open trace";
constexpr const char* error_dialog_name = "Could not open trace";
}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] Opening traces
//-----------------------------------------------------------------------------

namespace {

// The live program is stopped (and joined) before its session goes.
void stop_live(Shell& shell) {
  shell.view.live = LiveView{};
  shell.live.reset();
  shell.live_session = nullptr;
}

}  // namespace

OpenTraceHook load_into(Shell& shell) {
  return [&shell](const fs::path& path) -> std::optional<std::string> {
    auto opened = Session::open(path);
    if (!opened) return opened.error();
    stop_live(shell);
    shell.session = std::move(*opened);
    shell.session->playback().jump_end();  // the whole story first; Home or Play replays it
    shell.view.camera = TimelineCamera{};  // fit the new trace
    return std::nullopt;
  };
}

void adopt_trace(Shell& shell, trace::Trace trace, std::string title) {
  stop_live(shell);
  shell.session = std::make_unique<Session>(std::move(trace), title);
  shell.session->playback().jump_end();  // the whole story first; Home or Play replays it
  shell.view.camera = TimelineCamera{};
  shell.trace_path = title;
  shell.error.clear();
}

void start_live(Shell& shell, std::string title, LiveProgram program, LiveFeedLimits limits) {
  adopt_trace(shell, trace::Trace{}, title);
  shell.live = std::make_unique<LiveRun>(std::move(title), std::move(program), limits);
  shell.live_session = shell.session.get();
  shell.view.live = LiveView{};
  shell.view.live.feed = &shell.live->feed();
}

void update_live(Shell& shell, double now_s) {
  if (!shell.live) return;
  if (shell.session.get() != shell.live_session) {  // something else was opened: stop watching
    stop_live(shell);
    return;
  }
  Session& session = *shell.session;
  Playback& playback = session.playback();
  LiveView& live = shell.view.live;
  // Following keeps the cursor at the end; a cursor anywhere else was moved there by the learner.
  if (live.following && playback.cursor() != playback.size()) live.following = false;
  if (shell.live->update(session, now_s) && live.following) {
    playback.jump_end();
    if (shell.view.camera.follow_cursor) {  // the whole run so far, unless the learner zoomed or panned
      shell.view.camera.begin = 0;
      shell.view.camera.end = 0;
    }
  }
  live.failure = shell.live->failure();
  if (!live.failure.empty()) ui_report::error("The live program failed: " + live.failure);
  const LiveFeed& feed = shell.live->feed();
  ui_report::property("live", feed.status());
  ui_report::property("live_events", std::to_string(feed.received()));
  ui_report::property("live_dropped", std::to_string(feed.dropped()));
  ui_report::property("live_skipped", std::to_string(feed.skipped()));
  ui_report::property("live_finished", feed.complete() ? "true" : "false");
}

bool live_in_progress(const Shell& shell) {
  return shell.live && shell.session.get() == shell.live_session && !shell.live->feed().complete();
}

void advance_playback(Shell& shell, double seconds) {
  if (!shell.session) return;
  Playback& playback = shell.session->playback();
  const AppCommands& c = shell.commands;
  LiveView& live = shell.view.live;
  if (live.feed != nullptr) {
    // Live: End follows the newest event again; Space while following stops right here.
    if (c.jump_end) live.following = true;
    if (c.play_pause && live.following && !live.feed->complete()) {
      live.following = false;
      shell.session->sync();
      return;
    }
  }
  if (c.play_pause) {
    if (!playback.playing() && playback.at_end()) playback.jump_start();  // play again from the top
    playback.toggle();
  }
  if (c.step_forward) playback.step_forward();
  if (c.step_back) playback.step_back();
  // Shift+Right / Shift+Left follow the selected task; with none selected they are plain steps.
  const std::uint32_t task = shell.session->selected_task;
  if (c.task_forward) task != 0 ? (void)playback.step_to_next_of_task(task) : (void)playback.step_forward();
  if (c.task_back) task != 0 ? (void)playback.step_to_prev_of_task(task) : (void)playback.step_back();
  if (c.jump_start) playback.jump_start();
  if (c.jump_end) playback.jump_end();
  playback.advance(seconds);
  shell.session->sync();
}

bool open_trace(Shell& shell, const fs::path& path) {
  std::optional<std::string> failure = shell.open_trace(path);
  if (failure) {
    shell.error = fmt::format("Could not open '{}': {}", path.string(), *failure);
    shell.error_note = "The file was not opened; nothing else changed.";
    shell.show_error_dialog = true;
    ui_report::error(shell.error);
    return false;
  }
  shell.trace_path = path;
  shell.error.clear();
  shell.show_error_dialog = false;  // an error still queued for the dialog is out of date
  return true;
}

void queue_dropped(Shell& shell, int count, const char* const* paths) {
  for (int i = 0; i < count; ++i) shell.dropped.emplace_back(paths[i]);
}

void open_dropped(Shell& shell) {
  if (shell.dropped.empty()) return;
  // Several files dropped at once: each is tried in turn. A good file after a bad one would clear
  // the bad one's error, so the failures are gathered and shown together at the end.
  std::vector<std::string> failures;
  std::size_t opened = 0;
  for (const fs::path& path : shell.dropped) {
    if (open_trace(shell, path))
      ++opened;
    else
      failures.push_back(shell.error);
  }
  shell.dropped.clear();
  if (failures.empty()) return;
  shell.error = fmt::format("{}", fmt::join(failures, "\n"));
  shell.error_note = opened == 0 ? "Nothing was opened; nothing else changed."
                                 : fmt::format("{} of the dropped files opened; the last of them is shown.", opened);
  shell.show_error_dialog = true;
}

//-----------------------------------------------------------------------------
// [SECTION] Views
//-----------------------------------------------------------------------------

namespace {

// The room the views share: the window minus the menu bar above and the status bar below. (The
// viewport's WorkPos only learns about the bars one frame late, too late for a first placement.)
ImVec4 work_area() {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float bar = ImGui::GetFrameHeight();
  return ImVec4(vp->Pos.x, vp->Pos.y + bar, vp->Size.x, vp->Size.y - 2 * bar);
}

// Where a window goes the first time, in fractions of the work area. Later runs restore where the
// learner left it.
void place(float x, float y, float w, float h, ImGuiCond cond = ImGuiCond_FirstUseEver) {
  const ImVec4 area = work_area();
  ImGui::SetNextWindowPos(ImVec2(area.x + area.z * x, area.y + area.w * y), cond);
  ImGui::SetNextWindowSize(ImVec2(area.z * w, area.w * h), cond);
}

// In presentation mode the layout is fixed: the class sees the same screen whatever was saved.
void pin(float x, float y, float w, float h) { place(x, y, w, h, ImGuiCond_Always); }

}  // namespace

namespace {

// The main timeline, in the shape the layout tables take.
void show_main_timeline(Session& session, ViewState& view, bool* open) { show_timeline(session, view, open); }

// Each view of a trace: how it is drawn, where it goes in the layout without a lesson (fractions of
// the work area), and its turn in a lesson's band. Its name and open flag are in
// model/view_windows.hpp and view_state.hpp's open_flag.
struct Placed {
  ViewWindow window;
  float x, y, w, h;
  void (*show)(Session&, ViewState&, bool*);
  int band_turn;  // its turn for the slots beside a lesson's focused window; -1: never in the band
  bool WindowsOpen::*open() const { return open_flag(window); }
};

// Top: the controls across. Middle: the timeline, with the executor and resources beside it.
// Bottom: the tasks table, the selected task, its code, the warnings. Pinning, for traces that have
// Pinned futures, floats over the timeline's lower part (such traces are small). Drawn in this order.
constexpr Placed views[] = {
    {ViewWindow::playback, 0.0f, 0.0f, 1.0f, 0.15f, show_playback_bar, -1},
    {ViewWindow::timeline, 0.0f, 0.15f, 0.66f, 0.50f, show_main_timeline, -1},
    {ViewWindow::executor, 0.66f, 0.15f, 0.34f, 0.28f, show_executor, 0},
    {ViewWindow::resources, 0.66f, 0.43f, 0.34f, 0.22f, show_resources, 1},
    {ViewWindow::tasks, 0.0f, 0.65f, 0.42f, 0.35f, show_task_table, 4},
    {ViewWindow::task, 0.42f, 0.65f, 0.24f, 0.35f, show_task_detail, 5},
    {ViewWindow::code, 0.66f, 0.65f, 0.34f, 0.20f, show_code, 6},
    {ViewWindow::pinning, 0.30f, 0.38f, 0.36f, 0.27f, show_pinning, 3},
    {ViewWindow::warnings, 0.66f, 0.85f, 0.34f, 0.15f, show_warnings, 2},
};

const Placed* placed(ViewWindow w) {
  auto at = std::ranges::find(views, w, &Placed::window);
  return at == std::end(views) ? nullptr : &*at;
}

// Pinning is drawn only for traces with Pinned futures.
bool has_content(const Placed& w, const Session& session) {
  return w.window != ViewWindow::pinning || !session.index().pins().empty();
}

// With a lesson the lesson pane takes the left third (lesson_pane_area) and the views share the rest
// as a stage: the playback bar across the top, the timeline under it, and under the timeline a band
// with the window the step focuses in its large slot (else the Executor) and the other open windows
// stacked beside it. Nothing overlaps; reports wrap instead of being cut.
constexpr float lesson_width = 0.36f;
constexpr float stage_playback_h = 0.14f;
constexpr float present_lesson_width = 0.40f;  // the large type needs the width for the Notice
constexpr float stage_band_y = 0.58f;       // the timeline ends here
constexpr float stage_primary_w = 0.34f;    // of the whole width: the focused window's slot

// The playback bar's height in presentation mode, as a fraction of the work area: its title, the
// controls' row, the event line, and in live mode the feed's line (and a failure's).
float present_playback_height(const ViewState& view) {
  int rows = 2;
  if (view.live.feed != nullptr) rows += view.live.failure.empty() ? 1 : 2;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float px = ImGui::GetFrameHeight() + style.WindowPadding.y * 2 +
                   static_cast<float>(rows) * ImGui::GetFrameHeightWithSpacing();
  return std::clamp(px / work_area().w, 0.1f, 0.35f);
}

// The band's windows this frame: the focused one first (when it is a band window and open), then the
// others that are open, in their band turn.
std::vector<const Placed*> band_windows(const Shell& shell) {
  const Session& session = *shell.session;
  auto shown = [&](const Placed& w) { return w.band_turn >= 0 && shell.view.open.*w.open() && has_content(w, session); };
  std::vector<const Placed*> out;
  for (const std::string& name : shell.lesson->player->step_view().focus) {
    const auto window = view_window_titled(name);
    const Placed* at = window ? placed(*window) : nullptr;
    if (at && shown(*at) && std::ranges::find(out, at) == out.end()) out.push_back(at);
  }
  std::vector<const Placed*> rest;
  for (const Placed& w : views)
    if (shown(w) && std::ranges::find(out, &w) == out.end()) rest.push_back(&w);
  std::ranges::sort(rest, {}, &Placed::band_turn);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void show_lesson_stage(Shell& shell, ImGuiCond cond) {
  Session& session = *shell.session;
  ViewState& view = shell.view;
  const float right_w = 1 - lesson_width;
  if (view.open.playback) {
    place(lesson_width, 0.0f, right_w, stage_playback_h, cond);
    show_playback_bar(session, view, &view.open.playback);
  }
  const std::vector<const Placed*> band = band_windows(shell);
  const float timeline_h = (band.empty() ? 1.0f : stage_band_y) - stage_playback_h;
  if (view.open.timeline) {
    place(lesson_width, stage_playback_h, right_w, timeline_h, cond);
    show_main_timeline(session, view, &view.open.timeline);
  }
  if (band.empty()) return;
  const float band_h = 1 - stage_band_y;
  // The tasks table needs every column: focused, it takes the band alone.
  const bool alone = band.size() == 1 || band.front()->window == ViewWindow::tasks;
  const float primary_w = alone ? right_w : stage_primary_w;
  place(lesson_width, stage_band_y, primary_w, band_h, cond);
  band.front()->show(session, view, &(view.open.*band.front()->open()));
  const std::size_t others = alone ? 0 : band.size() - 1;
  for (std::size_t k = 0; k < others; ++k) {
    const float h = band_h / static_cast<float>(others);
    place(lesson_width + primary_w, stage_band_y + h * static_cast<float>(k), right_w - primary_w, h, cond);
    band[k + 1]->show(session, view, &(view.open.*band[k + 1]->open()));
  }
}

void show_placed(Shell& shell, ImGuiCond cond) {
  Session& session = *shell.session;
  for (const Placed& w : views) {
    bool& is_open = shell.view.open.*w.open();
    if (!is_open || !has_content(w, session)) continue;
    place(w.x, w.y, w.w, w.h, cond);
    w.show(session, shell.view, &is_open);
  }
}

// Whether the step asks for the lesson's Output window (its measurements, what it printed).
bool step_focuses_output(const Shell& shell) {
  const auto& focus = shell.lesson->player->step_view().focus;
  return std::ranges::find(focus, std::string("Output")) != focus.end();
}

void show_lesson_pane_and_output(Shell& shell, ImGuiCond cond, bool present) {
  // The Output gets more room in a step that points at it.
  const float pane_h = step_focuses_output(shell) ? 0.55f : 0.75f;
  const float width = present ? present_lesson_width : lesson_width;
  if (shell.lesson_pane_open) {
    place(0.0f, 0.0f, width, present ? 1.0f : pane_h, present ? ImGuiCond_Always : cond);
    show_lesson_pane(*shell.lesson, shell.library, present ? nullptr : &shell.lesson_pane_open);
  }
  if (shell.output_open && !present) {
    place(0.0f, pane_h, width, 1.0f - pane_h, cond);
    show_lesson_output(*shell.lesson, *shell.session, &shell.output_open);
  }
}

}  // namespace

namespace {

void show_trace_views(Shell& shell) {
  if (!shell.session) return;
  Session& session = *shell.session;
  ViewState& view = shell.view;
  const ImGuiCond cond = shell.relayout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  shell.relayout = false;
  if (view.present) {
    // A fixed layout: the class sees the same screen whatever was saved.
    const float left = shell.lesson && shell.lesson_pane_open ? present_lesson_width : 0.0f;
    const float present_playback_h = present_playback_height(view);
    pin(left, 0.0f, 1.0f - left, present_playback_h);
    show_playback_bar(session, view, nullptr);
    if (shell.lesson) {
      // The window the step asks for (one of the band's, or the lesson's Output) is docked under the
      // timeline, across its width, never over it.
      const Placed* focused = nullptr;
      const char* key = nullptr;  // its name for window_content_height
      for (const std::string& name : shell.lesson->player->step_view().focus) {
        const auto window = view_window_titled(name);
        const Placed* at = window ? placed(*window) : nullptr;
        if (at && at->band_turn >= 0 && view.open.*at->open()) {
          focused = at;
          key = window == ViewWindow::task ? "Task detail" : name.c_str();
          break;
        }
      }
      const bool output = focused == nullptr && step_focuses_output(shell) && shell.output_open;
      if (output) key = "Output";
      // As tall as its content wants, between a quarter and half of the screen: the rest is the
      // timeline's.
      float focused_y = 1.0f;
      if (key != nullptr) {
        focused_y = 0.62f;
        const float wanted = window_content_height(key) + ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
        if (wanted > ImGui::GetFrameHeight() * 2) focused_y = 1.0f - std::clamp(wanted / work_area().w, 0.25f, 0.5f);
        // ... but the timeline keeps three rows (or all it has, if fewer) under its ruler: a class
        // that sees the report should still see whose lanes it is about. The focused window scrolls.
        const float line = ImGui::GetTextLineHeight();
        const auto rows = static_cast<float>(std::min<std::size_t>(3, std::max<std::size_t>(1, session.lanes().size())));
        const float timeline_min = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2 +
                                   std::round(line * 2.5f) + rows * std::round(line * 1.7f) + line;
        focused_y = std::max(focused_y, std::min(0.75f, present_playback_h + timeline_min / work_area().w));
      }
      pin(left, present_playback_h, 1.0f - left, focused_y - present_playback_h);
      show_timeline(session, view, nullptr);
      show_lesson_pane_and_output(shell, cond, true);
      if (key != nullptr) {
        pin(left, focused_y, 1.0f - left, 1.0f - focused_y);
        if (focused) focused->show(session, view, &(view.open.*focused->open()));
        else show_lesson_output(*shell.lesson, *shell.session, &shell.output_open);
      }
      return;
    }
    pin(0.0f, present_playback_h, 0.66f, 1.0f - present_playback_h);
    show_timeline(session, view, nullptr);
    pin(0.66f, present_playback_h, 0.34f, 1.0f - present_playback_h);
    show_executor(session, view, nullptr);
    return;
  }
  if (shell.lesson) {
    show_lesson_pane_and_output(shell, cond, false);
    show_lesson_stage(shell, cond);
  } else {
    show_placed(shell, cond);
  }
}

}  // namespace

void show_views(Shell& shell) {
  show_trace_views(shell);
  // Last, so that opened (F1, the View menu, the timeline's "?") it comes up in front of the views.
  if (shell.view.open.legend) show_legend(&shell.view.open.legend);
}

//-----------------------------------------------------------------------------
// [SECTION] Main menu
//-----------------------------------------------------------------------------

void show_main_menu(Shell& shell) {
  if (!begin_main_menu_bar()) return;
  if (begin_menu("File")) {
    if (menu_item("Open trace…", "Ctrl+O")) shell.dialog.requested = true;
    ImGui::Separator();
    if (menu_item("Quit", "Ctrl+Q")) shell.quit_requested = true;
    ImGui::EndMenu();
  }
  if (begin_menu("Lessons")) {
    if (menu_item("All lessons…", "Ctrl+L")) shell.library.show_browser = true;
    if (shell.lesson) {
      lessons::LessonPlayer& player = *shell.lesson->player;
      if (menu_item("Next step", "PgDn", !player.at_last_step())) player.next();
      if (menu_item("Previous step", "PgUp", player.step() > 0)) player.back();
      ImGui::Separator();
      if (menu_item("Close the lesson")) shell.library.close_request = true;
    }
    ImGui::EndMenu();
  }
  if (begin_menu("Exercises")) {
    if (menu_item("Exercises…", "Ctrl+E")) shell.exercises.show = true;
    if (menu_item("API reference…", "F2")) shell.api.show = true;
    ImGui::EndMenu();
  }
  if (begin_menu("View")) {
    WindowsOpen& w = shell.view.open;
    const bool any = shell.session != nullptr;
    ImGui::MenuItem("Welcome", nullptr, &shell.show_welcome);
    ImGui::Separator();
    // The trace's views, then the Legend (open without a trace too), then the lesson's own windows.
    for (const ViewWindowName& n : view_window_names) {
      if (n.lesson_only && !shell.lesson) break;
      if (n.window == ViewWindow::legend || n.window == ViewWindow::lesson) ImGui::Separator();
      const std::string title(n.title);
      if (n.window == ViewWindow::legend) {
        ImGui::MenuItem(title.c_str(), "F1", &w.legend);
      } else if (n.lesson_only) {
        ImGui::MenuItem(title.c_str(), nullptr, n.window == ViewWindow::lesson ? &shell.lesson_pane_open : &shell.output_open);
      } else {
        ImGui::MenuItem(title.c_str(), nullptr, &(w.*open_flag(n.window)), any);
      }
    }
    ImGui::EndMenu();
  }
  end_main_menu_bar();
}

//-----------------------------------------------------------------------------
// [SECTION] Dialogs
//-----------------------------------------------------------------------------

namespace {

std::vector<fs::path> traces_in_current_directory() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(fs::current_path(ec), ec)) {
    const fs::path ext = entry.path().extension();
    if ((ext == ".altrace" || ext == ".json") && entry.is_regular_file(ec)) found.push_back(entry.path().filename());
  }
  std::ranges::sort(found);
  return found;
}

void show_open_dialog(Shell& shell) {
  OpenTraceDialog& dialog = shell.dialog;
  if (dialog.requested) {
    dialog.requested = false;
    dialog.candidates = traces_in_current_directory();
    dialog.error.clear();
    ImGui::OpenPopup(open_dialog_name);
  }
  const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!begin_popup_modal(open_dialog_name, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;

  text("A trace file:");
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
  bool open_now = ImGui::InputText("##path", &dialog.path, ImGuiInputTextFlags_EnterReturnsTrue);

  text_muted(dialog.candidates.empty() ? "No .altrace or .json files in the current directory."
                                       : "In the current directory:");
  if (!dialog.candidates.empty() &&
      ImGui::BeginListBox("##candidates", ImVec2(ImGui::GetFontSize() * 30, ImGui::GetFontSize() * 8))) {
    for (const fs::path& candidate : dialog.candidates) {
      const std::string name = candidate.string();
      ui_report::text(name);
      if (ImGui::Selectable(name.c_str(), dialog.path == name, ImGuiSelectableFlags_AllowDoubleClick)) {
        dialog.path = name;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) open_now = true;
      }
    }
    ImGui::EndListBox();
  }
  if (!dialog.error.empty()) text_coloured(palette::error_text, dialog.error);

  open_now |= button("Open");
  ImGui::SameLine();
  if (button("Cancel")) ImGui::CloseCurrentPopup();
  if (open_now && !dialog.path.empty()) {
    if (open_trace(shell, dialog.path)) {
      ImGui::CloseCurrentPopup();
    } else {
      dialog.error = shell.error;
      shell.show_error_dialog = false;  // the dialog shows it already
    }
  }
  end_popup();
}

void show_error_dialog(Shell& shell) {
  if (shell.show_error_dialog) {
    shell.show_error_dialog = false;
    ImGui::OpenPopup(error_dialog_name);
  }
  const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(ImGui::GetFontSize() * 20, 0),
                                      ImVec2(ImGui::GetFontSize() * 40, ImGui::GetFontSize() * 30));
  if (!begin_popup_modal(error_dialog_name, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 38);
  text_coloured(palette::error_text, shell.error);
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  text_muted(shell.error_note);
  if (button("OK") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
  end_popup();
}

}  // namespace

void show_dialogs(Shell& shell) {
  show_open_dialog(shell);
  show_error_dialog(shell);
}

//-----------------------------------------------------------------------------
// [SECTION] Status bar
//-----------------------------------------------------------------------------

namespace {

// An error fits the status bar on one line: its first line, and how many more the dialog holds.
std::string status_line(std::string_view error) {
  const std::size_t end = error.find('\n');
  if (end == std::string_view::npos) return std::string(error);
  const auto more = std::count(error.begin() + static_cast<std::ptrdiff_t>(end), error.end(), '\n');
  return fmt::format("{} (and {} more)", error.substr(0, end), more);
}

}  // namespace

void show_status_bar(const Shell& shell, bool present) {
  constexpr ImGuiWindowFlags flags =
      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar;
  const float height = ImGui::GetFrameHeight();
  const bool visible =
      ImGui::BeginViewportSideBar("##status", ImGui::GetMainViewport(), ImGuiDir_Down, height, flags);
  ui_report::begin_window("Status bar", visible, "##status");
  if (ui_report::active()) {
    const ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    ui_report::window_rect(ReportedRect{at.x, at.y, size.x, size.y});
  }
  if (visible && ImGui::BeginMenuBar()) {
    if (!shell.error.empty())
      text_coloured(palette::error_text, status_line(shell.error));
    else if (shell.live && shell.session && shell.session.get() == shell.live_session)
      text(fmt::format("{} — {} · {} tasks · {}", shell.live->title(), shell.live->feed().status(),
                       shell.session->index().tasks().size(),
                       shell.live->feed().complete() ? "Space play/pause · ←/→ step · Home/End"
                       : shell.view.live.following ? "Space stops here · ←/→ step"
                                                   : "End follows the newest event · ←/→ step"));
    else if (shell.session && shell.lesson)
      // The parameters are in the lesson pane: the status bar says where we are and the keys.
      text(fmt::format("lesson {} · step {} of {} · PgDn/PgUp step · Space play · ←/→ event · F1 legend",
                       shell.lesson->player->lesson().id, shell.lesson->player->step() + 1,
                       shell.lesson->player->step_count()));
    else if (shell.session)
      text(fmt::format("{} — {} events, {} tasks · Space play/pause · ←/→ step · Shift+←/→ the selected task · Home/End · F1 legend", shell.trace_path.string(),
                       shell.session->trace().size(), shell.session->index().tasks().size()));
    else
      text_muted("No trace open");
    if (present && !shell.lesson) {
      ImGui::SameLine();
      text_muted("   presentation mode");
    }
    ImGui::EndMenuBar();
  }
  ImGui::End();
  ui_report::end_window();
}

}  // namespace asynclab::vis
