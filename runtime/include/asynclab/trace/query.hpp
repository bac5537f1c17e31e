#pragma once
// TraceQuery — small questions asked of a recorded trace, so a test or a grader reads like the claim
// it checks: "the task was polled 4 times", "exactly one forgotten-future lint", "the timer fired at
// 100 ms". The project's tests, the lesson tests and the exercise graders all use it.
//
// Rules:
// * Read-only: a query never changes the trace and copies events out (an Event is 24 bytes).
// * `any_task` matches every task, including task 0 (the runtime itself); any other task id matches
//   only events whose `task` field is that id.
// * Times are the runtime's clock (virtual in every test): durations since the runtime started.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "asynclab/time/clock.hpp"
#include "asynclab/trace/codec.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

inline constexpr std::uint32_t any_task = 0xffffffffu;

class TraceQuery {
 public:
  explicit TraceQuery(const trace::Trace& t) : trace_(t) {}

  const trace::Trace& trace() const { return trace_; }

  template <class Pred>
  std::vector<trace::Event> events_if(Pred pred) const {
    std::vector<trace::Event> out;
    for (std::size_t i = 0; i < trace_.size(); ++i)
      if (pred(trace_[i])) out.push_back(trace_[i]);
    return out;
  }
  std::vector<trace::Event> events(trace::EventKind kind, std::uint32_t task = any_task) const {
    return events_if([&](const trace::Event& e) { return matches(e, kind, task); });
  }

  template <class Pred>
  std::size_t count_if(Pred pred) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < trace_.size(); ++i) n += pred(trace_[i]) ? 1 : 0;
    return n;
  }
  std::size_t count(trace::EventKind kind, std::uint32_t task = any_task) const {
    return count_if([&](const trace::Event& e) { return matches(e, kind, task); });
  }

  template <class Pred>
  std::optional<trace::Event> first(Pred pred) const {
    for (std::size_t i = 0; i < trace_.size(); ++i)
      if (pred(trace_[i])) return trace_[i];
    return std::nullopt;
  }
  std::optional<trace::Event> first(trace::EventKind kind, std::uint32_t task = any_task) const {
    return first([&](const trace::Event& e) { return matches(e, kind, task); });
  }

  // Lint events of one kind (for one task, or any).
  std::vector<trace::Event> lints(trace::LintKind kind, std::uint32_t task = any_task) const {
    return events_if([&](const trace::Event& e) {
      auto lint = trace::as<trace::ev::Lint>(e);
      return lint && matches(e, trace::EventKind::lint, task) && lint->lint == kind;
    });
  }
  std::size_t lint_count(trace::LintKind kind, std::uint32_t task = any_task) const {
    return lints(kind, task).size();
  }

  // Wake events of a task whose flags contain every bit of `flags` (trace::wake_flag::self, by_ref).
  std::size_t wakes(std::uint32_t task, std::uint16_t flags = 0) const {
    return count_if([&](const trace::Event& e) {
      auto wake = trace::as<trace::ev::Wake>(e);
      if (!wake || !matches(e, trace::EventKind::wake, task)) return false;
      return (wake->to_event(e.time_ns, e.worker).flags & flags) == flags;
    });
  }

  // Wake events of a task that came from one source (a timer, another task, ...).
  std::size_t wakes_from(std::uint32_t task, trace::WakeSource source) const {
    return count_if([&](const trace::Event& e) {
      auto wake = trace::as<trace::ev::Wake>(e);
      return wake && matches(e, trace::EventKind::wake, task) && wake->source == source;
    });
  }

  // The poll results (poll_end flags) of a task, in order.
  std::vector<trace::PollResult> poll_results(std::uint32_t task) const {
    std::vector<trace::PollResult> out;
    for (const auto& e : events(trace::EventKind::poll_end, task))
      out.push_back(trace::ev::PollEnd::decode(e).result);
    return out;
  }

  // How a task ended, if it did.
  std::optional<trace::Outcome> outcome(std::uint32_t task) const {
    auto e = first(trace::EventKind::task_completed, task);
    if (!e) return std::nullopt;
    return trace::ev::TaskCompleted::decode(*e).outcome;
  }

  // The id of the first task spawned with this name (0: none).
  std::uint32_t task_named(std::string_view name) const {
    auto e = first([&](const trace::Event& ev) {
      auto spawn = trace::as<trace::ev::TaskSpawned>(ev);
      return spawn && trace_.string(trace_.site(spawn->site).name) == name;
    });
    return e ? e->task : 0;
  }

  // The id of the first resource (channel, lock, notify) created with this name (0: none).
  std::uint32_t resource_named(std::string_view name) const {
    auto e = first([&](const trace::Event& ev) {
      auto created = trace::as<trace::ev::ResourceCreated>(ev);
      return created && trace_.string(created->name) == name;
    });
    return e ? trace::ev::ResourceCreated::decode(*e).resource : 0;
  }

  // Order in which tasks were first polled (task ids), e.g. to see a schedule.
  std::vector<std::uint32_t> poll_order() const {
    std::vector<std::uint32_t> out;
    for (const auto& e : events(trace::EventKind::poll_begin)) out.push_back(e.task);
    return out;
  }

  static Duration time(const trace::Event& e) { return Duration(static_cast<Duration::rep>(e.time_ns)); }
  std::optional<Duration> time_of_first(trace::EventKind kind, std::uint32_t task = any_task) const {
    auto e = first(kind, task);
    if (!e) return std::nullopt;
    return time(*e);
  }

  static bool matches(const trace::Event& e, trace::EventKind kind, std::uint32_t task) {
    return e.kind == kind && (task == any_task || e.task == task);
  }

 private:
  const trace::Trace& trace_;
};

}  // namespace asynclab::trace
