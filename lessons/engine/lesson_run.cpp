// Running a lesson's scenario and resolving its steps. See lesson_run.hpp.
#include "engine/lesson_run.hpp"

#include <exception>

#include <fmt/format.h>

namespace asynclab::lessons {

LessonRun run_lesson(const Lesson& lesson, ScenarioFn scenario, const ParamValues& params, std::uint64_t seed,
                     const ParamValues& overrides) {
  LessonRun run;
  run.params = params;
  run.seed = seed;
  if (scenario == nullptr) {
    run.error = fmt::format("lesson {} has no scenario compiled in", lesson.folder);
  } else {
    ScenarioRun scenario_run(run.params, seed);
    try {
      scenario(scenario_run);
      if (!scenario_run.ran()) run.error = fmt::format("lesson {}: the scenario never ran its runtime", lesson.folder);
    } catch (const std::exception& e) {
      run.error = fmt::format("lesson {}: the scenario threw: {}", lesson.folder, e.what());
    } catch (...) {
      run.error = fmt::format("lesson {}: the scenario threw something that is not a std::exception", lesson.folder);
    }
    run.trace = scenario_run.take_trace();
    run.stuck = scenario_run.stuck();
    run.end_ns = scenario_run.end_ns();
    run.said = std::move(scenario_run.said());
    run.measurements = std::move(scenario_run.measurements());
  }
  resolve_steps(lesson, run, overrides);
  return run;
}

LessonRun run_lesson_step(const Lesson& lesson, ScenarioFn scenario, std::size_t step, std::uint64_t seed,
                          const ParamValues& overrides) {
  return run_lesson(lesson, scenario, lesson.values_at(step, overrides), seed, overrides);
}

void resolve_steps(const Lesson& lesson, LessonRun& run, const ParamValues& overrides) {
  trace::FilterContext context(run.trace);
  run.steps.clear();
  run.unmatched.clear();
  std::size_t cursor = 0;
  std::string axis;  // an axis directive holds until another changes it
  std::size_t previous_frame_begin = 0;
  for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
    const auto& step = lesson.steps[k];
    StepView view;
    bool fresh_run = false;
    for (const auto& d : step.directives) fresh_run |= d.kind == DirectiveKind::set;
    if (fresh_run) cursor = 0;
    const std::size_t step_start = cursor;
    std::string frame = "step";
    const bool this_run = lesson.values_at(k, overrides) == run.params;
    for (const auto& d : step.directives) {
      switch (d.kind) {
        case DirectiveKind::run_until:
          if (auto hit = trace::find_next(context, *d.filter, cursor)) {
            view.hit = *hit;
            cursor = *hit + 1;
          } else if (this_run) {
            run.unmatched.push_back({k, d.line, d.text});
          }
          break;
        case DirectiveKind::highlight: view.highlight = d.name; break;
        case DirectiveKind::focus: view.focus.push_back(d.name); break;
        case DirectiveKind::axis: axis = d.name; break;
        case DirectiveKind::frame: frame = d.name; break;
        case DirectiveKind::set:
        case DirectiveKind::expect: break;  // expect: checked by the tests (engine/step_claims.hpp)
      }
    }
    if (k + 1 == lesson.steps.size() && step.run_until() == nullptr) cursor = run.trace.size();
    view.cursor = cursor;
    view.frame = StepFrame{frame == "step" ? step_start : 0, frame == "run" ? run.trace.size() : cursor,
                           frame == "previous"};
    if (view.frame.end <= view.frame.begin) view.frame = StepFrame{0, run.trace.size(), view.frame.with_previous};
    view.frame.context = fresh_run ? 0 : std::min(previous_frame_begin, view.frame.begin);
    previous_frame_begin = view.frame.begin;
    view.axis = axis;
    run.steps.push_back(std::move(view));
  }
}

}  // namespace asynclab::lessons
