// A learner's walk through a lesson. See lesson_player.hpp.
#include "engine/lesson_player.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace asynclab::lessons {

LessonPlayer::LessonPlayer(Lesson lesson, ScenarioFn scenario, ParamValues base, std::uint64_t seed, std::size_t step)
    : lesson_(std::move(lesson)),
      scenario_(scenario),
      start_(base.specs().empty() ? ParamValues(lesson_.params) : std::move(base)),
      base_(start_),
      seed_(seed) {
  step_ = std::min(step, lesson_.steps.empty() ? 0 : lesson_.steps.size() - 1);
  live_ = lesson_.values_at(step_, base_);
  use_run_for(live_);
}

std::shared_ptr<const LessonRun> LessonPlayer::run_for(const ParamValues& params) {
  const std::string key = fmt::format("{}|{}", seed_, params.to_string());
  auto it = runs_.find(key);
  if (it == runs_.end()) {
    auto run = std::make_shared<LessonRun>(run_lesson(lesson_, scenario_, params, seed_, base_));
    it = runs_.emplace(key, std::move(run)).first;
  }
  return it->second;
}

bool LessonPlayer::use_run_for(const ParamValues& params) {
  std::shared_ptr<const LessonRun> run = run_for(params);
  if (run == current_) return false;
  current_ = std::move(run);
  ++generation_;
  return true;
}

LessonPlayer::Frame LessonPlayer::frame() {
  const StepFrame& own = step_view().frame;
  Frame f{own.begin, own.end, 0, own.context};
  if (!own.with_previous || step_ == 0) return f;
  const std::shared_ptr<const LessonRun> previous = run_for(lesson_.values_at(step_ - 1, base_));
  if (step_ - 1 >= previous->steps.size() || previous->trace.empty()) return f;
  const StepFrame& before = previous->steps[step_ - 1].frame;
  const std::size_t last = std::min(before.end, previous->trace.size());
  if (last > 0) f.at_least_ns = previous->trace[last - 1].time_ns;
  return f;
}

bool LessonPlayer::go_to(std::size_t k) {
  if (lesson_.steps.empty()) return false;
  step_ = std::min(k, lesson_.steps.size() - 1);
  live_ = lesson_.values_at(step_, base_);
  return use_run_for(live_);
}

std::expected<bool, std::string> LessonPlayer::set_param(std::string_view name, const ParamValues::Value& value) {
  ParamValues next = live_;
  if (auto ok = next.set_value(name, value); !ok) return std::unexpected(ok.error());
  (void)base_.set_value(name, value);
  live_ = std::move(next);
  return use_run_for(live_);
}

bool LessonPlayer::reset_params() {
  base_ = start_;
  live_ = lesson_.values_at(step_, base_);
  return use_run_for(live_);
}

bool LessonPlayer::set_seed(std::uint64_t seed) {
  seed_ = seed;
  return use_run_for(live_);
}

}  // namespace asynclab::lessons
