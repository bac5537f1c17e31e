// See describe.hpp.
#include "model/describe.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace asynclab::vis {

using trace::EventKind;

std::string format_duration(std::uint64_t ns) {
  if (ns == 0) return "0 ns";
  if (ns < 1'000) return fmt::format("{} ns", ns);
  if (ns < 1'000'000) return fmt::format("{:.1f} µs", static_cast<double>(ns) / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

std::string format_duration_short(std::uint64_t ns) {
  struct Unit {
    std::uint64_t size;
    const char* name;
  };
  static constexpr Unit units[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "µs"}};
  if (ns == 0) return "0 ms";
  for (const Unit& u : units) {
    if (ns < u.size) continue;
    std::string v = fmt::format("{:.3f}", static_cast<double>(ns) / static_cast<double>(u.size));
    while (v.back() == '0') v.pop_back();
    if (v.back() == '.') v.pop_back();
    return v + " " + u.name;
  }
  return fmt::format("{} ns", ns);
}

std::string describe_resource(const TraceIndex& index, std::uint32_t id) {
  const ResourceInfo* r = index.resource(id);
  if (!r) return fmt::format("resource {}", id);
  const std::string_view kind = trace::resource_kind_name(r->kind);
  if (r->name.empty()) return fmt::format("{} #{}", kind, id);
  return fmt::format("{} \"{}\"", kind, r->name);
}

namespace {

const char* poll_result_word(std::uint16_t flags) {
  switch (static_cast<trace::PollResult>(flags)) {
    case trace::PollResult::pending: return "Pending";
    case trace::PollResult::ready: return "Ready";
    case trace::PollResult::panicked: return "panicked";
  }
  return "?";
}

std::string where(const TraceIndex& index, std::uint32_t location) {
  if (location == 0) return {};
  return " at " + index.trace().describe_location(location);
}

}  // namespace

std::string describe_lint(const TraceIndex& index, const LintRecord& lint) {
  const std::string task = index.task_label(lint.task);
  switch (lint.kind) {
    case trace::LintKind::forgotten_future:
      return fmt::format("forgotten future{}: created and dropped without ever being polled — futures are lazy, "
                         "did you forget co_await?",
                         where(index, lint.location));
    case trace::LintKind::lost_waker:
      return fmt::format("lost waker: {} returned Pending{} but nothing holds its waker, so nothing will ever wake it",
                         task, where(index, lint.location));
    case trace::LintKind::self_wake:
      return fmt::format("self-wake: {}% of {}'s wakes came from itself — it is spinning instead of waiting",
                         lint.detail, task);
    case trace::LintKind::long_poll:
      return fmt::format("long poll: one poll of {} held the worker for {}{} — every other task waited",
                         task, format_duration(std::uint64_t{lint.detail} * 1000), where(index, lint.location));
  }
  return fmt::format("lint {} on {}", static_cast<int>(lint.kind), task);
}

std::string describe_event(const TraceIndex& index, const trace::Event& e) {
  const std::string task = index.task_label(e.task);
  switch (e.kind) {
    case EventKind::runtime_started:
      return fmt::format("runtime started ({} time, seed {})", (e.flags & 1) ? "virtual" : "real",
                         (std::uint64_t{e.b} << 32) | e.a);
    case EventKind::task_spawned:
      return e.a ? fmt::format("spawn  {} (by {})", task, index.task_label(e.a)) : fmt::format("spawn  {}", task);
    case EventKind::poll_begin: return fmt::format("poll  {}", task);
    case EventKind::poll_end:
      return fmt::format("poll end  {} → {}{}", task, poll_result_word(e.flags), where(index, e.b));
    case EventKind::waker_cloned: return fmt::format("waker of {} cloned by {}", task, index.task_label(e.a));
    case EventKind::waker_dropped: return fmt::format("waker of {} dropped by {}", task, index.task_label(e.a));
    case EventKind::wake: {
      const auto source = static_cast<trace::WakeSource>(e.flags & trace::wake_flag::source_mask);
      if (source == trace::WakeSource::budget) return fmt::format("wake  {} ← itself: budget spent, made to yield", task);
      if (e.flags & trace::wake_flag::self) return fmt::format("wake  {} ← itself", task);
      if (source == trace::WakeSource::task) return fmt::format("wake  {} ← {}", task, index.task_label(e.a));
      return fmt::format("wake  {} ← {}", task, trace::wake_source_name(source));
    }
    case EventKind::task_completed:
      return fmt::format("{} {}", task,
                         static_cast<trace::Outcome>(e.flags) == trace::Outcome::ok
                             ? std::string("completed")
                             : std::string(trace::outcome_name(static_cast<trace::Outcome>(e.flags))));
    case EventKind::future_created: return fmt::format("{}: future #{} created", task, e.a);
    case EventKind::future_polled:
      return fmt::format("{}: future #{} polled → {}", task, e.a, e.flags ? "Ready" : "Pending");
    case EventKind::future_dropped:
      switch (static_cast<trace::FutureEnd>(e.flags)) {
        case trace::FutureEnd::completed: return fmt::format("{}: future #{} dropped", task, e.a);
        case trace::FutureEnd::cancelled: return fmt::format("{}: future #{} dropped mid-flight (cancelled)", task, e.a);
        case trace::FutureEnd::disabled_by_precondition:
          return fmt::format("{}: future #{} disabled: its precondition was false, so it is never polled", task, e.a);
        case trace::FutureEnd::disabled_by_pattern:
          return fmt::format("{}: future #{} disabled: it answered Ready, but its pattern refused the output", task,
                             e.a);
        case trace::FutureEnd::released:
          return fmt::format("{}: future #{} released: the borrow ended, the borrowed future lives on", task, e.a);
      }
      return fmt::format("{}: future #{} dropped", task, e.a);
    case EventKind::timer_armed:
      return fmt::format("timer {} armed by {} for {}", e.a, task, format_duration(std::uint64_t{e.b} * 1000));
    case EventKind::timer_fired: return fmt::format("timer {} of {} fired", e.a, task);
    case EventKind::timer_cancelled: return fmt::format("timer {} of {} cancelled", e.a, task);
    case EventKind::clock_advanced:
      return fmt::format("clock advanced to {}", format_duration(e.time_ns));
    case EventKind::lint: {
      LintRecord l{0, e.time_ns, e.task, static_cast<trace::LintKind>(e.flags), e.a, e.b};
      return describe_lint(index, l);
    }
    case EventKind::mark: return fmt::format("mark \"{}\"", index.trace().string(e.b));
    case EventKind::runtime_stopped:
      switch (static_cast<trace::StopReason>(e.flags)) {
        case trace::StopReason::finished: return "runtime stopped: finished";
        case trace::StopReason::stuck: return "runtime stopped: every task is stuck (deadlock)";
        case trace::StopReason::shutdown: return "runtime stopped: shut down with tasks alive";
      }
      return "runtime stopped";
    case EventKind::resource_created: return fmt::format("{} created by {}", describe_resource(index, e.a), task);
    case EventKind::resource_limits:
      return e.b ? fmt::format("{}: limit {}", describe_resource(index, e.a), e.b)
                 : fmt::format("{}: unbounded", describe_resource(index, e.a));
    case EventKind::resource_dropped: return fmt::format("{} dropped", describe_resource(index, e.a));
    case EventKind::channel_send: {
      static constexpr const char* results[] = {"sent", "full — must wait", "closed"};
      return fmt::format("{} → {}: {} ({} buffered)", task, describe_resource(index, e.a),
                         e.flags < 3 ? results[e.flags] : "?", e.b);
    }
    case EventKind::channel_recv: {
      switch (static_cast<trace::RecvResult>(e.flags)) {
        case trace::RecvResult::received:
          return fmt::format("{} ← {}: received ({} buffered)", task, describe_resource(index, e.a), e.b);
        case trace::RecvResult::empty: return fmt::format("{} ← {}: empty — must wait", task, describe_resource(index, e.a));
        case trace::RecvResult::closed: return fmt::format("{} ← {}: closed", task, describe_resource(index, e.a));
        case trace::RecvResult::lagged:
          return fmt::format("{} ← {}: lagged, {} values skipped", task, describe_resource(index, e.a), e.b);
      }
      return fmt::format("{} ← {}", task, describe_resource(index, e.a));
    }
    case EventKind::channel_closed: return fmt::format("{} closed", describe_resource(index, e.a));
    case EventKind::lock_waiting:
      return fmt::format("{} waits for {} ({} waiting)", task, describe_resource(index, e.a), e.b);
    case EventKind::lock_acquired: return fmt::format("{} acquired {}", task, describe_resource(index, e.a));
    case EventKind::lock_released: return fmt::format("{} released {}", task, describe_resource(index, e.a));
    case EventKind::notified:
      return fmt::format("{} notified {} ({} woken)", task, describe_resource(index, e.a), e.b);
    case EventKind::blocking_begin:
      return e.a ? fmt::format("blocking job of {} starts on lane {}", task, e.a)
                 : fmt::format("{} blocks the worker", task);
    case EventKind::blocking_end:
      return e.a ? fmt::format("blocking job of {} ends on lane {}", task, e.a)
                 : fmt::format("{} stops blocking the worker", task);
    case EventKind::request_begin: return fmt::format("{} requests {}", task, index.trace().string(e.b));
    case EventKind::request_end:
      return e.b ? fmt::format("{}: response {}", task, e.b) : fmt::format("{}: request failed", task);
    case EventKind::stuck_wait:
      if (e.a == 0 && (e.flags & 2) && e.b)
        return fmt::format("stuck: {} awaits the JoinHandle of {}", task, index.task_label(e.b));
      if (e.a == 0) return fmt::format("stuck: {} waits on nothing that can wake it", task);
      return fmt::format("stuck: {} waits on {}{}{}", task, describe_resource(index, e.a),
                         e.b ? " held by " + index.task_label(e.b) : std::string(), (e.flags & 1) ? " (a cycle)" : "");
    case EventKind::pin:
      switch (static_cast<trace::PinAction>(e.flags)) {
        case trace::PinAction::placed: return fmt::format("pinned future #{} made at home {}", e.a, e.b);
        case trace::PinAction::moved: return fmt::format("pinned future #{} moved to home {} (before its first poll: fine)", e.a, e.b);
        case trace::PinAction::pinned: return fmt::format("pinned future #{} polled at home {}: pinned there for good", e.a, e.b);
        case trace::PinAction::moved_after_pin:
          return fmt::format("pinned future #{} MOVED to home {} after being pinned: its self-references dangle", e.a, e.b);
        case trace::PinAction::dropped: return fmt::format("pinned future #{} dropped", e.a);
        case trace::PinAction::self_ref:
          return e.b ? fmt::format("pinned future #{}: its self-reference points into home {}", e.a, e.b)
                     : fmt::format("pinned future #{}: its self-reference points nowhere", e.a);
      }
      return fmt::format("pinned future #{}", e.a);
    case EventKind::task_stolen:
      return fmt::format("worker {} steals {} from worker {}'s queue", e.b, task, e.a);
    case EventKind::channel_value:
      return fmt::format("{} sent {} on {}", task, index.trace().value_label(e), describe_resource(index, e.a));
    case EventKind::kind_count_: break;
  }
  return std::string(trace::kind_name(e.kind));
}

std::string describe_steals(const TraceIndex& index, std::uint32_t first_event, std::uint32_t count) {
  const std::vector<StealRecord>& steals = index.steals();
  auto it = std::lower_bound(steals.begin(), steals.end(), first_event,
                             [](const StealRecord& r, std::uint32_t e) { return r.event < e; });
  if (it == steals.end() || it->event != first_event) return "a steal";
  const std::uint32_t thief = it->to_worker;
  // The thief's steals from here on, skipping other thieves' in between; at most a few named.
  constexpr std::size_t named = 5;
  std::vector<std::uint32_t> victims;
  std::string tasks;
  std::uint32_t seen = 0;
  for (; it != steals.end() && seen < std::max<std::uint32_t>(count, 1); ++it) {
    if (it->to_worker != thief) continue;
    if (std::find(victims.begin(), victims.end(), it->from_worker) == victims.end()) victims.push_back(it->from_worker);
    if (seen < named) tasks += (seen ? ", " : "") + index.task_label(it->task);
    else if (seen == named) tasks += ", …";
    ++seen;
  }
  std::string from;
  for (std::size_t i = 0; i < victims.size(); ++i)
    from += fmt::format("{}worker {}", i == 0 ? "" : i + 1 == victims.size() ? " and " : ", ", victims[i]);
  if (seen == 1) return fmt::format("{} stolen by worker {} from {}", tasks, thief, from);
  return fmt::format("{} tasks stolen by worker {} from {}: {}", seen, thief, from, tasks);
}

std::string describe_stuck(const TraceIndex& index, const StuckRecord& st) {
  if (st.joins && st.holder)
    return fmt::format("{} awaits the JoinHandle of {}, which cannot finish", index.task_label(st.task),
                       index.task_label(st.holder));
  std::string line = st.resource ? fmt::format("{} waits on {}", index.task_label(st.task), describe_resource(index, st.resource))
                                 : fmt::format("{} waits on nothing that can wake it", index.task_label(st.task));
  if (st.holder) line += fmt::format(", held by {}", index.task_label(st.holder));
  return line;
}

std::string describe_wake_received(const TraceIndex& index, const WakeEdge& w) {
  const std::string from = w.source == trace::WakeSource::budget ? std::string("itself (budget spent: made to yield)")
                           : w.self                               ? std::string("itself")
                           : w.source == trace::WakeSource::task  ? index.task_label(w.from_task)
                                                                  : std::string(trace::wake_source_name(w.source));
  return fmt::format("{:>12}  ← {}{}", format_duration(w.time_ns), from, w.by_ref ? " (wake_by_ref)" : "");
}

}  // namespace asynclab::vis
