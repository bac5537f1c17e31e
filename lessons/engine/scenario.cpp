// ScenarioRun's printing and measuring. See scenario.hpp.
#include "engine/scenario.hpp"

namespace asynclab::lessons {

thread_local ScenarioRun* ScenarioRun::active_ = nullptr;

void ScenarioRun::say(std::string text) {
  SaidLine line;
  line.event = recorder_.trace().size();
  // Inside the runtime the virtual clock is the scenario's; before or after it, the run's end.
  line.at_ns = detail::Scheduler::current() != nullptr
                   ? static_cast<std::uint64_t>(asynclab::now().time_since_epoch().count())
                   : end_ns_;
  line.text = std::move(text);
  said_.push_back(std::move(line));
}

void ScenarioRun::say_current(std::string text) {
  if (active_ == nullptr) throw std::logic_error("say() outside a lesson scenario's run");
  active_->say(std::move(text));
}

void ScenarioRun::measure(std::string label, double value, std::string unit) {
  measurements_.push_back({std::move(label), value, std::move(unit)});
}

}  // namespace asynclab::lessons
