#pragma once
// The task cell: what `spawn` allocates — a header the scheduler works with, the future, and a slot
// for the output. Mirrors tokio's runtime/task/{core,state}.rs.
//
// States (bits of `state`):
// * SCHEDULED  — the task sits in a run queue. Only the scheduler sets and clears it.
// * RUNNING    — the task is being polled right now.
// * NOTIFIED   — woken while RUNNING: the scheduler requeues it when the poll returns Pending.
// * COMPLETE   — the future finished, panicked or was cancelled; the output slot is final. Never cleared.
// * CANCEL     — abort() was requested; the next time the scheduler picks the task it drops the future
//                instead of polling it.
// * ORPHANED   — the scheduler is gone but Waker clones still point here: they only count down and
//                release the cell, never touching the scheduler.
// * JOIN_WAKER — (threaded runtime only) a JoinHandle or JoinSet has stored a join waker. Never
//                cleared; only tells the finishing worker whether to look (see below).
//
// Bits of `cell` (not shared: only the worker polling or finishing the task writes them, and the
// JoinHandle reads them once COMPLETE is seen):
// * FUTURE_GONE — the future has been destroyed (on completion, cancellation or runtime shutdown).
// * OUTPUT     — the output slot holds a value nobody has taken yet.
//
// References (`refs`): the scheduler holds one from spawn until COMPLETE, the JoinHandle one until it
// is dropped, every Waker clone one. The cell is freed when the count reaches zero. `live_wakers`
// counts the Waker clones alone: a pending task with none and no pending wake has lost its waker.
//
// Who touches what, and how:
// * Current-thread and simulated runtimes (`concurrent` false): everything happens on the runtime's
//   thread, so the shared fields are read and written with plain loads and stores (TaskField's
//   operators) — no atomic read-modify-write on the hot path.
// * The threaded runtime (`concurrent` true: real worker threads, wakers used from any thread):
//   - `state` changes only by atomic read-modify-write: fetch_or / fetch_and where one bit moves,
//     compare-and-swap where a transition depends on other bits (src/worker_threads.cpp:
//     idle → SCHEDULED on a wake; SCHEDULED → RUNNING when a worker picks it; RUNNING → idle, or
//     back to SCHEDULED when NOTIFIED, when the poll returns). So exactly one worker polls a task
//     at a time, and a wake during a poll is never lost.
//   - `refs`, `live_wakers` are counted with atomic fetch_add/fetch_sub; so is `other_wakes`,
//     only in a traced run (the self-wake lint, its only reader, runs only then).
//   - `join_waker` is read and written under `join_lock`. Whoever stores one (JoinHandle::poll,
//     JoinSet) then sets JOIN_WAKER by fetch_or, still under the lock; the finishing worker sets
//     COMPLETE by compare-and-swap. Both are read-modify-writes of `state`, so one sees the other:
//     either the storer sees COMPLETE (and takes the output instead of waiting), or the finisher
//     sees JOIN_WAKER and takes `join_lock` to wake the waker. A task nobody awaits (a detached
//     spawn) finishes without touching the lock.
//   - The output slot is written by the worker that completes the task before it sets COMPLETE
//     (release), and read after COMPLETE is seen (acquire).
//   - `polls`, `self_wakes`, `waiting_on`, `parked_at`, `panic`, `outcome` belong to the worker
//     polling the task (a self-wake happens inside its poll); passing the task through a run queue
//     (a lock) hands them to the next one.
#include <atomic>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/detail/spin_lock.hpp"
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
inline constexpr std::uint8_t join_waker = 32;
inline constexpr std::uint8_t orphaned = 128;
}  // namespace task_state

namespace cell_state {
inline constexpr std::uint8_t future_gone = 1;
inline constexpr std::uint8_t output = 2;
}  // namespace cell_state

// A counter or bit set the task header shares between threads only in the threaded runtime.
// Stored as a plain value: the single-threaded runtimes read and write it with ordinary loads and
// stores (its operators), which the compiler can combine and keep in registers. Code that may run
// while worker threads touch the same header uses the named operations, which go through
// std::atomic_ref: load(), the fetch_ operations, compare_exchange.
template <class T>
class TaskField {
 public:
  explicit TaskField(T v = 0) : v_(v) {}
  operator T() const { return v_; }
  TaskField& operator=(T v) {
    v_ = v;
    return *this;
  }
  TaskField& operator|=(T bits) { return *this = static_cast<T>(v_ | bits); }
  TaskField& operator&=(T bits) { return *this = static_cast<T>(v_ & bits); }
  TaskField& operator++() { return *this = static_cast<T>(v_ + 1); }
  TaskField& operator--() { return *this = static_cast<T>(v_ - 1); }

  T load() const { return std::atomic_ref<const T>(v_).load(std::memory_order_acquire); }
  T fetch_or(T bits) { return ref().fetch_or(bits, std::memory_order_acq_rel); }
  T fetch_and(T bits) { return ref().fetch_and(bits, std::memory_order_acq_rel); }
  T fetch_add(T n, std::memory_order order = std::memory_order_relaxed) { return ref().fetch_add(n, order); }
  T fetch_sub(T n) { return ref().fetch_sub(n, std::memory_order_acq_rel); }
  bool compare_exchange(T& expected, T desired) {
    return ref().compare_exchange_weak(expected, desired, std::memory_order_acq_rel, std::memory_order_acquire);
  }

  // Either way, by the mode the header says (for code both kinds of runtime run).
  T read(bool concurrent) const { return concurrent ? load() : v_; }
  void increment(bool concurrent) {
    if (concurrent) fetch_add(1);
    else ++*this;
  }
  // Returns the value after the decrement.
  T decrement(bool concurrent) {
    if (concurrent) return static_cast<T>(fetch_sub(1) - 1);
    return --*this, v_;
  }

 private:
  std::atomic_ref<T> ref() { return std::atomic_ref<T>(v_); }
  alignas(std::atomic_ref<T>::required_alignment) T v_;
};

// Kept small on purpose: a million live tasks means a million headers (spawn_many).
struct TaskHeader {
  const TaskVTable* vtable;
  Scheduler* scheduler;
  Waker join_waker;                // who awaits the JoinHandle (under join_lock when concurrent)
  std::exception_ptr panic;        // set when the future threw
  std::source_location parked_at;  // the innermost await the last Pending poll stopped at
  std::uint32_t id = 0;
  TaskField<std::uint32_t> refs{1};
  TaskField<std::uint32_t> live_wakers{0};
  std::uint32_t waiting_on = 0;  // resource the last Pending poll waited on (0: none known)
  // tokio-console's counters, for the lints. Kept always on a single thread; on worker threads only
  // in a traced run. A wake is counted in one of the two: self_wakes (the task woke itself during
  // its poll: the poller's own, a plain increment) or other_wakes (any other wake, from any
  // thread: an atomic one; also the yields the budget forces, which the lint does not blame).
  std::uint32_t polls = 0;
  std::uint32_t self_wakes = 0;
  TaskField<std::uint32_t> other_wakes{0};
  TaskField<std::uint8_t> state{0};
  std::uint8_t cell = 0;  // cell_state bits
  trace::Outcome outcome = trace::Outcome::ok;
  bool concurrent = false;  // the scheduler runs worker threads (see the rules above)
  SpinLock join_lock;

  TaskHeader(const TaskVTable* vt, Scheduler* s, bool threaded = false)
      : vtable(vt), scheduler(s), concurrent(threaded) {}

  bool is_complete() const { return state.read(concurrent) & task_state::complete; }

  void add_ref() { refs.increment(concurrent); }
  void release() {
    if (refs.decrement(concurrent) == 0) vtable->dealloc(this);
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
  TaskOutput(const TaskVTable* vt, Scheduler* s, bool threaded) : TaskHeader(vt, s, threaded) {}
  ~TaskOutput() {
    if (has_value()) value.~Value();
  }
  bool has_value() const { return this->cell & cell_state::output; }
  Value take_value() {
    this->cell &= static_cast<std::uint8_t>(~cell_state::output);
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

  TaskCell(F&& f, Scheduler* s, bool threaded) : TaskOutput<T>(&vtable_, s, threaded), future(std::move(f)) {}
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
      self->cell |= cell_state::output;
    } catch (...) {
      self->panic = std::current_exception();
      self->outcome = trace::Outcome::panicked;
    }
    drop_fn(h);
    return true;
  }
  static void drop_fn(TaskHeader* h) {
    auto* self = static_cast<TaskCell*>(h);
    if (self->cell & cell_state::future_gone) return;
    self->cell |= cell_state::future_gone;
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
