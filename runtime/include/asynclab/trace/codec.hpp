#pragma once
// The trace's meaning, decoded once: a typed view of each event kind, with named fields and enums.
//
// An Event (trace/event.hpp) is 24 packed bytes whose `task`, `a`, `b` and `flags` mean something
// different for each kind. Readers do not unpack them by hand; they ask for the typed view:
//
//     trace::visit(e, overloaded{
//         [&](const ev::Wake& w) { ... w.woken, w.by, w.source, w.self ... },
//         [&](const ev::PollEnd& p) { ... p.result, p.parked_at ... },
//         [](const auto&) {},  // the kinds this reader ignores
//     });
//
//     if (auto spawn = trace::as<ev::TaskSpawned>(e)) use(spawn->parent);
//
// Rules:
// * One struct per EventKind, in kind order, each with `static constexpr EventKind kind`,
//   `static T decode(const Event&)` and `Event to_event(time_ns, worker) const`. decode never fails:
//   for an event the loader accepted (trace::check below) every enum it yields is one of its values.
// * A visitor without a catch-all must name every kind, so adding a kind is this file plus whatever
//   the compiler then asks for. All kinds are listed once more in `AllKinds`, which a test walks.
// * `check` is the one statement of which values an event may hold — which fields index the trace's
//   tables, which flags hold which enum; a kind without flags has 0 there. The `.altrace` loader and
//   the importers use it; an event that passes it decodes to values every reader knows, and its
//   flags encode back unchanged. A `task`, `a` or `b` that a kind does not use is not checked (and
//   not kept by decode).
// * Ids are plain numbers here: `task` 0 is "no task" (the runtime), location, string and spawn site
//   ids index the trace's tables (trace/trace.hpp), 0 being "none" for locations.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "asynclab/trace/event.hpp"

namespace asynclab::trace {

namespace codec_impl {
inline Event make_event(std::uint64_t time_ns, EventKind kind, std::uint8_t worker, std::uint16_t flags,
                        std::uint32_t task, std::uint32_t a, std::uint32_t b) {
  return Event{time_ns, kind, worker, flags, task, a, b};
}
inline std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) { return std::uint64_t{lo} | (std::uint64_t{hi} << 32); }
}  // namespace codec_impl

// The typed views. Field comments say what the field is; the kind's comment in event.hpp says when
// the runtime records it.
namespace ev {

struct RuntimeStarted {
  static constexpr EventKind kind = EventKind::runtime_started;
  bool operator==(const RuntimeStarted&) const = default;
  bool virtual_time = false;
  std::uint8_t flavor = 0;    // 0 current_thread, 1 multi_thread
  std::uint32_t workers = 1;  // 1..256 (the event's worker field is workers − 1)
  std::uint64_t seed = 0;
  bool multi_thread() const { return flavor != 0; }
  static RuntimeStarted decode(const Event& e) {
    return {(e.flags & 1) != 0, static_cast<std::uint8_t>(e.flags >> 1), std::uint32_t{e.worker} + 1u,
            codec_impl::join64(e.a, e.b)};
  }
  Event to_event(std::uint64_t time_ns, std::uint8_t = 0) const {
    return codec_impl::make_event(time_ns, kind, static_cast<std::uint8_t>(workers - 1),
                              static_cast<std::uint16_t>((virtual_time ? 1u : 0u) | (unsigned{flavor} << 1)), 0,
                              static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
  }
};

struct TaskSpawned {
  static constexpr EventKind kind = EventKind::task_spawned;
  bool operator==(const TaskSpawned&) const = default;
  std::uint32_t task = 0;    // the new task
  std::uint32_t parent = 0;  // the task that spawned it (0: outside any task)
  std::uint32_t site = 0;    // its spawn site: name and location
  static TaskSpawned decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, parent, site); }
};

struct PollBegin {
  static constexpr EventKind kind = EventKind::poll_begin;
  bool operator==(const PollBegin&) const = default;
  std::uint32_t task = 0;
  static PollBegin decode(const Event& e) { return {e.task}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, 0, 0); }
};

struct PollEnd {
  static constexpr EventKind kind = EventKind::poll_end;
  bool operator==(const PollEnd&) const = default;
  std::uint32_t task = 0;
  PollResult result = PollResult::pending;
  std::uint32_t parked_at = 0;    // location of the innermost await the task is parked at (0: none)
  std::uint32_t own_code_at = 0;  // the innermost await in the program's own code, when parked_at is
                                  // inside asynclab (0: none)
  // Where to show the learner the task stopped: their own code when known.
  std::uint32_t shown_at() const { return own_code_at ? own_code_at : parked_at; }
  static PollEnd decode(const Event& e) { return {e.task, static_cast<PollResult>(e.flags), e.b, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(result), task, own_code_at, parked_at);
  }
};

struct WakerCloned {
  static constexpr EventKind kind = EventKind::waker_cloned;
  bool operator==(const WakerCloned&) const = default;
  std::uint32_t task = 0;  // whose waker
  std::uint32_t by = 0;    // the task that cloned it (0: the runtime)
  static WakerCloned decode(const Event& e) { return {e.task, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, by, 0); }
};

struct WakerDropped {
  static constexpr EventKind kind = EventKind::waker_dropped;
  bool operator==(const WakerDropped&) const = default;
  std::uint32_t task = 0;  // whose waker
  std::uint32_t by = 0;    // the task that dropped it
  static WakerDropped decode(const Event& e) { return {e.task, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, by, 0); }
};

struct Wake {
  static constexpr EventKind kind = EventKind::wake;
  bool operator==(const Wake&) const = default;
  std::uint32_t woken = 0;
  std::uint32_t by = 0;  // the waking task (0: none — the runtime, a timer, a thread)
  WakeSource source = WakeSource::task;
  bool self = false;    // the task woke itself while being polled
  bool by_ref = false;  // wake_by_ref (the waker is kept) rather than wake
  static Wake decode(const Event& e) {
    return {e.task, e.a, static_cast<WakeSource>(e.flags & wake_flag::source_mask), (e.flags & wake_flag::self) != 0,
            (e.flags & wake_flag::by_ref) != 0};
  }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    const auto flags = static_cast<std::uint16_t>(static_cast<std::uint16_t>(source) | (self ? wake_flag::self : 0) |
                                                  (by_ref ? wake_flag::by_ref : 0));
    return codec_impl::make_event(t, kind, w, flags, woken, by, 0);
  }
};

struct TaskCompleted {
  static constexpr EventKind kind = EventKind::task_completed;
  bool operator==(const TaskCompleted&) const = default;
  std::uint32_t task = 0;
  Outcome outcome = Outcome::ok;
  static TaskCompleted decode(const Event& e) { return {e.task, static_cast<Outcome>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(outcome), task, 0, 0);
  }
};

struct FutureCreated {
  static constexpr EventKind kind = EventKind::future_created;
  bool operator==(const FutureCreated&) const = default;
  std::uint32_t task = 0;  // the enclosing task
  std::uint32_t node = 0;
  std::uint32_t parent_node = 0;  // 0: the task's root
  FutureNode node_kind = FutureNode::join;
  std::uint8_t branch = 0;  // its index among its parent's branches
  static FutureCreated decode(const Event& e) {
    return {e.task, e.a, e.b, static_cast<FutureNode>(e.flags & 0xff), static_cast<std::uint8_t>(e.flags >> 8)};
  }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    const auto flags = static_cast<std::uint16_t>(static_cast<std::uint16_t>(node_kind) | (unsigned{branch} << 8));
    return codec_impl::make_event(t, kind, w, flags, task, node, parent_node);
  }
};

struct FuturePolled {
  static constexpr EventKind kind = EventKind::future_polled;
  bool operator==(const FuturePolled&) const = default;
  std::uint32_t task = 0;
  std::uint32_t node = 0;
  bool ready = false;
  static FuturePolled decode(const Event& e) { return {e.task, e.a, e.flags != 0}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, ready ? 1 : 0, task, node, 0);
  }
};

struct FutureDropped {
  static constexpr EventKind kind = EventKind::future_dropped;
  bool operator==(const FutureDropped&) const = default;
  std::uint32_t task = 0;
  std::uint32_t node = 0;
  FutureEnd end = FutureEnd::cancelled;
  bool completed() const { return end == FutureEnd::completed; }
  // It answered Ready (FutureEnd's low bit): completed, or Ready with an output its pattern refused.
  bool answered_ready() const { return (static_cast<std::uint16_t>(end) & 1) != 0; }
  bool disabled() const { return end == FutureEnd::disabled_by_precondition || end == FutureEnd::disabled_by_pattern; }
  // An end newer than this reader knows keeps its low bit: answered Ready or not.
  static FutureDropped decode(const Event& e) {
    const FutureEnd end = e.flags <= future_end_last ? static_cast<FutureEnd>(e.flags)
                          : (e.flags & 1)             ? FutureEnd::completed
                                                      : FutureEnd::cancelled;
    return {e.task, e.a, end};
  }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(end), task, node, 0);
  }
};

struct TimerArmed {
  static constexpr EventKind kind = EventKind::timer_armed;
  bool operator==(const TimerArmed&) const = default;
  std::uint32_t owner = 0;
  std::uint32_t timer = 0;
  std::uint32_t delay_us = 0;  // saturated
  static TimerArmed decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, owner, timer, delay_us); }
};

struct TimerFired {
  static constexpr EventKind kind = EventKind::timer_fired;
  bool operator==(const TimerFired&) const = default;
  std::uint32_t owner = 0;
  std::uint32_t timer = 0;
  static TimerFired decode(const Event& e) { return {e.task, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, owner, timer, 0); }
};

struct ClockAdvanced {
  static constexpr EventKind kind = EventKind::clock_advanced;
  bool operator==(const ClockAdvanced&) const = default;
  std::uint32_t task = 0;  // the task whose sim::block_for moved the clock (0: the run loop)
  std::uint64_t from_ns = 0;
  std::uint64_t to_ns = 0;  // the event's own time
  static ClockAdvanced decode(const Event& e) { return {e.task, codec_impl::join64(e.a, e.b), e.time_ns}; }
  // The event's time is the new time: `t` is ignored.
  Event to_event(std::uint64_t, std::uint8_t w = 0) const {
    return codec_impl::make_event(to_ns, kind, w, 0, task, static_cast<std::uint32_t>(from_ns),
                                  static_cast<std::uint32_t>(from_ns >> 32));
  }
};

struct Lint {
  static constexpr EventKind kind = EventKind::lint;
  bool operator==(const Lint&) const = default;
  std::uint32_t task = 0;
  LintKind lint = LintKind::forgotten_future;
  std::uint32_t detail = 0;    // self_wake: percent; long_poll: microseconds (saturated)
  std::uint32_t location = 0;  // 0: none
  static Lint decode(const Event& e) { return {e.task, static_cast<LintKind>(e.flags), e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(lint), task, detail, location);
  }
};

struct Mark {
  static constexpr EventKind kind = EventKind::mark;
  bool operator==(const Mark&) const = default;
  std::uint32_t task = 0;   // the task that marked (0: outside)
  std::uint32_t label = 0;  // string id
  static Mark decode(const Event& e) { return {e.task, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, 0, label); }
};

struct RuntimeStopped {
  static constexpr EventKind kind = EventKind::runtime_stopped;
  bool operator==(const RuntimeStopped&) const = default;
  StopReason reason = StopReason::finished;
  static RuntimeStopped decode(const Event& e) { return {static_cast<StopReason>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(reason), 0, 0, 0);
  }
};

struct ResourceCreated {
  static constexpr EventKind kind = EventKind::resource_created;
  bool operator==(const ResourceCreated&) const = default;
  std::uint32_t task = 0;  // the creator
  std::uint32_t resource = 0;
  std::uint32_t name = 0;  // string id ("" : unnamed)
  ResourceKind resource_kind = ResourceKind::mpsc;
  static ResourceCreated decode(const Event& e) { return {e.task, e.a, e.b, static_cast<ResourceKind>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(resource_kind), task, resource, name);
  }
};

struct ResourceLimits {
  static constexpr EventKind kind = EventKind::resource_limits;
  bool operator==(const ResourceLimits&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t limit = 0;  // capacity (channels) or permits (semaphore); 0: unbounded
  static ResourceLimits decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, resource, limit); }
};

struct ResourceDropped {
  static constexpr EventKind kind = EventKind::resource_dropped;
  bool operator==(const ResourceDropped&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  static ResourceDropped decode(const Event& e) { return {e.task, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, resource, 0); }
};

struct ChannelSend {
  static constexpr EventKind kind = EventKind::channel_send;
  bool operator==(const ChannelSend&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t buffered = 0;  // values buffered after
  SendResult result = SendResult::sent;
  static ChannelSend decode(const Event& e) { return {e.task, e.a, e.b, static_cast<SendResult>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(result), task, resource, buffered);
  }
};

struct ChannelRecv {
  static constexpr EventKind kind = EventKind::channel_recv;
  bool operator==(const ChannelRecv&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t count = 0;  // values buffered after; for `lagged`, values skipped
  RecvResult result = RecvResult::received;
  static ChannelRecv decode(const Event& e) { return {e.task, e.a, e.b, static_cast<RecvResult>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(result), task, resource, count);
  }
};

struct ChannelClosed {
  static constexpr EventKind kind = EventKind::channel_closed;
  bool operator==(const ChannelClosed&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  CloseReason reason = CloseReason::receiver_closed;
  static ChannelClosed decode(const Event& e) { return {e.task, e.a, static_cast<CloseReason>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(reason), task, resource, 0);
  }
};

struct LockWaiting {
  static constexpr EventKind kind = EventKind::lock_waiting;
  bool operator==(const LockWaiting&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t waiting = 0;  // tasks waiting, this one included
  static LockWaiting decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, resource, waiting); }
};

struct LockAcquired {
  static constexpr EventKind kind = EventKind::lock_acquired;
  bool operator==(const LockAcquired&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t permits_left = 0;  // semaphore; 0 for a mutex
  static LockAcquired decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, 0, task, resource, permits_left);
  }
};

struct LockReleased {
  static constexpr EventKind kind = EventKind::lock_released;
  bool operator==(const LockReleased&) const = default;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;
  std::uint32_t permits_left = 0;  // semaphore; 0 for a mutex
  static LockReleased decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, 0, task, resource, permits_left);
  }
};

struct Notified {
  static constexpr EventKind kind = EventKind::notified;
  bool operator==(const Notified&) const = default;
  std::uint32_t task = 0;  // the notifier
  std::uint32_t resource = 0;
  std::uint32_t woken = 0;  // tasks woken
  bool all_waiters = false;  // notify_waiters rather than notify_one
  static Notified decode(const Event& e) { return {e.task, e.a, e.b, e.flags != 0}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, all_waiters ? 1 : 0, task, resource, woken);
  }
};

struct BlockingBegin {
  static constexpr EventKind kind = EventKind::blocking_begin;
  bool operator==(const BlockingBegin&) const = default;
  std::uint32_t task = 0;  // the task the job belongs to
  std::uint32_t lane = 0;  // 0: the worker itself (the task blocks it)
  std::uint32_t job = 0;
  static BlockingBegin decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, lane, job); }
};

struct BlockingEnd {
  static constexpr EventKind kind = EventKind::blocking_end;
  bool operator==(const BlockingEnd&) const = default;
  std::uint32_t task = 0;
  std::uint32_t lane = 0;
  std::uint32_t job = 0;
  static BlockingEnd decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, lane, job); }
};

struct RequestBegin {
  static constexpr EventKind kind = EventKind::request_begin;
  bool operator==(const RequestBegin&) const = default;
  std::uint32_t task = 0;
  std::uint32_t request = 0;
  std::uint32_t url = 0;  // string id
  static RequestBegin decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, task, request, url); }
};

struct RequestEnd {
  static constexpr EventKind kind = EventKind::request_end;
  bool operator==(const RequestEnd&) const = default;
  std::uint32_t task = 0;
  std::uint32_t request = 0;
  std::uint32_t status = 0;  // 0: failed
  HttpFailure failure = HttpFailure::none;
  static RequestEnd decode(const Event& e) { return {e.task, e.a, e.b, static_cast<HttpFailure>(e.flags)}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(failure), task, request, status);
  }
};

struct StuckWait {
  static constexpr EventKind kind = EventKind::stuck_wait;
  bool operator==(const StuckWait&) const = default;
  std::uint32_t task = 0;      // the stuck task
  std::uint32_t resource = 0;  // what it waits on (0: nothing the runtime knows)
  std::uint32_t holder = 0;    // a task holding that resource, or — awaits_join_handle — the task whose
                               // JoinHandle it awaits (0: none known)
  bool on_cycle = false;       // the edge is on a wait-for cycle
  bool awaits_join_handle = false;
  static StuckWait decode(const Event& e) { return {e.task, e.a, e.b, (e.flags & 1) != 0, (e.flags & 2) != 0}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    const auto flags = static_cast<std::uint16_t>((on_cycle ? 1 : 0) | (awaits_join_handle ? 2 : 0));
    return codec_impl::make_event(t, kind, w, flags, task, resource, holder);
  }
};

struct TimerCancelled {
  static constexpr EventKind kind = EventKind::timer_cancelled;
  bool operator==(const TimerCancelled&) const = default;
  std::uint32_t owner = 0;
  std::uint32_t timer = 0;
  static TimerCancelled decode(const Event& e) { return {e.task, e.a}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const { return codec_impl::make_event(t, kind, w, 0, owner, timer, 0); }
};

struct Pin {
  static constexpr EventKind kind = EventKind::pin;
  bool operator==(const Pin&) const = default;
  std::uint32_t task = 0;    // the enclosing task
  std::uint32_t pinned = 0;  // the Pinned future's id
  PinAction action = PinAction::placed;
  std::uint32_t home = 0;  // 1, 2, ...: the places it has lived; for self_ref, the home its
                           // self-reference points into (0: none of them)
  static Pin decode(const Event& e) { return {e.task, e.a, static_cast<PinAction>(e.flags), e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(action), task, pinned, home);
  }
};

struct TaskStolen {
  static constexpr EventKind kind = EventKind::task_stolen;
  bool operator==(const TaskStolen&) const = default;
  std::uint32_t task = 0;
  std::uint32_t from_worker = 0;  // the worker it was queued on
  std::uint32_t to_worker = 0;    // the thief (also the event's worker)
  static TaskStolen decode(const Event& e) { return {e.task, e.a, e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, 0, task, from_worker, to_worker);
  }
};

struct ChannelValue {
  static constexpr EventKind kind = EventKind::channel_value;
  bool operator==(const ChannelValue&) const = default;
  std::uint32_t task = 0;  // the sender
  std::uint32_t resource = 0;
  ValueForm form = ValueForm::label;
  std::uint32_t value = 0;  // a string id (label), or the integer itself (see ValueForm)
  static ChannelValue decode(const Event& e) { return {e.task, e.a, static_cast<ValueForm>(e.flags), e.b}; }
  Event to_event(std::uint64_t t, std::uint8_t w = 0) const {
    return codec_impl::make_event(t, kind, w, static_cast<std::uint16_t>(form), task, resource, value);
  }
};

}  // namespace ev

// Every typed view, in kind order (AllKinds[i]::kind == i + 1).
using AllKinds =
    std::tuple<ev::RuntimeStarted, ev::TaskSpawned, ev::PollBegin, ev::PollEnd, ev::WakerCloned, ev::WakerDropped,
               ev::Wake, ev::TaskCompleted, ev::FutureCreated, ev::FuturePolled, ev::FutureDropped, ev::TimerArmed,
               ev::TimerFired, ev::ClockAdvanced, ev::Lint, ev::Mark, ev::RuntimeStopped, ev::ResourceCreated,
               ev::ResourceLimits, ev::ResourceDropped, ev::ChannelSend, ev::ChannelRecv, ev::ChannelClosed,
               ev::LockWaiting, ev::LockAcquired, ev::LockReleased, ev::Notified, ev::BlockingBegin, ev::BlockingEnd,
               ev::RequestBegin, ev::RequestEnd, ev::StuckWait, ev::TimerCancelled, ev::Pin, ev::TaskStolen,
               ev::ChannelValue>;
static_assert(std::tuple_size_v<AllKinds> == static_cast<std::size_t>(EventKind::kind_count_) - 1,
              "every EventKind has its typed view in AllKinds");

// Calls f with the typed view of e. Every kind's view must be accepted by f (a catch-all
// `[](const auto&) {}` accepts the rest). An event whose kind is not a valid one — impossible for a
// trace that was loaded or recorded — throws std::invalid_argument.
[[noreturn]] void throw_invalid_kind(EventKind k);

// Always inlined: each visitor is its own instantiation with one caller, usually a loop over millions
// of events, and a call per event cost TraceIndex 15% more instructions than its old hand-written switch.
template <class F>
[[gnu::always_inline]] inline decltype(auto) visit(const Event& e, F&& f) {
  switch (e.kind) {
    case EventKind::runtime_started: return f(ev::RuntimeStarted::decode(e));
    case EventKind::task_spawned: return f(ev::TaskSpawned::decode(e));
    case EventKind::poll_begin: return f(ev::PollBegin::decode(e));
    case EventKind::poll_end: return f(ev::PollEnd::decode(e));
    case EventKind::waker_cloned: return f(ev::WakerCloned::decode(e));
    case EventKind::waker_dropped: return f(ev::WakerDropped::decode(e));
    case EventKind::wake: return f(ev::Wake::decode(e));
    case EventKind::task_completed: return f(ev::TaskCompleted::decode(e));
    case EventKind::future_created: return f(ev::FutureCreated::decode(e));
    case EventKind::future_polled: return f(ev::FuturePolled::decode(e));
    case EventKind::future_dropped: return f(ev::FutureDropped::decode(e));
    case EventKind::timer_armed: return f(ev::TimerArmed::decode(e));
    case EventKind::timer_fired: return f(ev::TimerFired::decode(e));
    case EventKind::clock_advanced: return f(ev::ClockAdvanced::decode(e));
    case EventKind::lint: return f(ev::Lint::decode(e));
    case EventKind::mark: return f(ev::Mark::decode(e));
    case EventKind::runtime_stopped: return f(ev::RuntimeStopped::decode(e));
    case EventKind::resource_created: return f(ev::ResourceCreated::decode(e));
    case EventKind::resource_limits: return f(ev::ResourceLimits::decode(e));
    case EventKind::resource_dropped: return f(ev::ResourceDropped::decode(e));
    case EventKind::channel_send: return f(ev::ChannelSend::decode(e));
    case EventKind::channel_recv: return f(ev::ChannelRecv::decode(e));
    case EventKind::channel_closed: return f(ev::ChannelClosed::decode(e));
    case EventKind::lock_waiting: return f(ev::LockWaiting::decode(e));
    case EventKind::lock_acquired: return f(ev::LockAcquired::decode(e));
    case EventKind::lock_released: return f(ev::LockReleased::decode(e));
    case EventKind::notified: return f(ev::Notified::decode(e));
    case EventKind::blocking_begin: return f(ev::BlockingBegin::decode(e));
    case EventKind::blocking_end: return f(ev::BlockingEnd::decode(e));
    case EventKind::request_begin: return f(ev::RequestBegin::decode(e));
    case EventKind::request_end: return f(ev::RequestEnd::decode(e));
    case EventKind::stuck_wait: return f(ev::StuckWait::decode(e));
    case EventKind::timer_cancelled: return f(ev::TimerCancelled::decode(e));
    case EventKind::pin: return f(ev::Pin::decode(e));
    case EventKind::task_stolen: return f(ev::TaskStolen::decode(e));
    case EventKind::channel_value: return f(ev::ChannelValue::decode(e));
    case EventKind::kind_count_: break;
  }
  throw_invalid_kind(e.kind);
}

// The typed view of e if it is of kind T, else nothing.
template <class T>
std::optional<T> as(const Event& e) {
  if (e.kind != T::kind) return std::nullopt;
  return T::decode(e);
}

// The resource (channel, lock, notify) a resource event acts on; nothing for every other kind.
inline std::optional<std::uint32_t> resource_of(const Event& e) {
  if (!is_resource_event(e.kind)) return std::nullopt;
  return e.a;
}

// Builds a visitor from lambdas: visit(e, overloaded{[](const ev::Wake&) {...}, ...}).
template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

// --- What an event may hold ----------------------------------------------------------------------

// The sizes an event's ids are checked against: those of the trace it belongs to.
struct TableSizes {
  std::uint64_t tasks = 0;      // tasks spawned: task ids are 1..tasks (0 is "no task")
  std::uint64_t strings = 0;    // string ids are 0..strings−1
  std::uint64_t locations = 0;  // location ids are 0..locations−1 (0: none)
  std::uint64_t sites = 0;      // spawn site ids are 0..sites−1
  std::uint64_t blocking_jobs = 0;  // blocking_begin events in the trace
  // Readers draw a row per blocking lane: a forged lane 4294967295 must not make them draw billions.
  std::uint64_t highest_lane() const { return blocking_jobs > 64 ? blocking_jobs : 64; }
};

// Which of the event's fields a problem is in (for the loader's byte offset).
enum class EventField : std::uint8_t { task, a, b, flags };

struct EventProblem {
  EventField field;
  std::string message;  // what is wrong, to follow "event N (kind) ": "refers to string 9 but the table has 3"
};

// Whether every field of e holds a value its kind allows, against the trace's tables. Times and the
// kind itself are the loader's to check (they depend on the events around it).
std::optional<EventProblem> check(const Event& e, const TableSizes& sizes);

// --- Names of the enum values, as the exports and `describe` write them --------------------------
std::string_view poll_result_name(PollResult r);      // "pending", "ready", "panicked"
std::string_view stop_reason_name(StopReason r);      // "finished", "stuck", "shutdown"
std::string_view future_node_name(FutureNode k);      // "join", "try_join", "select", "branch", "timeout"
std::string_view future_end_name(FutureEnd k);        // "cancelled", "completed", "disabled_by_precondition", ...
std::string_view send_result_name(SendResult r);      // "sent", "full", "closed"
std::string_view recv_result_name(RecvResult r);      // "received", "empty", "closed", "lagged"
std::string_view close_reason_name(CloseReason r);    // "receiver closed", "senders dropped", "receiver dropped"
std::string_view http_failure_name(HttpFailure f);    // "none", "connection refused", ...
std::string_view pin_action_name(PinAction a);        // "placed", "moved", "pinned", "moved_after_pin", ...
std::string_view flavor_name(std::uint8_t flavor);    // "current_thread", "multi_thread"

}  // namespace asynclab::trace
