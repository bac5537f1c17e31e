#pragma once
// Mutex — `tokio::sync::Mutex<T>`: an asynchronous lock around a value. `co_await m.lock()` waits
// without blocking the worker, so a MutexGuard may be held across an await (which a std::mutex must
// never be).
//
// States of the lock:
// * FREE   — no guard exists and nobody waits. (FREE implies an empty queue.)
// * HELD   — a MutexGuard exists. `holder` is the task that acquired it. Tasks that ask for the lock
//            now queue, first come first served.
// * HANDED — the guard was dropped while tasks waited: the lock went straight to the longest waiter,
//            whose task has been woken but has not polled its lock future yet. It counts as held by
//            that task; nobody else can take it in between.
//
// Invariants:
// * Fair, FIFO (Tokio's lock is): locks are granted in the order the lock futures were first polled.
//   Dropping a guard hands the lock to the head of the queue; neither try_lock nor a newly polled
//   lock() can barge past a waiting task.
// * At most one MutexGuard of a Mutex exists at a time; the value is only reached through it.
// * The Mutex is not reentrant: a task that locks it again while holding its guard waits forever
//   (the deadlock report shows a wait-for cycle of one task).
//
// Who may touch what:
// * The value: only whoever holds the guard (`*guard`, `guard->`).
// * The queue: lock futures link their own waiter node (which lives inside the future) at their
//   first Pending poll and unlink it in their destructor; dropping a guard unlinks the head. A lock
//   future is pinned from its first poll (it may be moved before, as every future may).
// * The Mutex itself is neither copyable nor movable, and must outlive every lock future and guard
//   borrowing it. Tokio shares it through an Arc; here keep it where it outlives the tasks using it
//   (before the Runtime in the same scope, a local of the future that awaits those tasks, or a
//   std::shared_ptr the tasks capture).
//
// Cancel safety (as Tokio documents it):
// * lock() is cancel safe. It uses a queue to hand out the lock in request order; dropping a pending
//   lock future only gives up its place in the queue. If the lock had already been handed to it but
//   it was dropped before being polled again, the lock passes on to the next waiter (or becomes free).
// * Dropping a MutexGuard unlocks, wherever it is dropped — including when the task holding it is
//   cancelled (abort, a lost select branch, runtime shutdown): RAII.
//
// Trace (through detail::Resource): resource_created with kind mutex and limit 1; lock_waiting when a
// lock future queues (b: tasks waiting, this one included); lock_acquired when a guard is created
// (by try_lock, or a lock future answering Ready; b: 0); lock_released when a guard is dropped (b: 0),
// recorded before the wake of the task it hands the lock to. A lock future calls wait_here() right
// before answering Pending, so the deadlock report knows which mutex a stuck task waits on; the
// report's holder is the task that acquired the guard (a guard moved to another task keeps naming
// the task that acquired it) or, while HANDED, the waiter it was handed to; its state reads
// "held by task 3, 2 waiting" ("handed to task 4, ...", "free").
//
// Threads: lock futures, guards and try_lock may run on several threads at once. The lock's state,
// holder, queue and every queued future's state and Waker are read and written only under the
// MutexCore's StateLock (the value itself is guarded by the Mutex: the StateLock's release/acquire
// orders one holder's writes before the next holder's reads); trace events are recorded under it;
// the wake of the next holder (and any Waker dropped) happens after the unlock.
#include <cassert>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "asynclab/coop.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/state_lock.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/waiter_queue.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync {

template <class T>
class Mutex;
template <class T>
class MutexGuard;
template <class T>
class MutexLock;

namespace lock_detail {

// What a lock future keeps inside itself.
struct MutexWaiter : WaiterNode {
  enum class State : std::uint8_t { idle, queued, handed, done };
  State state = State::idle;
};

// The lock without the value: every Mutex<T> shares this code, whatever T is.
class MutexCore final : public ::asynclab::detail::Resource {
 public:
  explicit MutexCore(std::string_view name) : Resource(trace::ResourceKind::mutex, name, 1) {}
  ~MutexCore() override { assert(!locked_ && waiters_.empty() && "a Mutex was destroyed while locked or awaited"); }

  // FREE -> HELD by the running task. False when held or handed.
  bool try_acquire() {
    std::lock_guard g(lock_);
    return try_acquire_locked();
  }

  // One poll of a lock future: true when its task now holds the lock.
  bool poll_lock(MutexWaiter& w, Context& cx) {
    Waker old;  // a replaced waker, dropped after the unlock
    std::lock_guard g(lock_);
    return poll_lock_locked(w, cx, old);
  }

  // A lock future is being dropped: leave the queue, or pass on a lock handed to it but never taken.
  void cancel(MutexWaiter& w) {
    if (!w.ever_queued) return;  // never queued: nobody else can have touched it
    WakeList woken;              // destroyed last: wakes after the unlock and after `old` is dropped
    Waker old;
    std::lock_guard g(lock_);
    if (w.state == MutexWaiter::State::queued) {
      waiters_.remove(&w);
      old = std::move(w.waker);
    } else if (w.state == MutexWaiter::State::handed) {
      w.state = MutexWaiter::State::done;
      pass_on(woken);
    }
  }

  // A guard was dropped.
  void unlock() {
    WakeList woken;  // woken by its destructor, after the unlock
    std::lock_guard g(lock_);
    assert(locked_ && !handed_);
    if (tracing()) [[unlikely]]
      record(trace::EventKind::lock_released, 0);
    pass_on(woken);
  }

  std::size_t waiting() const {
    std::lock_guard g(lock_);
    return waiters_.size();
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    if (!locked_) {
      out.state = "free";
      return;
    }
    if (holder_) out.holders.push_back(holder_);
    std::string who = holder_ ? "task " + std::to_string(holder_) : std::string("code outside any task");
    out.state = (handed_ ? "handed to " : "held by ") + who + ", " + std::to_string(waiters_.size()) + " waiting";
  }

 private:
  bool try_acquire_locked() {
    if (locked_) return false;
    locked_ = true;
    holder_ = running_task();
    if (tracing()) [[unlikely]]
      record(trace::EventKind::lock_acquired, 0);
    return true;
  }

  bool poll_lock_locked(MutexWaiter& w, Context& cx, Waker& old) {
    switch (w.state) {
      case MutexWaiter::State::idle:
        if (try_acquire_locked()) {
          w.state = MutexWaiter::State::done;
          return true;
        }
        w.task = running_task();
        w.waker = cx.waker();
        waiters_.push_back(&w);
        w.ever_queued = true;
        w.state = MutexWaiter::State::queued;
        if (tracing()) [[unlikely]]
          record(trace::EventKind::lock_waiting, static_cast<std::uint32_t>(waiters_.size()));
        wait_here();
        return false;
      case MutexWaiter::State::queued:
        w.refresh(cx.waker(), old);
        wait_here();
        return false;
      case MutexWaiter::State::handed:
        w.state = MutexWaiter::State::done;
        handed_ = false;
        holder_ = running_task();
        if (tracing()) [[unlikely]]
          record(trace::EventKind::lock_acquired, 0);
        return true;
      case MutexWaiter::State::done:
        break;
    }
    assert(false && "a Mutex lock future was polled after it completed");
    return false;
  }

  // The lock leaves its holder: straight to the longest waiter (HANDED), or FREE when nobody waits.
  void pass_on(WakeList& woken) {
    WaiterNode* n = waiters_.pop_front();
    if (!n) {
      locked_ = false;
      handed_ = false;
      holder_ = 0;
      return;
    }
    auto& w = static_cast<MutexWaiter&>(*n);
    w.state = MutexWaiter::State::handed;
    handed_ = true;
    holder_ = w.task;
    woken.push_back(&w);
  }

  mutable ::asynclab::detail::StateLock lock_{::asynclab::detail::may_be_shared_across_threads()};
  WaiterQueue waiters_;
  std::uint32_t holder_ = 0;  // the task holding it (or handed it); 0 when free or held outside tasks
  bool locked_ = false;       // HELD or HANDED
  bool handed_ = false;       // HANDED
};

}  // namespace lock_detail

// The proof of holding the lock: gives access to the value, unlocks when dropped. Movable (the lock
// moves with it), not copyable.
template <class T>
class [[nodiscard("dropping a MutexGuard unlocks at once")]] MutexGuard {
 public:
  MutexGuard(MutexGuard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
  MutexGuard& operator=(MutexGuard&& other) noexcept {
    if (this != &other) {
      release();
      mutex_ = std::exchange(other.mutex_, nullptr);
    }
    return *this;
  }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;
  ~MutexGuard() { release(); }

  T& operator*() const {
    assert(mutex_ && "a moved-from MutexGuard holds no lock");
    return mutex_->value_;
  }
  T* operator->() const {
    assert(mutex_ && "a moved-from MutexGuard holds no lock");
    return &mutex_->value_;
  }

 private:
  friend class Mutex<T>;
  friend class MutexLock<T>;
  explicit MutexGuard(Mutex<T>& m) : mutex_(&m) {}
  void release() {
    if (mutex_) std::exchange(mutex_, nullptr)->core_.unlock();
  }
  Mutex<T>* mutex_;
};

// The future lock() returns. Output: the MutexGuard. See the rules above for its cancel safety.
template <class T>
class [[nodiscard("futures are lazy: lock() does nothing until it is awaited")]] MutexLock {
 public:
  using Output = MutexGuard<T>;

  explicit MutexLock(Mutex<T>& m) : mutex_(&m) {}
  // Futures move only before their first poll (future.hpp): the waiter node must not move once queued.
  MutexLock(MutexLock&& other) noexcept : mutex_(other.mutex_) {
    assert(other.waiter_.state == lock_detail::MutexWaiter::State::idle && "a lock future was moved after its first poll");
  }
  MutexLock& operator=(MutexLock&&) = delete;
  ~MutexLock() { mutex_->core_.cancel(waiter_); }

  Poll<MutexGuard<T>> poll(Context& cx) {
    return coop::budgeted<MutexGuard<T>>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<MutexGuard<T>> poll_unbudgeted(Context& cx) {
    if (mutex_->core_.poll_lock(waiter_, cx)) return Poll<MutexGuard<T>>::ready(MutexGuard<T>(*mutex_));
    return Poll<MutexGuard<T>>::pending();
  }

 private:
  Mutex<T>* mutex_;
  lock_detail::MutexWaiter waiter_;
};

template <class T>
class Mutex {
 public:
  explicit Mutex(T value, std::string_view name = {}) : core_(name), value_(std::move(value)) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Waits for the lock, first come first served. Cancel safe (see the rules above).
  MutexLock<T> lock() { return MutexLock<T>(*this); }

  // Takes the lock if it is free right now. Never barges: a lock handed to a waiter is not free.
  std::optional<MutexGuard<T>> try_lock() {
    if (!core_.try_acquire()) return std::nullopt;
    return MutexGuard<T>(*this);
  }

  const std::string& name() const { return core_.name(); }
  // The resource's id in the trace (0 until it joined a runtime).
  std::uint32_t resource_id() const { return core_.id(); }

 private:
  friend class MutexGuard<T>;
  friend class MutexLock<T>;
  lock_detail::MutexCore core_;
  T value_;
};

}  // namespace asynclab::sync
