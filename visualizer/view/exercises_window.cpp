// The "Exercises" window: the exercises with done marks, the selected one's README, "Check" (the
// grader builds and runs in the background; the window says what it is doing and stays responsive),
// the verdict with the grader's message, hints one at a time, and "Show my run" — the learner's
// trace in the timeline and the reference solution's run in a window beside it.
//
// Index of this file:
// [SECTION] The background job
// [SECTION] The window
#include <algorithm>
#include <fstream>
#include <sstream>

#include <utility>

#include <fmt/format.h>
#include <imgui.h>

#include "view/fonts.hpp"
#include "view/ui_report.hpp"
#include "view/exercises_window.hpp"

#include "model/compare_runs.hpp"
#include "view/markdown_view.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

//-----------------------------------------------------------------------------
// [SECTION] The background job
//-----------------------------------------------------------------------------

GradingJob::GradingJob(const grading::Exercise& exercise, Kind kind, grading::GradeRequest request)
    : kind_(kind), folder_(exercise.folder) {
  request.reference = kind == Kind::reference;
  request.on_progress = [this](std::string_view what) {
    std::lock_guard lock(mutex_);
    progress_ = std::string(what);
  };
  worker_ = std::thread([this, exercise, request] {
    result_ = grading::grade_exercise(exercise, request);
    finished_.store(true, std::memory_order_release);
  });
}

GradingJob::~GradingJob() {
  if (worker_.joinable()) worker_.join();
}

std::string GradingJob::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

grading::GradedExercise GradingJob::take() {
  if (worker_.joinable()) worker_.join();
  return std::move(result_);
}

//-----------------------------------------------------------------------------
// [SECTION] The window
//-----------------------------------------------------------------------------

namespace {

grading::GradeRequest request_for(const lessons::Progress&) {
  grading::GradeRequest request;
  request.trace_dir = lessons::default_progress_path().parent_path() / "traces";
  return request;
}

void show_verdict(const grading::GradedExercise& g) {
  const bool passed = g.outcome.verdict == grading::Verdict::passed;
  text_coloured(passed ? palette::done_mark : palette::error_text,
                fmt::format("{} {} — {}", passed ? "✓" : "✗", g.exercise.id, grading::verdict_words(g.outcome.verdict)));
  // Each check's name wraps: it says what was checked, and on a projector a cut one hides that.
  ImGui::Indent();
  for (const auto& t : g.outcome.tests) {
    text_wrapped_coloured(t.passed ? palette::done_mark : palette::error_text,
                          fmt::format("{} [{}] {}", t.passed ? "✓" : "✗", t.task_id(), t.name));
  }
  ImGui::Unindent();
  if (!passed && !g.outcome.summary.empty()) {
    ImGui::PushFont(mono_font());
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(g.outcome.summary.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ui_report::text(g.outcome.summary);
  }
  for (const auto& note : g.notes) text_wrapped_coloured(palette::accent_text, "Also: " + note);
}

void load_catalog(ExercisesState& state) {
  if (state.catalog || !state.catalog_error.empty()) return;
  auto loaded = grading::ExerciseCatalog::load();
  if (loaded) state.catalog = std::move(*loaded);
  else state.catalog_error = loaded.error();
}

// "Show my run": the learner's last run into the main timeline, and the reference solution run in
// the background to draw under it.
void show_my_run(ExercisesState& state, const lessons::Progress& progress, const grading::Exercise& e) {
  state.open_request = *state.last->trace;
  state.yours = *state.last->trace;
  state.job = std::make_unique<GradingJob>(e, GradingJob::Kind::reference, request_for(progress));
}

}  // namespace

bool start_check(ExercisesState& state, const lessons::Progress& progress, std::string_view exercise) {
  load_catalog(state);
  if (!state.catalog || state.job) return false;
  const auto* e = state.catalog->find(exercise);
  if (e == nullptr) return false;
  state.selected = static_cast<std::size_t>(e - state.catalog->exercises().data());
  state.last.reset();
  state.job = std::make_unique<GradingJob>(*e, GradingJob::Kind::check, request_for(progress));
  return true;
}

const std::vector<std::string>& differences_from_reference(ExercisesState& state, const Session& yours) {
  if (!state.reference) {
    state.differences.clear();
    return state.differences;
  }
  if (state.compared_yours != &yours || state.compared_reference != state.reference.get()) {
    state.differences = run_differences(yours.index(), state.reference->index());
    state.compared_yours = &yours;
    state.compared_reference = state.reference.get();
  }
  return state.differences;
}

void show_exercises(ExercisesState& state, lessons::Progress& progress, bool* open, const Session* yours) {
  load_catalog(state);
  // A finished background job hands over its result, whichever exercise is shown now.
  if (state.job && state.job->finished()) {
    const auto kind = state.job->kind();
    auto result = state.job->take();
    state.job.reset();
    if (kind == GradingJob::Kind::check) {
      progress.record_grade(result.exercise.folder, result.outcome.verdict == grading::Verdict::passed,
                            grading::verdict_words(result.outcome.verdict));
      if (auto saved = progress.save(); !saved) ui_report::error(saved.error());
      state.last = std::move(result);
      // `gui --show-my-run`: the button, pressed once for the learner.
      if (std::exchange(state.show_run_after_check, false) && state.last->trace && state.catalog) {
        if (const auto* e = state.catalog->find(state.last->exercise.folder)) show_my_run(state, progress, *e);
      }
    } else if (result.trace) {
      auto opened = Session::open(*result.trace);
      if (opened) {
        state.reference = std::move(*opened);
        state.reference->playback().jump_end();
        state.reference->sync();  // drawn at its end: nothing of it dimmed as "not yet"
        state.reference_view = ViewState{};
        state.show_reference = true;
      } else {
        ui_report::error(opened.error());
      }
    } else {
      ui_report::error(fmt::format("the reference run of {} saved no trace: {}", result.exercise.folder,
                                   result.outcome.summary));
    }
  }

  const bool drawing = *open;  // the close button clears *open during the frame; End still follows Begin
  if (drawing && begin_window("Exercises", open)) {
    if (!state.catalog) {
      text_coloured(palette::error_text, state.catalog_error);
      end_window();
      return;
    }
    const auto& all = state.catalog->exercises();
    if (state.selected >= all.size()) state.selected = 0;
    // Left: the list.
    // As wide as the longest title, within 16 to 24 em and a third of the window: the titles say
    // what each exercise asks, and a cut one hides it.
    float widest = 0;
    for (const auto& e : all)
      widest = std::max(widest, ImGui::CalcTextSize(fmt::format("✓ {}  {}", e.id, e.title).c_str()).x);
    const float em = ImGui::GetFontSize();
    const float list_width = std::clamp(widest + 2 * ImGui::GetStyle().WindowPadding.x + em, 16 * em,
                                        std::max(16 * em, std::min(24 * em, ImGui::GetContentRegionAvail().x / 3)));
    ImGui::BeginChild("list", ImVec2(list_width, 0), true);
    std::size_t done = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const bool d = progress.exercise_done(all[i].folder);
      done += d ? 1 : 0;
      const std::string label = fmt::format("{} {}  {}", d ? "✓" : "  ", all[i].id, all[i].title);
      const float text_left = ImGui::GetCursorScreenPos().x;  // where the Selectable draws its text
      if (ImGui::Selectable(label.c_str(), state.selected == i)) {
        state.selected = i;
        state.last.reset();
      }
      ui_report::text(label);
      // A title wider than the list (in presentation mode, say) is cut at the list's clip rectangle:
      // whole on hover, and whole above the exercise's text on the right once selected.
      const float text_right = text_left + ImGui::CalcTextSize(label.c_str()).x;
      report_if_cut(label, ImVec2(text_left, ImGui::GetItemRectMin().y),
                    ImVec2(text_right, ImGui::GetItemRectMax().y));
      if (ImGui::IsItemHovered() && text_right > ImGui::GetWindowDrawList()->GetClipRectMax().x)
        ImGui::SetTooltip("%s", label.c_str());
      ui_report::item();
    }
    text_muted(fmt::format("{} of {} done", done, all.size()));
    // What happened to a broken progress file, at load or at a save here (it was kept aside).
    if (!progress.warning().empty()) text_wrapped_coloured(palette::error_text, progress.warning());
    ImGui::EndChild();
    ImGui::SameLine();

    // Right: the selected exercise.
    const grading::Exercise& e = all[state.selected];
    if (state.readme_of != e.folder) {
      std::ifstream in(e.readme(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      state.readme = lessons::parse_markdown(text.str());
      state.readme_of = e.folder;
    }
    ImGui::BeginChild("exercise", ImVec2(0, 0), false);
    const bool busy = state.job != nullptr;
    ImGui::BeginDisabled(busy);
    if (button("Check")) state.job = std::make_unique<GradingJob>(e, GradingJob::Kind::check, request_for(progress));
    ImGui::SameLine();
    const auto hints = e.hints();
    const std::size_t shown = progress.hints_shown(e.folder);
    ImGui::BeginDisabled(shown >= hints.size());
    if (button(shown == 0 ? "Hint" : "Next hint")) {
      progress.set_hints_shown(e.folder, shown + 1);
      if (auto saved = progress.save(); !saved) ui_report::error(saved.error());
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    const bool has_run = state.last && state.last->trace && state.last->exercise.folder == e.folder;
    ImGui::BeginDisabled(!has_run);
    if (button("Show my run")) show_my_run(state, progress, e);
    ImGui::EndDisabled();
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (button("API…")) state.api_requested = true;
    // Your run beside the reference: what differs first, and what else (model/compare_runs.hpp).
    if (yours != nullptr && state.show_reference && state.reference) {
      differences_from_reference(state, *yours);
      if (state.differences.empty()) {
        text_wrapped_coloured(palette::muted_text, "Your run and the reference's look alike: same ending, same "
                                                   "requests in flight, same tasks, about as long.");
      } else {
        text_wrapped_coloured(palette::accent_text, "Beside the reference run: " + state.differences.front() + ".");
        for (std::size_t i = 1; i < state.differences.size(); ++i)
          text_wrapped_coloured(palette::muted_text, "Also: " + state.differences[i] + ".");
      }
    }
    if (busy) {
      ImGui::SameLine();
      // A spinner made of the frame time: the window is alive while the grader works.
      static constexpr const char* spin[] = {"◐", "◓", "◑", "◒"};
      text_coloured(palette::accent_text,
                    fmt::format("{} {} {}…", spin[static_cast<int>(ImGui::GetTime() * 8) % 4],
                                state.job->kind() == GradingJob::Kind::check ? "checking" : "running the reference",
                                state.job->progress()));
    }
    ImGui::Separator();
    if (state.last && state.last->exercise.folder == e.folder) {
      show_verdict(*state.last);
      ImGui::Separator();
    }
    for (std::size_t i = 0; i < std::min(progress.hints_shown(e.folder), hints.size()); ++i) {
      section_heading(fmt::format("Hint {} of {}", i + 1, hints.size()));
      show_markdown(lessons::parse_markdown(hints[i]));
    }
    show_markdown(state.readme);
    text_muted(fmt::format("Edit {} in your editor, then press Check.", e.exercise_file().string()));
    ImGui::EndChild();
  }
  if (drawing) end_window();

  // When the main timeline holds the learner's run, the reference run is drawn under it, in the same
  // window (the shell sets ViewState::beside); else it has a window of its own.
  if (state.show_reference && state.reference && yours == nullptr)
    show_timeline(*state.reference, state.reference_view, &state.show_reference, "Reference run (the solution)");
}

}  // namespace asynclab::vis
