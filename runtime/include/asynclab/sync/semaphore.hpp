#pragma once
// Semaphore — `tokio::sync::Semaphore`: a count of permits. `co_await s.acquire()` waits for one
// (acquire_many(n) for n at once); the SemaphorePermit gives them back when dropped. The usual use:
// "never more than K of these at a time".
//
// States:
// * OPEN   — acquire waits while permits are short; close() moves to CLOSED, never back.
// * CLOSED — every waiter fails with AcquireError, and so does every later acquire or try_acquire.
//            Permits already out stay valid and still come back when dropped.
// And of each acquire future: idle (not polled) -> queued (waiting; may already have part of its
// permits set aside) -> granted (all its permits set aside, task woken) -> done; or -> closed.
//
// Invariants:
// * Never over-issues: available + held by permits + set aside for waiters == total, where total is
//   the initial count plus add_permits minus forget; a permit is only created from available or
//   set-aside permits.
// * Fair, FIFO, like Tokio's: permits go to waiters in the order their futures were first polled.
//   Released permits go to the head of the queue first — even partly, when it asks for more than
//   there are — so a large acquire_many at the head blocks later small acquires until it is served.
//   Hence: tasks waiting implies no permit available, and try_acquire never barges past the queue.
// * When one release (add_permits, a permit's drop, a dropped acquire) serves several waiters, they
//   are woken as Tokio 1.24 wakes them: 32 at a time from the head, each 32 newest first — the
//   permits are theirs in queue order, but the last served runs first. close() wakes in queue order.
// * At most MAX_PERMITS permits ever exist (Tokio's limit); more is a bug (std::length_error).
//
// Who may touch what:
// * Acquire futures link their own waiter node (inside the future) at their first Pending poll and
//   unlink it in their destructor; a release or add_permits unlinks waiters it satisfies; close()
//   unlinks every waiter. An acquire future is pinned from its first poll.
// * A SemaphorePermit is owned by whoever holds it; it may be moved (also to another task).
// * The Semaphore is neither copyable nor movable and must outlive every future and permit
//   borrowing it (Tokio shares it through an Arc; see mutex.hpp for where to keep it).
//
// Cancel safety (as Tokio documents it):
// * acquire() and acquire_many(n) are cancel safe: they use a queue to hand out permits in request
//   order, and dropping a pending one only gives up its place in the queue. Permits already set
//   aside for it (part of n, or all n when it was granted but dropped before its next poll) are
//   released at once, to the next waiters or back to the semaphore.
// * Dropping a SemaphorePermit releases its permits, also when the task holding it is cancelled.
//   forget() is the way to drop one without releasing (the permits are gone for good).
//
// Trace (through detail::Resource): resource_created with kind semaphore and limit = the initial
// permits; lock_waiting when an acquire queues (b: tasks waiting, this one included); lock_acquired
// when a permit is created (b: permits available after); lock_released when a permit is dropped
// (b: permits available after it was handed on), recorded before the wakes it causes. An acquire
// future calls wait_here() right before answering Pending. For the deadlock report the holders are
// the tasks that acquired the permits still out (recorded when each permit was created), and the
// state reads "0 of 3 permits free, 1 waiting".
//
// Threads: acquires, permits (dropped, forgotten, merged, split) and add_permits/close may run on
// several threads at once. The counts, the holders, the queue and every queued future's state and
// Waker are read and written only under the Semaphore's StateLock; the trace event of an operation is
// recorded under it; the wakes (and any Waker dropped) happen after the unlock.
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asynclab/coop.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/state_lock.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/waiter_queue.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync {

// The semaphore was closed: acquire cannot succeed any more.
struct AcquireError {
  const char* message() const { return "semaphore closed"; }
};

// Why try_acquire failed: Tokio's TryAcquireError::{Closed, NoPermits}.
enum class TryAcquireError { closed, no_permits };
inline const char* message(TryAcquireError e) {
  return e == TryAcquireError::closed ? "semaphore closed" : "no permits available";
}

class Semaphore;

// Permits taken from a Semaphore, released when dropped.
class [[nodiscard("dropping a SemaphorePermit releases it at once")]] SemaphorePermit {
 public:
  SemaphorePermit(SemaphorePermit&& other) noexcept
      : sem_(std::exchange(other.sem_, nullptr)), permits_(std::exchange(other.permits_, 0)), task_(other.task_) {}
  SemaphorePermit& operator=(SemaphorePermit&& other) noexcept;
  SemaphorePermit(const SemaphorePermit&) = delete;
  SemaphorePermit& operator=(const SemaphorePermit&) = delete;
  ~SemaphorePermit();

  std::uint32_t num_permits() const { return permits_; }
  // Drops the permits without releasing them: the semaphore has that many fewer for good.
  void forget();
  // Takes the other permit's permits into this one (both must come from the same semaphore).
  void merge(SemaphorePermit&& other);
  // Splits n permits off into a new permit; nullopt when this one has fewer than n.
  std::optional<SemaphorePermit> split(std::uint32_t n);

 private:
  friend class Semaphore;
  SemaphorePermit(Semaphore* sem, std::uint32_t permits, std::uint32_t task)
      : sem_(sem), permits_(permits), task_(task) {}
  void release();

  Semaphore* sem_;
  std::uint32_t permits_;
  std::uint32_t task_;  // the task that acquired it, for the deadlock report
};

namespace lock_detail {

struct SemaphoreWaiter : WaiterNode {
  enum class State : std::uint8_t { idle, queued, granted, closed, done };
  State state = State::idle;
  std::uint32_t needed = 0;    // permits still missing
  std::uint32_t assigned = 0;  // permits already set aside for it
};

}  // namespace lock_detail

// The future acquire() and acquire_many(n) return.
class [[nodiscard("futures are lazy: acquire() does nothing until it is awaited")]] Acquire {
 public:
  using Output = std::expected<SemaphorePermit, AcquireError>;

  Acquire(Semaphore& sem, std::uint32_t n) : sem_(&sem), permits_(n) {}
  // Futures move only before their first poll (future.hpp): the waiter node must not move once queued.
  Acquire(Acquire&& other) noexcept : sem_(other.sem_), permits_(other.permits_) {
    assert(other.waiter_.state == lock_detail::SemaphoreWaiter::State::idle &&
           "an acquire future was moved after its first poll");
  }
  Acquire& operator=(Acquire&&) = delete;
  ~Acquire();

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx);

 private:
  Semaphore* sem_;
  std::uint32_t permits_;
  lock_detail::SemaphoreWaiter waiter_;
};

class Semaphore : public ::asynclab::detail::Resource {
 public:
  // Tokio's limit: usize::MAX >> 3.
  static constexpr std::size_t MAX_PERMITS = SIZE_MAX >> 3;

  explicit Semaphore(std::size_t permits, std::string_view name = {})
      : Resource(trace::ResourceKind::semaphore, name, checked(permits)), available_(permits), total_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  ~Semaphore() override {
    assert(waiters_.empty() && holders_.empty() && "a Semaphore was destroyed while tasks wait on it or hold its permits");
  }

  // Waits for one permit / n permits, first come first served. Cancel safe (see the rules above).
  Acquire acquire() { return Acquire(*this, 1); }
  Acquire acquire_many(std::uint32_t n) { return Acquire(*this, n); }

  std::expected<SemaphorePermit, TryAcquireError> try_acquire() { return try_acquire_many(1); }
  std::expected<SemaphorePermit, TryAcquireError> try_acquire_many(std::uint32_t n) {
    std::lock_guard g(lock_);
    if (closed_) return std::unexpected(TryAcquireError::closed);
    if (available_ < n) return std::unexpected(TryAcquireError::no_permits);
    return take(n);
  }

  // Adds n permits: to the waiters first (FIFO), the rest to the available count.
  void add_permits(std::size_t n) {
    lock_detail::WakeList woken(lock_detail::WakeOrder::tokio_batches);  // woken after the unlock
    std::lock_guard g(lock_);
    if (n > MAX_PERMITS - total_)
      throw std::length_error("add_permits would exceed Semaphore::MAX_PERMITS permits");
    total_ += n;
    hand_out(n, woken);
  }

  std::size_t available_permits() const {
    std::lock_guard g(lock_);
    return available_;
  }

  // Closes the semaphore: every waiter fails with AcquireError now, every later acquire at once.
  void close() {
    lock_detail::WakeList woken;  // woken by its destructor, after the unlock
    std::lock_guard g(lock_);
    closed_ = true;
    while (auto* n = waiters_.pop_front()) {
      auto& w = static_cast<lock_detail::SemaphoreWaiter&>(*n);
      available_ += w.assigned;  // nobody is left in the queue to take them
      w.assigned = 0;
      w.state = lock_detail::SemaphoreWaiter::State::closed;
      woken.push_back(&w);
    }
  }
  bool is_closed() const {
    std::lock_guard g(lock_);
    return closed_;
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    for (std::uint32_t t : holders_)
      if (t && std::find(out.holders.begin(), out.holders.end(), t) == out.holders.end()) out.holders.push_back(t);
    out.state = std::to_string(available_) + " of " + std::to_string(total_) + " permits free, " +
                std::to_string(waiters_.size()) + " waiting";
    if (auto* head = waiters_.front()) {
      auto* w = static_cast<const lock_detail::SemaphoreWaiter*>(head);
      if (w->assigned)
        out.state += " (the first has " + std::to_string(w->assigned) + " of " + std::to_string(w->assigned + w->needed) +
                     " set aside)";
    }
    if (closed_) out.state += ", closed";
  }

 private:
  friend class Acquire;
  friend class SemaphorePermit;

  // A permit for n permits, taken from available right now.
  SemaphorePermit take(std::uint32_t n) {
    available_ -= n;
    return make_permit(n);
  }
  SemaphorePermit make_permit(std::uint32_t n) {
    const std::uint32_t task = lock_detail::running_task();
    if (n) holders_.push_back(task);
    if (lock_detail::tracing()) [[unlikely]]
      record(trace::EventKind::lock_acquired, saturate(available_));
    return SemaphorePermit(this, n, task);
  }

  enum class Polled { ready, pending, closed };
  // Under the lock; a replaced waker goes to `old`.
  Polled poll_acquire(lock_detail::SemaphoreWaiter& w, std::uint32_t n, Context& cx, Waker& old) {
    using State = lock_detail::SemaphoreWaiter::State;
    switch (w.state) {
      case State::idle:
        if (closed_) {
          w.state = State::done;
          return Polled::closed;
        }
        if (available_ >= n) {  // tasks waiting implies available_ == 0, so this never barges
          available_ -= n;
          w.state = State::done;
          return Polled::ready;
        }
        // Take what there is and queue for the rest, as Tokio does.
        w.assigned = static_cast<std::uint32_t>(available_);
        w.needed = n - w.assigned;
        available_ = 0;
        w.task = lock_detail::running_task();
        w.waker = cx.waker();
        waiters_.push_back(&w);
        w.ever_queued = true;
        w.state = State::queued;
        if (lock_detail::tracing()) [[unlikely]]
          record(trace::EventKind::lock_waiting, static_cast<std::uint32_t>(waiters_.size()));
        wait_here();
        return Polled::pending;
      case State::queued:
        w.refresh(cx.waker(), old);
        wait_here();
        return Polled::pending;
      case State::granted:
        w.state = State::done;
        w.assigned = 0;
        return Polled::ready;
      case State::closed:
        w.state = State::done;
        return Polled::closed;
      case State::done:
        break;
    }
    assert(false && "a Semaphore acquire future was polled after it completed");
    return Polled::pending;
  }

  // An acquire future is being dropped: leave the queue and give back what was set aside for it.
  void cancel(lock_detail::SemaphoreWaiter& w, std::uint32_t n) {
    using State = lock_detail::SemaphoreWaiter::State;
    if (!w.ever_queued) return;   // completed (or never polled) without queueing: nothing to give back
    // Destroyed last: wakes after the unlock and after `old` is dropped.
    lock_detail::WakeList woken(lock_detail::WakeOrder::tokio_batches);
    Waker old;
    std::lock_guard g(lock_);
    std::uint32_t give_back = 0;
    if (w.state == State::queued) {
      waiters_.remove(&w);
      old = std::move(w.waker);
      give_back = w.assigned;
    } else if (w.state == State::granted) {
      give_back = n;
    } else {
      return;
    }
    w.state = State::done;
    w.assigned = 0;
    if (give_back == 0) return;
    hand_out(give_back, woken);
  }

  // A permit is dropped.
  void release(std::uint32_t n, std::uint32_t task) {
    lock_detail::WakeList woken(lock_detail::WakeOrder::tokio_batches);  // woken after the unlock
    std::lock_guard g(lock_);
    forget_holder(n, task);
    hand_out(n, woken);
    if (lock_detail::tracing()) [[unlikely]]
      record(trace::EventKind::lock_released, saturate(available_));
  }

  // A permit is forgotten: its permits leave the semaphore for good.
  void forget(std::uint32_t n, std::uint32_t task) {
    std::lock_guard g(lock_);
    forget_holder(n, task);
    total_ -= n;
  }

  void forget_holder(std::uint32_t n, std::uint32_t task) {
    if (n == 0) return;
    auto it = std::find(holders_.rbegin(), holders_.rend(), task);
    assert(it != holders_.rend());
    holders_.erase(std::next(it).base());
  }

  // Gives n permits to the waiters, head first; those now complete are unlinked into `woken`.
  // Whatever is left over becomes available.
  void hand_out(std::size_t n, lock_detail::WakeList& woken) {
    while (n && !waiters_.empty()) {
      auto& w = static_cast<lock_detail::SemaphoreWaiter&>(*waiters_.front());
      const auto give = static_cast<std::uint32_t>(std::min<std::size_t>(n, w.needed));
      w.needed -= give;
      w.assigned += give;
      n -= give;
      if (w.needed) break;  // n is spent: the head keeps waiting with what it has
      waiters_.pop_front();
      w.state = lock_detail::SemaphoreWaiter::State::granted;
      woken.push_back(&w);
    }
    available_ += n;
  }

  // Checked before the Resource joins the runtime, so a refused semaphore leaves no trace.
  static std::size_t checked(std::size_t permits) {
    if (permits > MAX_PERMITS) throw std::length_error("a semaphore can hold at most Semaphore::MAX_PERMITS permits");
    return permits;
  }
  static std::uint32_t saturate(std::size_t v) { return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v); }

  mutable ::asynclab::detail::StateLock lock_{::asynclab::detail::may_be_shared_across_threads()};
  lock_detail::WaiterQueue waiters_;
  std::size_t available_;
  std::size_t total_;  // available + out in permits + set aside for waiters
  // The task of every permit still out (one entry per permit object holding at least one permit).
  std::vector<std::uint32_t> holders_;
  bool closed_ = false;
};

// --- Acquire -----------------------------------------------------------------------------------

inline Acquire::~Acquire() { sem_->cancel(waiter_, permits_); }

inline Poll<Acquire::Output> Acquire::poll_unbudgeted(Context& cx) {
  Waker old;  // a replaced waker, dropped after the unlock
  std::lock_guard g(sem_->lock_);
  switch (sem_->poll_acquire(waiter_, permits_, cx, old)) {
    case Semaphore::Polled::ready:
      return Poll<Output>::ready(sem_->make_permit(permits_));
    case Semaphore::Polled::closed:
      return Poll<Output>::ready(std::unexpected(AcquireError{}));
    case Semaphore::Polled::pending:
      break;
  }
  return Poll<Output>::pending();
}

// --- SemaphorePermit ---------------------------------------------------------------------------

inline SemaphorePermit& SemaphorePermit::operator=(SemaphorePermit&& other) noexcept {
  if (this != &other) {
    release();
    sem_ = std::exchange(other.sem_, nullptr);
    permits_ = std::exchange(other.permits_, 0);
    task_ = other.task_;
  }
  return *this;
}

inline SemaphorePermit::~SemaphorePermit() { release(); }

inline void SemaphorePermit::release() {
  if (!sem_) return;
  Semaphore* s = std::exchange(sem_, nullptr);
  s->release(std::exchange(permits_, 0), task_);
}

inline void SemaphorePermit::forget() {
  if (!sem_) return;
  std::exchange(sem_, nullptr)->forget(std::exchange(permits_, 0), task_);
}

inline void SemaphorePermit::merge(SemaphorePermit&& other) {
  if (!other.sem_) return;
  if (!sem_) {
    *this = std::move(other);
    return;
  }
  if (other.sem_ != sem_) throw std::invalid_argument("merging permits of two different semaphores");
  std::lock_guard g(sem_->lock_);
  sem_->forget_holder(other.permits_, other.task_);
  if (permits_ == 0 && other.permits_) sem_->holders_.push_back(task_);
  permits_ += std::exchange(other.permits_, 0);
  other.sem_ = nullptr;
}

inline std::optional<SemaphorePermit> SemaphorePermit::split(std::uint32_t n) {
  if (!sem_ || n > permits_) return std::nullopt;
  std::lock_guard g(sem_->lock_);
  permits_ -= n;
  if (n) sem_->holders_.push_back(task_);
  if (permits_ == 0) sem_->forget_holder(1, task_);
  return SemaphorePermit(sem_, n, task_);
}

}  // namespace asynclab::sync
