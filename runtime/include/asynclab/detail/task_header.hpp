#pragma once
// The task cell: what `spawn` allocates — a header the scheduler works with, the future, and a slot
// for the output. Mirrors tokio's runtime/task/{core,state}.rs.
//
// States (bits of `state`):
// * SCHEDULED  — the task sits in the run queue. Only the scheduler sets and clears it.
// * RUNNING    — the task is being polled right now.
// * NOTIFIED   — woken while RUNNING: the scheduler requeues it when the poll returns Pending.
// * COMPLETE   — the future finished, panicked or was cancelled; the output slot is final. Never cleared.
// * CANCEL     — abort() was requested; the next time the scheduler picks the task it drops the future
//                instead of polling it.
// * FUTURE_GONE — the future has been destroyed (on completion, cancellation or runtime shutdown).
// * OUTPUT     — the output slot holds a value nobody has taken yet.
// * ORPHANED   — the scheduler is gone but Waker clones still point here: they only count down and
//                release the cell, never touching the scheduler.
//
// References (`refs`): the scheduler holds one from spawn until COMPLETE, the JoinHandle one until it
// is dropped, every Waker clone one. The cell is freed when the count reaches zero. `live_wakers`
// counts the Waker clones alone: a pending task with none and no pending wake has lost its waker.
//
// Who touches what: the header is only touched on the runtime's thread (current-thread runtime).
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/future.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::detail {

class Scheduler;
struct TaskHeader;

struct TaskVTable {
  // Polls the future once. On completion stores the output (or the panic), destroys the future and
  // returns true.
  bool (*poll)(TaskHeader*, Context&);
  // Destroys the future in place: cancellation. Every destructor of what it owns runs now.
  void (*drop_future)(TaskHeader*);
  // Frees the cell, destroying an output nobody took.
  void (*dealloc)(TaskHeader*);
};

namespace task_state {
inline constexpr std::uint8_t scheduled = 1;
inline constexpr std::uint8_t running = 2;
inline constexpr std::uint8_t notified = 4;
inline constexpr std::uint8_t complete = 8;
inline constexpr std::uint8_t cancel = 16;
inline constexpr std::uint8_t future_gone = 32;
inline constexpr std::uint8_t output = 64;
inline constexpr std::uint8_t orphaned = 128;
}  // namespace task_state

// Kept small on purpose: a million live tasks means a million headers (spawn_many).
struct TaskHeader {
  const TaskVTable* vtable;
  Scheduler* scheduler;
  Waker join_waker;                // who awaits the JoinHandle
  std::exception_ptr panic;        // set when the future threw
  std::source_location parked_at;  // the innermost await the last Pending poll stopped at
  std::uint32_t id = 0;
  std::uint32_t refs = 1;
  std::uint32_t live_wakers = 0;
  std::uint32_t waiting_on = 0;  // resource the last Pending poll waited on (0: none known)
  // tokio-console's counters; cheap enough to keep always, and the lints read them.
  std::uint32_t polls = 0;
  std::uint32_t wakes = 0;
  std::uint32_t self_wakes = 0;
  std::uint8_t state = 0;
  trace::Outcome outcome = trace::Outcome::ok;

  TaskHeader(const TaskVTable* vt, Scheduler* s) : vtable(vt), scheduler(s) {}

  bool is_complete() const { return state & task_state::complete; }

  void add_ref() { ++refs; }
  void release() {
    if (--refs == 0) vtable->dealloc(this);
  }
};

// The header plus the output slot, typed by the output only so a JoinHandle<T> can read it without
// knowing the future's type.
template <class T>
struct TaskOutput : TaskHeader {
  using Value = stored_t<T>;
  union {
    Value value;
  };

  // User-provided (not inherited) so the slot may hold a type with a non-trivial default
  // constructor (std::string, Waker): an inherited constructor would be deleted for such a union.
  TaskOutput(const TaskVTable* vt, Scheduler* s) : TaskHeader(vt, s) {}
  ~TaskOutput() {
    if (has_value()) value.~Value();
  }
  bool has_value() const { return state & task_state::output; }
  Value take_value() {
    state &= static_cast<std::uint8_t>(~task_state::output);
    Value v = std::move(value);
    value.~Value();
    return v;
  }
};

template <Future F>
struct TaskCell final : TaskOutput<output_t<F>> {
  using T = output_t<F>;
  union {
    F future;
  };

  TaskCell(F&& f, Scheduler* s) : TaskOutput<T>(&vtable_, s), future(std::move(f)) {}
  ~TaskCell() {}

  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::deallocate(p, n); }

 private:
  static bool poll_fn(TaskHeader* h, Context& cx) {
    auto* self = static_cast<TaskCell*>(h);
    try {
      auto r = self->future.poll(cx);
      if (r.is_pending()) return false;
      if constexpr (std::is_void_v<T>) {
        ::new (&self->value) std::monostate{};
      } else {
        ::new (&self->value) T(r.take());
      }
      self->state |= task_state::output;
    } catch (...) {
      self->panic = std::current_exception();
      self->outcome = trace::Outcome::panicked;
    }
    drop_fn(h);
    return true;
  }
  static void drop_fn(TaskHeader* h) {
    auto* self = static_cast<TaskCell*>(h);
    if (self->state & task_state::future_gone) return;
    self->state |= task_state::future_gone;
    self->future.~F();
  }
  static void dealloc_fn(TaskHeader* h) {
    auto* self = static_cast<TaskCell*>(h);
    drop_fn(h);
    delete self;
  }
  static constexpr TaskVTable vtable_{&poll_fn, &drop_fn, &dealloc_fn};
};

// Lets `spawn` take a callable that returns a future: the callable is stored in the cell and invoked
// at the first poll, so a coroutine lambda's captures live exactly as long as the task that uses them
// (a coroutine lambda called on the spot would leave its frame pointing at a dead closure).
template <class Fn>
class DeferredFuture {
 public:
  using Inner = std::invoke_result_t<Fn&>;
  using Output = output_t<Inner>;

  explicit DeferredFuture(Fn fn) : fn_(std::move(fn)) {}
  DeferredFuture(DeferredFuture&&) = default;

  Poll<Output> poll(Context& cx) {
    if (!inner_) inner_.emplace(fn_());
    return inner_->poll(cx);
  }

 private:
  Fn fn_;
  std::optional<Inner> inner_;
};

}  // namespace asynclab::detail
