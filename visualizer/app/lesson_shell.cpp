// The shell's lesson half: opening a lesson, keeping the playback on the step, saving progress.
// See shell.hpp.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "app/shell.hpp"
#include "engine/text_template.hpp"
#include "model/view_windows.hpp"
#include "view/ui_report.hpp"
#include "view/exercises_window.hpp"
#include "view/lesson_windows.hpp"

namespace asynclab::vis {

namespace {

bool ensure_catalog(LessonLibrary& library) {
  if (library.catalog) return true;
  auto loaded = lessons::Catalog::load();
  if (!loaded) {
    library.catalog_error = loaded.error();
    return false;
  }
  library.catalog = std::move(*loaded);
  return true;
}

void fail(Shell& shell, std::string message) {
  shell.error = std::move(message);
  shell.error_note = "Nothing else changed.";
  shell.show_error_dialog = true;
  ui_report::error(shell.error);
}

// The open flag of the window a focus directive names.
bool* window_flag(Shell& shell, std::string_view name) {
  const auto window = view_window_titled(name);
  if (!window) return nullptr;
  if (*window == ViewWindow::output) return &shell.output_open;
  if (*window == ViewWindow::lesson) return &shell.lesson_pane_open;
  return &(shell.view.open.*open_flag(*window));
}

}  // namespace

bool open_lesson(Shell& shell, std::string_view key, std::size_t step) {
  if (!ensure_catalog(shell.library)) {
    fail(shell, shell.library.catalog_error);
    return false;
  }
  const auto* entry = shell.library.catalog->find(key);
  if (entry == nullptr) {
    fail(shell, fmt::format("There is no lesson '{}' (the Lessons window lists them).", key));
    shell.library.show_browser = true;
    return false;
  }
  if (!entry->lesson) {
    fail(shell, fmt::format("Lesson {} cannot be loaded: {}", entry->folder, entry->lesson.error().to_string()));
    return false;
  }
  const auto& lesson = *entry->lesson;
  LessonState state;
  state.folder = entry->folder;
  state.player = std::make_unique<lessons::LessonPlayer>(lesson, entry->scenario, lessons::ParamValues(lesson.params),
                                                         1, std::min(step, lesson.steps.size() - 1));
  state.docs.resize(lesson.steps.size());  // parsed in sync_lesson, with the run's figures filled in
  shell.lesson = std::move(state);
  // The lesson stage shows the windows a step talks about: the tasks table, the task and its code
  // start closed (a step that wants one focuses it; the View menu opens any).
  shell.view.open.tasks = false;
  shell.view.open.task_detail = false;
  shell.view.open.code = false;
  shell.lesson->present = shell.view.present;
  shell.lesson_pane_open = true;
  shell.output_open = true;
  shell.library.show_browser = false;
  shell.show_welcome = false;
  shell.relayout = true;
  shell.error.clear();
  sync_lesson(shell);
  return true;
}

void sync_lesson(Shell& shell) {
  LessonLibrary& library = shell.library;
  if (library.open_request) {
    std::string request = std::move(*library.open_request);
    library.open_request.reset();
    if (request.starts_with("next:") && ensure_catalog(library)) {
      const auto& entries = library.catalog->entries();
      auto at = std::ranges::find(entries, request.substr(5), &lessons::CatalogEntry::folder);
      if (at != entries.end() && at + 1 != entries.end()) {
        open_lesson(shell, (at + 1)->folder, 0);
      } else {
        library.show_browser = true;  // the last lesson: back to the list
      }
    } else {
      const std::size_t resume = ensure_catalog(library) && !library.progress.lesson_done(request)
                                     ? library.progress.lesson_step(request)
                                     : 0;
      open_lesson(shell, request, resume);
    }
  }
  if (library.close_request) {
    library.close_request = false;
    shell.lesson.reset();
    shell.view.open.tasks = true;
    shell.view.open.task_detail = true;
    shell.view.open.code = true;
    shell.relayout = true;
  }
  if (!shell.lesson) return;
  LessonState& lesson = *shell.lesson;
  lessons::LessonPlayer& player = *lesson.player;
  if (shell.commands.next_step) player.next();
  if (shell.commands.previous_step) player.back();

  const bool new_run = player.generation() != lesson.applied_generation;
  const bool new_step = lesson.applied_step != player.step();
  if (!new_run && !new_step) return;
  const auto& l = player.lesson();
  if (new_run) {
    // Lessons are small (thousands of events): the Session gets its own copy, and the player keeps
    // its runs cached for going back.
    const std::string title = fmt::format("lesson {} · {}", l.id, player.params().to_string());
    trace::Trace copy = player.run().trace.clone();
    const std::uint32_t selected = shell.session ? shell.session->selected_task : 0;
    adopt_trace(shell, std::move(copy), title);
    shell.session->selected_task = selected;
  }
  const lessons::StepView& view = player.step_view();
  Session& session = *shell.session;
  session.playback().seek(view.cursor);
  session.sync();
  if (!view.highlight.empty()) {
    const std::uint32_t id = session.index().find_task(view.highlight);
    if (id != npos) session.selected_task = id;
  }
  // The timeline frames the step's moment (lesson_file.hpp's `frame:`), on the step's axis.
  TimelineCamera& camera = shell.view.camera;
  if (!view.axis.empty()) {
    camera.axis = view.axis == "time" ? Axis::time : Axis::sequence;
    camera.axis_chosen = true;
  } else if (!camera.axis_chosen) {
    camera.axis = session.index().run().virtual_time ? Axis::sequence : Axis::time;
  }
  const lessons::LessonPlayer::Frame frame = player.frame();
  const AxisRange range = frame_events(session.index(), camera.axis, frame.begin, frame.end, frame.at_least_ns, frame.context);
  camera.begin = range.begin;
  camera.end = range.end;
  camera.follow_cursor = true;
  if (new_run || new_step) {
    // The step's text with the figures that follow the sliders ({{latency_posts}}) filled in for
    // the parameters this run uses (lesson.md was checked when it was loaded: this cannot fail).
    const std::string& markdown = l.steps[player.step()].markdown;
    auto expanded = lessons::expand_template(markdown, player.params());
    lesson.docs[player.step()] = lessons::parse_markdown(expanded ? *expanded : markdown);
  }
  if (new_step) {
    shell.relayout = true;  // the stage follows the step: its focused window takes the large slot
    lesson.focus_now = view.focus;
    for (const auto& name : view.focus)
      if (bool* flag = window_flag(shell, name)) *flag = true;
    lesson.scroll_to_top = true;
    if (shell.keep_progress && ensure_catalog(library)) {
      library.progress.saw_lesson_step(lesson.folder, player.step(), player.step_count());
      if (auto saved = library.progress.save(); !saved) ui_report::error(saved.error());
    }
  }
  lesson.applied_generation = player.generation();
  lesson.applied_step = player.step();
}

void show_lesson_windows(Shell& shell) {
  LessonLibrary& library = shell.library;
  if (library.show_browser) {
    ensure_catalog(library);
    const ImVec2 centre = ImGui::GetMainViewport()->GetCenter();
    const ImVec2 size = ImGui::GetMainViewport()->Size;
    ImGui::SetNextWindowPos(centre, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(size.x * 0.7f, ImGui::GetFontSize() * 50), size.y * 0.8f),
                             ImGuiCond_Appearing);
    ImGui::SetNextWindowFocus();
    show_lesson_browser(library, shell.lesson ? &*shell.lesson : nullptr, &library.show_browser);
  }
  if (!shell.lesson) return;
  // Windows a step asks to see come forward once, when the step begins.
  for (const auto& name : shell.lesson->focus_now)
    if (const auto window = view_window_titled(name)) ImGui::SetWindowFocus(std::string(names_of(*window).imgui_id).c_str());
  shell.lesson->focus_now.clear();
}

void compare_with_reference(Shell& shell) {
  ExercisesState& state = shell.exercises;
  shell.view.beside = BesideRun{};
  const bool yours_open = shell.session && !state.yours.empty() && shell.trace_path == state.yours;
  if (!yours_open || !state.show_reference || !state.reference) return;
  const std::vector<std::string>& differences = differences_from_reference(state, *shell.session);
  // Two runs compare on the clock (event numbers of two runs mean nothing side by side): the first
  // frame of a pair switches to the time axis and fits the longer run, so the shorter looks shorter.
  if (state.framed_reference != state.reference.get() || state.framed_yours != shell.session.get()) {
    state.framed_reference = state.reference.get();
    state.framed_yours = shell.session.get();
    shell.view.camera.axis = Axis::time;
    shell.view.camera.axis_chosen = true;
    shell.view.camera.begin = shell.view.camera.end = 0;  // fit at the next draw
  }
  shell.view.beside = BesideRun{
      .session = state.reference.get(),
      .view = &state.reference_view,
      .this_heading = "Your run",
      .heading = "Reference run (the solution)",
      .note = differences.empty() ? std::string("it looks like yours") : differences.front(),
      .open = &state.show_reference,
  };
}

void show_exercise_windows(Shell& shell) {
  ExercisesState& state = shell.exercises;
  if (!state.show && !state.job && !state.show_reference) return;
  if (state.show) {
    const ImVec2 size = ImGui::GetMainViewport()->Size;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_FirstUseEver, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(size.x * 0.75f, size.y * 0.8f), ImGuiCond_FirstUseEver);
  }
  bool shown = state.show;
  // The main timeline holds the learner's run when "Show my run" opened it: the reference beside it.
  const bool yours_open = shell.session && !state.yours.empty() && shell.trace_path == state.yours;
  show_exercises(state, shell.library.progress, &shown, yours_open ? shell.session.get() : nullptr);
  state.show = shown;
  if (std::exchange(state.api_requested, false)) shell.api.show = true;
  if (state.open_request) {
    open_trace(shell, *state.open_request);
    state.open_request.reset();
  }
}

}  // namespace asynclab::vis
