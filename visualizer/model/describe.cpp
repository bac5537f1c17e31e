// See describe.hpp.
#include "model/describe.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"

namespace asynclab::vis {

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

const char* poll_result_word(trace::PollResult result) {
  switch (result) {
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
  namespace ev = trace::ev;
  const std::string task = index.task_label(e.task);
  auto resource = [&](std::uint32_t id) { return describe_resource(index, id); };
  return trace::visit(e, trace::overloaded{
    [&](const ev::RuntimeStarted& x) {
      return fmt::format("runtime started ({} time, seed {})", x.virtual_time ? "virtual" : "real", x.seed);
    },
    [&](const ev::TaskSpawned& x) {
      return x.parent ? fmt::format("spawn  {} (by {})", task, index.task_label(x.parent)) : fmt::format("spawn  {}", task);
    },
    [&](const ev::PollBegin&) { return fmt::format("poll  {}", task); },
    [&](const ev::PollEnd& x) {
      return fmt::format("poll end  {} → {}{}", task, poll_result_word(x.result), where(index, x.parked_at));
    },
    [&](const ev::WakerCloned& x) { return fmt::format("waker of {} cloned by {}", task, index.task_label(x.by)); },
    [&](const ev::WakerDropped& x) { return fmt::format("waker of {} dropped by {}", task, index.task_label(x.by)); },
    [&](const ev::Wake& x) {
      if (x.source == trace::WakeSource::budget) return fmt::format("wake  {} ← itself: budget spent, made to yield", task);
      if (x.self) return fmt::format("wake  {} ← itself", task);
      if (x.source == trace::WakeSource::task) return fmt::format("wake  {} ← {}", task, index.task_label(x.by));
      return fmt::format("wake  {} ← {}", task, trace::wake_source_name(x.source));
    },
    [&](const ev::TaskCompleted& x) {
      return fmt::format("{} {}", task, x.outcome == trace::Outcome::ok ? std::string_view("completed")
                                                                        : trace::outcome_name(x.outcome));
    },
    [&](const ev::FutureCreated& x) { return fmt::format("{}: future #{} created", task, x.node); },
    [&](const ev::FuturePolled& x) {
      return fmt::format("{}: future #{} polled → {}", task, x.node, x.ready ? "Ready" : "Pending");
    },
    [&](const ev::FutureDropped& x) {
      switch (x.end) {
        case trace::FutureEnd::completed: break;
        case trace::FutureEnd::cancelled: return fmt::format("{}: future #{} dropped mid-flight (cancelled)", task, x.node);
        case trace::FutureEnd::disabled_by_precondition:
          return fmt::format("{}: future #{} disabled: its precondition was false, so it is never polled", task, x.node);
        case trace::FutureEnd::disabled_by_pattern:
          return fmt::format("{}: future #{} disabled: it answered Ready, but its pattern refused the output", task,
                             x.node);
        case trace::FutureEnd::released:
          return fmt::format("{}: future #{} released: the borrow ended, the borrowed future lives on", task, x.node);
      }
      return fmt::format("{}: future #{} dropped", task, x.node);
    },
    [&](const ev::TimerArmed& x) {
      return fmt::format("timer {} armed by {} for {}", x.timer, task, format_duration(std::uint64_t{x.delay_us} * 1000));
    },
    [&](const ev::TimerFired& x) { return fmt::format("timer {} of {} fired", x.timer, task); },
    [&](const ev::TimerCancelled& x) { return fmt::format("timer {} of {} cancelled", x.timer, task); },
    [&](const ev::ClockAdvanced& x) { return fmt::format("clock advanced to {}", format_duration(x.to_ns)); },
    [&](const ev::Lint& x) { return describe_lint(index, LintRecord{0, e.time_ns, x.task, x.lint, x.detail, x.location}); },
    [&](const ev::Mark& x) { return fmt::format("mark \"{}\"", index.trace().string(x.label)); },
    [&](const ev::RuntimeStopped& x) -> std::string {
      switch (x.reason) {
        case trace::StopReason::finished: return "runtime stopped: finished";
        case trace::StopReason::stuck: return "runtime stopped: every task is stuck (deadlock)";
        case trace::StopReason::shutdown: return "runtime stopped: shut down with tasks alive";
      }
      return "runtime stopped";
    },
    [&](const ev::ResourceCreated& x) { return fmt::format("{} created by {}", resource(x.resource), task); },
    [&](const ev::ResourceLimits& x) {
      return x.limit ? fmt::format("{}: limit {}", resource(x.resource), x.limit)
                     : fmt::format("{}: unbounded", resource(x.resource));
    },
    [&](const ev::ResourceDropped& x) { return fmt::format("{} dropped", resource(x.resource)); },
    [&](const ev::ChannelSend& x) {
      const std::string_view result = x.result == trace::SendResult::full ? std::string_view("full — must wait")
                                                                          : trace::send_result_name(x.result);
      return fmt::format("{} → {}: {} ({} buffered)", task, resource(x.resource), result, x.buffered);
    },
    [&](const ev::ChannelRecv& x) {
      switch (x.result) {
        case trace::RecvResult::received:
          return fmt::format("{} ← {}: received ({} buffered)", task, resource(x.resource), x.count);
        case trace::RecvResult::empty: return fmt::format("{} ← {}: empty — must wait", task, resource(x.resource));
        case trace::RecvResult::closed: return fmt::format("{} ← {}: closed", task, resource(x.resource));
        case trace::RecvResult::lagged:
          return fmt::format("{} ← {}: lagged, {} values skipped", task, resource(x.resource), x.count);
      }
      return fmt::format("{} ← {}", task, resource(x.resource));
    },
    [&](const ev::ChannelClosed& x) { return fmt::format("{} closed", resource(x.resource)); },
    [&](const ev::LockWaiting& x) {
      return fmt::format("{} waits for {} ({} waiting)", task, resource(x.resource), x.waiting);
    },
    [&](const ev::LockAcquired& x) { return fmt::format("{} acquired {}", task, resource(x.resource)); },
    [&](const ev::LockReleased& x) { return fmt::format("{} released {}", task, resource(x.resource)); },
    [&](const ev::Notified& x) {
      return fmt::format("{} notified {} ({} woken)", task, resource(x.resource), x.woken);
    },
    [&](const ev::BlockingBegin& x) {
      return x.lane ? fmt::format("blocking job of {} starts on lane {}", task, x.lane)
                    : fmt::format("{} blocks the worker", task);
    },
    [&](const ev::BlockingEnd& x) {
      return x.lane ? fmt::format("blocking job of {} ends on lane {}", task, x.lane)
                    : fmt::format("{} stops blocking the worker", task);
    },
    [&](const ev::RequestBegin& x) { return fmt::format("{} requests {}", task, index.trace().string(x.url)); },
    [&](const ev::RequestEnd& x) {
      return x.status ? fmt::format("{}: response {}", task, x.status) : fmt::format("{}: request failed", task);
    },
    [&](const ev::StuckWait& x) {
      if (x.resource == 0 && x.awaits_join_handle && x.holder)
        return fmt::format("stuck: {} awaits the JoinHandle of {}", task, index.task_label(x.holder));
      if (x.resource == 0) return fmt::format("stuck: {} waits on nothing that can wake it", task);
      return fmt::format("stuck: {} waits on {}{}{}", task, resource(x.resource),
                         x.holder ? " held by " + index.task_label(x.holder) : std::string(),
                         x.on_cycle ? " (a cycle)" : "");
    },
    [&](const ev::Pin& x) {
      switch (x.action) {
        case trace::PinAction::placed: return fmt::format("pinned future #{} made at home {}", x.pinned, x.home);
        case trace::PinAction::moved:
          return fmt::format("pinned future #{} moved to home {} (before its first poll: fine)", x.pinned, x.home);
        case trace::PinAction::pinned:
          return fmt::format("pinned future #{} polled at home {}: pinned there for good", x.pinned, x.home);
        case trace::PinAction::moved_after_pin:
          return fmt::format("pinned future #{} MOVED to home {} after being pinned: its self-references dangle",
                             x.pinned, x.home);
        case trace::PinAction::dropped: return fmt::format("pinned future #{} dropped", x.pinned);
        case trace::PinAction::self_ref:
          return x.home ? fmt::format("pinned future #{}: its self-reference points into home {}", x.pinned, x.home)
                        : fmt::format("pinned future #{}: its self-reference points nowhere", x.pinned);
      }
      return fmt::format("pinned future #{}", x.pinned);
    },
    [&](const ev::TaskStolen& x) {
      return fmt::format("worker {} steals {} from worker {}'s queue", x.to_worker, task, x.from_worker);
    },
    [&](const ev::ChannelValue& x) {
      return fmt::format("{} sent {} on {}", task, index.trace().value_label(e), resource(x.resource));
    },
  });
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
