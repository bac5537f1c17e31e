#pragma once
// LessonRun: a lesson's scenario run once (given parameters and seed), with each step's directives
// resolved against the trace it recorded. The GUI, `asynclab run` and the tests all go through it.
//
// Rules:
// * run_lesson never throws: an exception from the scenario becomes `error` (with the lesson's name);
//   a stuck run is not an error (the deadlock lesson means it) and is kept in `stuck`.
// * Step k's cursor is where the playback stands for that step: a run-until directive moves it just
//   past the first matching event at or after step k-1's cursor; a step without one keeps the
//   previous cursor (step 0 starts at 0). The last step shows the whole run when it has none.
// * A step with a `set:` directive starts a new run (its parameters differ), so its run-until searches
//   from the start of the trace again.
// * Step k's frame (the `frame:` directive, lesson_file.hpp) is resolved against the same cursors:
//   `step` is [step k-1's cursor, step k's cursor) — or the whole run when that is empty (the step
//   moved nothing); `since-start` is [0, cursor); `run` is [0, size).
// * A run-until that matches nothing, in a step whose parameters are the run's, is a broken lesson:
//   it is listed in `unmatched` with its line, and the cursor stays. (When a learner has moved the
//   sliders, no step's parameters may be the run's; then nothing is reported.)
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/stuck.hpp"
#include "asynclab/trace/trace.hpp"
#include "engine/lesson_file.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

// What the timeline frames when a step begins: events [begin, end) of the step's run (the viewer adds
// a margin). With `with_previous`, the previous step's frame counts too (LessonPlayer::frame() joins
// the two on the time axis, since they may come from different runs).
struct StepFrame {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool with_previous = false;
  // Where the previous step's frame began in this run: when the step's own events all share one
  // virtual instant, the time axis frames them from there (the story so far) instead of a point.
  std::size_t context = 0;
};

struct StepView {
  std::size_t cursor = 0;          // events [0, cursor) have happened
  StepFrame frame;
  std::optional<std::size_t> hit;  // the event the run-until matched
  std::string highlight;           // task name to stand out ("" none)
  std::vector<std::string> focus;  // windows to bring forward
  std::string axis;                // "steps", "time" or "" (the viewer's choice): the latest axis directive
};

struct UnmatchedDirective {
  std::size_t step = 0;
  std::size_t line = 0;
  std::string text;
};

struct LessonRun {
  ParamValues params;
  std::uint64_t seed = 0;
  trace::Trace trace;
  std::optional<StuckReport> stuck;
  std::uint64_t end_ns = 0;
  std::vector<SaidLine> said;
  std::vector<Measurement> measurements;
  std::vector<StepView> steps;  // one per lesson step
  std::vector<UnmatchedDirective> unmatched;
  std::string error;  // the scenario threw or is missing: the trace may be partial

  bool ok() const { return error.empty() && unmatched.empty(); }
};

// Runs `scenario` with `params` and resolves every step of `lesson` (`overrides` are the --param or
// slider values the steps' parameters were computed from: Lesson::values_at(step, overrides)).
LessonRun run_lesson(const Lesson& lesson, ScenarioFn scenario, const ParamValues& params, std::uint64_t seed,
                     const ParamValues& overrides);
// The run for `step`: with Lesson::values_at(step, overrides).
LessonRun run_lesson_step(const Lesson& lesson, ScenarioFn scenario, std::size_t step, std::uint64_t seed,
                          const ParamValues& overrides);

// Resolves the steps' directives against an existing run's trace (run_lesson calls it).
void resolve_steps(const Lesson& lesson, LessonRun& run, const ParamValues& overrides);

}  // namespace asynclab::lessons
