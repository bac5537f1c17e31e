#pragma once
// LessonPlayer: a learner's walk through one lesson — which step they are on, the parameters the
// sliders show, and the run those parameters recorded. The GUI's lesson pane drives it; it has no
// ImGui in it, so it is tested headless.
//
// Rules:
// * `base` holds the --param values and every slider the learner moved. Entering step k sets the
//   live parameters to Lesson::values_at(k, base): the step's own `set:` directives win over the
//   sliders for the parameters they name (the step's text talks about that setting); every other
//   slider keeps the learner's value.
// * Any change of the live parameters re-runs the scenario at once (virtual time: milliseconds) and
//   bumps generation(), so a viewer knows to take the new trace. Runs are cached per parameter set:
//   going back and forth between steps does not re-run.
// * step_view() is where the playback should stand for the current step in the current run.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/lesson_file.hpp"
#include "engine/lesson_run.hpp"

namespace asynclab::lessons {

class LessonPlayer {
 public:
  LessonPlayer(Lesson lesson, ScenarioFn scenario, ParamValues base, std::uint64_t seed = 1, std::size_t step = 0);

  const Lesson& lesson() const { return lesson_; }
  std::size_t step() const { return step_; }
  std::size_t step_count() const { return lesson_.steps.size(); }
  bool at_last_step() const { return step_ + 1 >= lesson_.steps.size(); }
  const ParamValues& params() const { return live_; }
  std::uint64_t seed() const { return seed_; }

  // Moves to step k (clamped to the lesson); returns whether the run changed.
  bool go_to(std::size_t k);
  bool next() { return go_to(step_ + 1); }
  bool back() { return go_to(step_ == 0 ? 0 : step_ - 1); }
  // A slider moved: sets the live value (and remembers it in base), re-runs. The error says why a
  // value was refused (out of range, unknown name); nothing changes then.
  std::expected<bool, std::string> set_param(std::string_view name, const ParamValues::Value& value);
  // Back to the lesson's defaults (and the --param values given at start).
  bool reset_params();
  bool set_seed(std::uint64_t seed);

  const LessonRun& run() const { return *current_; }
  // What the timeline frames for the current step in run(): events [begin, end), and, on the time
  // axis, at least up to `at_least_ns` — the end of the previous step's frame for `frame: previous`
  // (that step may have its own run: it is run, or taken from the cache, to know).
  struct Frame {
    std::size_t begin = 0, end = 0;
    std::uint64_t at_least_ns = 0;
    std::size_t context = 0;  // StepFrame::context
  };
  Frame frame();
  const StepView& step_view() const { return current_->steps.at(step_); }
  // Bumped whenever run() is a different run than before.
  std::uint64_t generation() const { return generation_; }
  // Whether the live parameters differ from what the step's text assumes (the learner moved a slider).
  bool params_changed_by_learner() const { return live_ != lesson_.values_at(step_, start_); }

 private:
  bool use_run_for(const ParamValues& params);
  std::shared_ptr<const LessonRun> run_for(const ParamValues& params);

  Lesson lesson_;
  ScenarioFn scenario_;
  ParamValues start_;  // the values given at start: defaults and --param
  ParamValues base_;   // start_ plus the learner's slider moves
  ParamValues live_;
  std::uint64_t seed_;
  std::size_t step_ = 0;
  std::map<std::string, std::shared_ptr<const LessonRun>> runs_;  // by seed and ParamValues::to_string()
  std::shared_ptr<const LessonRun> current_;
  std::uint64_t generation_ = 0;
};

}  // namespace asynclab::lessons
