#pragma once
// One recorded runtime action — the unit of every trace, on disk and in memory.
//
// Rules:
// * An Event is 24 bytes and trivially copyable; the meaning of `a`, `b` and `flags` depends on
//   `kind` and is written next to each kind below. Strings and source locations are never stored in
//   an event: events refer to the trace's tables by index (see trace/trace.hpp).
// * Readers do not unpack `a`, `b` and `flags` by hand: trace/codec.hpp gives each kind a typed view
//   with named fields, and says which values each kind may hold (the loader's check). A new kind is
//   appended here and given its view there; the compiler then names every reader that must learn it.
// * `worker` is the worker whose poll recorded the event (0: the only worker, or the run loop
//   itself). In runtime_started it is the highest worker number (workers − 1), so the worker count
//   is known even if a worker never polled.
// * Task id 0 means "no task": the runtime itself (timer driver, shutdown) or code outside any task.
// * Times are nanoseconds since the runtime started (up to 2^48 ns, 78 hours), on the runtime's clock: virtual time when the
//   runtime runs with virtual time (then traces are byte-for-byte deterministic), real time otherwise.
// * Events appear in the order they happened; times never decrease.
// * New kinds are only ever appended, so older .altrace files keep their meaning.
#include <cstdint>
#include <string_view>

namespace asynclab::trace {

enum class EventKind : std::uint8_t {
  runtime_started = 1,  // flags: bit0 virtual time, bits1-7 flavor (0 current_thread). a,b: seed lo/hi
  task_spawned,         // task: the new task. a: parent task. b: spawn site (name + location)
  poll_begin,           // task: the task being polled
  poll_end,             // task. flags: PollResult. b: location the task is parked at (0: none) — the
                        // innermost await. a: reserved for the innermost await in the program's own
                        // code when b is inside asynclab (0: none; the runtime records 0 for now,
                        // readers prefer a when it is set)
  waker_cloned,         // task: whose waker. a: the task that cloned it (0: the runtime)
  waker_dropped,        // task: whose waker. a: the task that dropped it
  wake,                 // task: woken. a: waking task (0: none). flags: WakeSource | wake_flag bits
  task_completed,       // task. flags: Outcome
  future_created,       // task: enclosing task. a: node id. b: parent node id (0: the task's root)
                        // flags: FutureNode kind in the low byte, branch index in the high byte
  future_polled,        // task. a: node id. flags: 1 if it answered Ready
  future_dropped,       // task. a: node id. flags: FutureEnd (completed, dropped mid-flight, or a
                        // select branch disabled)
  timer_armed,          // task: owner. a: timer id. b: delay in microseconds (saturated)
  timer_fired,          // task: owner. a: timer id
  clock_advanced,       // time: the new time. a,b: the previous time (lo/hi)
  lint,                 // task. flags: LintKind. a: detail number (see LintKind). b: location (0: none)
  mark,                 // task: the task that marked (0: outside). b: string id of the label
  runtime_stopped,      // flags: StopReason
  // --- resources: channels and synchronization (sync/) ---
  resource_created,     // task: creator. a: resource id. b: name (string id). flags: ResourceKind
  resource_limits,      // a: resource id. b: capacity (channels), permits (semaphore); 0: unbounded
  resource_dropped,     // task. a: resource id
  channel_send,         // task. a: resource id. b: values buffered after. flags: SendResult
  channel_recv,         // task. a: resource id. b: values buffered after (lagged: values skipped). flags: RecvResult
  channel_closed,       // task. a: resource id. flags: CloseReason
  lock_waiting,         // task. a: resource id. b: tasks waiting, this one included
  lock_acquired,        // task. a: resource id. b: permits left (semaphore) or 0 (mutex)
  lock_released,        // task. a: resource id. b: permits left (semaphore) or 0 (mutex)
  notified,             // task: the notifier. a: resource id. b: tasks woken. flags: 1 notify_waiters, 0 notify_one
  // --- blocking work and the simulated world (sim/) ---
  blocking_begin,       // task: the task the job belongs to (spawn_blocking's JoinHandle, or the task
                        // blocking its worker). a: lane (0: the worker itself). b: job id
  blocking_end,         // task. a: lane. b: job id
  request_begin,        // task. a: request id. b: url (string id)
  request_end,          // task. a: request id. b: status (0: failed). flags: HttpFailure
  // --- the deadlock report, one event per stuck task ---
  stuck_wait,           // task: stuck task. a: resource it waits on (0: none). b: a task holding that
                        // resource (0: none known). flags: 1 when the edge is on a wait-for cycle;
                        // 2 when a is 0 and b is the task whose JoinHandle it awaits
  timer_cancelled,      // task: owner. a: timer id — dropped before it fired (a select's losing sleep)
  pin,                  // task: enclosing task. a: Pinned future id. flags: PinAction. b: the home (1, 2, ...:
                        // the places the future has lived, in order) it is at — for self_ref, the home its
                        // self-reference points into (0: none of them)
  // --- the multi_thread flavor (simulated workers, detail/scheduler.hpp) ---
  task_stolen,          // task: the stolen task. a: the worker it was queued on. b: the worker that
                        // stole it (also the event's worker)
  // --- what a channel holds (trace/value_label.hpp) ---
  channel_value,        // task: the sender. a: resource id. b: the sent value's label, as flags say
                        // (ValueForm): a string id, or an integer's value itself. Recorded right
                        // before the channel_send (sent) of that value, and only for values that have
                        // a label (the token of an unlabelled value stays blank)
  kind_count_,          // not a kind: one past the last valid value
};

enum class PollResult : std::uint16_t { pending = 0, ready = 1, panicked = 2 };
enum class Outcome : std::uint16_t { ok = 0, panicked = 1, cancelled = 2 };

// budget: the task's cooperative budget was spent, so the runtime made it yield (asynclab/coop.hpp);
// recorded with the self and by_ref flags.
enum class WakeSource : std::uint16_t { task = 0, timer = 1, channel = 2, io = 3, blocking = 4, runtime = 5, budget = 6 };
namespace wake_flag {
inline constexpr std::uint16_t self = 1u << 8;    // the task woke itself while being polled
inline constexpr std::uint16_t by_ref = 1u << 9;  // wake_by_ref (the waker is kept) rather than wake
inline constexpr std::uint16_t source_mask = 0xff;
}  // namespace wake_flag

enum class FutureNode : std::uint16_t { join = 1, try_join = 2, select = 3, branch = 4, timeout = 5 };

// How a future node went away. The low bit is "it answered Ready", so readers that only ask whether it
// completed test `flags & 1`.
enum class FutureEnd : std::uint16_t {
  cancelled = 0,                 // dropped mid-flight
  completed = 1,                 // answered Ready and its output was used
  disabled_by_precondition = 2,  // a select branch whose `, if cond` was false: never polled
  disabled_by_pattern = 3,       // a select branch that answered Ready with an output its pattern refused
  released = 4,                  // a borrowed future's branch (borrow(fut)) dropped unfinished: only the
                                 // borrow ended, the future lives on with its owner
};
inline constexpr std::uint16_t future_end_last = static_cast<std::uint16_t>(FutureEnd::released);

enum class LintKind : std::uint16_t {
  forgotten_future = 1,  // a future was dropped without ever being polled. b: where its creator was
  lost_waker = 2,        // a poll returned Pending but no waker clone is alive and none was woken
  self_wake = 3,         // more than half of a task's wakes came from itself. a: percent
  long_poll = 4,         // one poll held the worker too long. a: microseconds (saturated)
};

enum class PinAction : std::uint16_t {
  placed = 0,           // constructed at home 1
  moved = 1,            // moved to home b before its first poll: fine, nothing points into it yet
  pinned = 2,           // first poll at home b: from now on it must never move
  moved_after_pin = 3,  // moved to home b after its first poll: its self-references dangle
  dropped = 4,
  self_ref = 5,         // its self-reference now points into home b (0: not into any of its homes)
};

// What a channel_value's b holds. Integers are by far the commonest values sent, and a counter sends
// a new one each time: kept in the event they cost neither formatting nor a string in the table.
enum class ValueForm : std::uint16_t {
  label = 0,         // b: string id of the label (trace/value_label.hpp)
  unsigned_int = 1,  // b: the value, an unsigned integer below 2^32
  signed_int = 2,    // b: the value's 32 bits, a signed integer in [-2^31, 2^31)
};

enum class StopReason : std::uint16_t { finished = 0, stuck = 1, shutdown = 2 };

enum class ResourceKind : std::uint16_t {
  mpsc = 1,
  unbounded_mpsc = 2,
  oneshot = 3,
  broadcast = 4,
  watch = 5,
  mutex = 6,
  semaphore = 7,
  notify = 8,
};
enum class SendResult : std::uint16_t { sent = 0, full = 1, closed = 2 };
enum class RecvResult : std::uint16_t { received = 0, empty = 1, closed = 2, lagged = 3 };
enum class CloseReason : std::uint16_t { receiver_closed = 0, senders_dropped = 1, receiver_dropped = 2 };
enum class HttpFailure : std::uint16_t {
  none = 0,
  connection_refused = 1,
  connection_reset = 2,
  timed_out = 3,
  cancelled = 4,  // the request's future was dropped mid-flight
};

struct Event {
  std::uint64_t time_ns;
  EventKind kind;
  std::uint8_t worker;
  std::uint16_t flags;
  std::uint32_t task;
  std::uint32_t a;
  std::uint32_t b;
};
static_assert(sizeof(Event) == 24, "an event must stay 24 bytes: traces of millions of events live in memory");

inline bool is_valid_kind(std::uint8_t k) {
  return k >= static_cast<std::uint8_t>(EventKind::runtime_started) &&
         k < static_cast<std::uint8_t>(EventKind::kind_count_);
}

// Whether `a` of this kind is a resource id (a channel, lock or notify): the resource events.
inline constexpr bool is_resource_event(EventKind k) {
  switch (k) {
    case EventKind::resource_created:
    case EventKind::resource_limits:
    case EventKind::resource_dropped:
    case EventKind::channel_send:
    case EventKind::channel_recv:
    case EventKind::channel_closed:
    case EventKind::lock_waiting:
    case EventKind::lock_acquired:
    case EventKind::lock_released:
    case EventKind::notified:
    case EventKind::channel_value:
      return true;
    default:
      return false;
  }
}

std::string_view kind_name(EventKind k);
std::string_view lint_name(LintKind k);
std::string_view wake_source_name(WakeSource s);
std::string_view outcome_name(Outcome o);
std::string_view resource_kind_name(ResourceKind k);

}  // namespace asynclab::trace
