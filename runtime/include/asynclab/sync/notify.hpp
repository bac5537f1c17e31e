#pragma once
// Notify — `tokio::sync::Notify`: wakes a task waiting for "something happened", carrying no data.
// `co_await n.notified()` waits; `notify_one()` wakes one waiter (or stores a permit for the next);
// `notify_waiters()` wakes everyone waiting right now.
//
// States of the Notify:
// * EMPTY    — no permit stored, nobody waiting.
// * WAITING  — Notified futures are queued (first come first served). No permit is stored then.
// * NOTIFIED — a permit is stored: notify_one() found nobody waiting. At most ONE permit is ever
//              stored — two notify_one() calls with nobody waiting store one — and the next
//              notified() consumes it and completes at once.
// And of each Notified future: idle (created, not polled) -> queued (a waiter) -> notified (woken,
// not yet polled) -> done.
//
// Invariants (Tokio's):
// * notify_one() with waiters wakes the one that has waited longest (FIFO) and stores nothing.
// * notify_waiters() wakes every waiter queued right now and stores NO permit; a stored permit stays
//   as it was. It wakes them as Tokio 1.24 does: 32 at a time from the oldest, each 32 newest first
//   (so up to 32 waiters run in the reverse of the order they queued in; Tokio promises no order). It also completes every Notified created before the call that has not been polled
//   yet: Tokio guarantees a Notified receives notify_waiters() wake-ups from its creation on (it
//   remembers how many notify_waiters() calls it has seen).
// * A Notified registers itself as a waiter — and so becomes eligible for notify_one() — at its first
//   poll (or at enable(), which registers without polling). Creating one does not.
//
// Who may touch what:
// * Notified futures link their own waiter node (inside the future) at their first Pending poll and
//   unlink it in their destructor; notify_one unlinks the head, notify_waiters every node. A Notified
//   is pinned from its first poll (or enable()).
// * The Notify is neither copyable nor movable and must outlive every Notified borrowing it (Tokio
//   shares it through an Arc; see mutex.hpp for where to keep it).
//
// Cancel safety (as Tokio documents it):
// * notified() is cancel safe in the queue sense: it uses a queue to hand out notify_one()
//   notifications in request order, and dropping a pending Notified only gives up its place in the
//   queue. A notify_one() notification already given to it but not yet received (woken, dropped
//   before its next poll) is not lost: it passes on to the next waiter, or is stored as the permit.
// * A notify_waiters() wake-up received by a dropped Notified is simply gone (it was meant for
//   everyone waiting at that moment; nothing is stored).
//
// Trace (through detail::Resource): resource_created with kind notify and limit 1 (at most one permit
// is stored); lock_waiting when a Notified queues (b: tasks waiting, this one included); notified by
// the notifying task (b: tasks woken; flags 1 for notify_waiters, 0 for notify_one — also when a
// dropped Notified passes its notification on). A Notified calls wait_here() right before answering
// Pending. Nobody holds a Notify: the deadlock report lists no holder, and the state reads
// "no permit stored, 2 waiting".
//
// Threads: notify_one, notify_waiters and the Notified futures may run on several threads at once. The
// permit, the notify_waiters() count, the queue and every queued future's state and Waker are read
// and written only under the Notify's StateLock; the wakes (and any Waker dropped) happen after the
// unlock, and the trace event of each operation is recorded under the lock, before them.
#include <cassert>
#include <mutex>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/state_lock.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/waiter_queue.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync {

class Notify;

namespace lock_detail {

struct NotifyWaiter : WaiterNode {
  enum class State : std::uint8_t { idle, queued, notified, done };
  // What completed it: a notify_one (passed on if dropped unreceived), a notify_waiters, or the
  // stored permit.
  enum class By : std::uint8_t { none, one, all, permit };
  State state = State::idle;
  By by = By::none;
};

}  // namespace lock_detail

// The future notified() returns. Output: void.
class [[nodiscard("futures are lazy: notified() does nothing until it is awaited")]] Notified {
 public:
  using Output = void;

  Notified(Notify& n, std::uint64_t waiters_calls) : notify_(&n), waiters_calls_(waiters_calls) {}
  // Futures move only before their first poll (future.hpp): the waiter node must not move once queued.
  Notified(Notified&& other) noexcept : notify_(other.notify_), waiters_calls_(other.waiters_calls_) {
    assert(other.waiter_.state == lock_detail::NotifyWaiter::State::idle &&
           "a Notified was moved after its first poll or enable()");
  }
  Notified& operator=(Notified&&) = delete;
  ~Notified();

  Poll<void> poll(Context& cx);

  // Registers as a waiter without polling (Tokio's Notified::enable): from now on a notify_one() may
  // pick this future. True when it is already notified (a later poll is Ready at once). Pins it.
  bool enable();

 private:
  // idle -> notified when a permit or a notify_waiters() since creation is there to take.
  bool take_ready();
  void register_waiter(const Waker* waker);

  Notify* notify_;
  std::uint64_t waiters_calls_;  // notify_waiters() calls seen when created
  lock_detail::NotifyWaiter waiter_;
};

class Notify : public ::asynclab::detail::Resource {
 public:
  explicit Notify(std::string_view name = {}) : Resource(trace::ResourceKind::notify, name, 1) {}
  Notify(const Notify&) = delete;
  Notify& operator=(const Notify&) = delete;
  ~Notify() override { assert(waiters_.empty() && "a Notify was destroyed while tasks wait on it"); }

  // A future that completes when this Notify is notified (see the rules above).
  Notified notified() {
    std::lock_guard g(lock_);
    return Notified(*this, waiters_calls_);
  }

  // Wakes the longest waiter, or stores the (single) permit when nobody waits.
  void notify_one() { notify_one_impl(); }

  // Wakes every task waiting now; stores nothing.
  void notify_waiters() {
    // Woken by its destructor, after the unlock, in Tokio's order (newest first, 32 at a time).
    lock_detail::WakeList woken(lock_detail::WakeOrder::tokio_batches);
    std::lock_guard g(lock_);
    ++waiters_calls_;
    while (auto* n = waiters_.pop_front()) {
      auto& w = static_cast<lock_detail::NotifyWaiter&>(*n);
      w.state = lock_detail::NotifyWaiter::State::notified;
      w.by = lock_detail::NotifyWaiter::By::all;
      woken.push_back(&w);
    }
    if (lock_detail::tracing()) [[unlikely]]
      record(trace::EventKind::notified, woken.count(), 1);
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    out.state = std::string(permit_ ? "permit stored, " : "no permit stored, ") + std::to_string(waiters_.size()) + " waiting";
  }

 private:
  friend class Notified;

  void notify_one_impl() {
    lock_detail::WakeList woken;  // woken by its destructor, after the unlock
    std::lock_guard g(lock_);
    auto* n = waiters_.pop_front();
    if (!n) {
      permit_ = true;
      if (lock_detail::tracing()) [[unlikely]]
        record(trace::EventKind::notified, 0, 0);
      return;
    }
    auto& w = static_cast<lock_detail::NotifyWaiter&>(*n);
    w.state = lock_detail::NotifyWaiter::State::notified;
    w.by = lock_detail::NotifyWaiter::By::one;
    if (lock_detail::tracing()) [[unlikely]]
      record(trace::EventKind::notified, 1, 0);
    woken.push_back(&w);
  }

  mutable ::asynclab::detail::StateLock lock_{::asynclab::detail::may_be_shared_across_threads()};
  lock_detail::WaiterQueue waiters_;
  std::uint64_t waiters_calls_ = 0;  // notify_waiters() calls so far
  bool permit_ = false;              // NOTIFIED
};

// --- Notified ----------------------------------------------------------------------------------

inline bool Notified::take_ready() {
  using W = lock_detail::NotifyWaiter;
  if (notify_->waiters_calls_ != waiters_calls_) {
    waiter_.state = W::State::notified;
    waiter_.by = W::By::all;
    return true;
  }
  if (notify_->permit_) {
    notify_->permit_ = false;
    waiter_.state = W::State::notified;
    waiter_.by = W::By::permit;
    return true;
  }
  return false;
}

inline void Notified::register_waiter(const Waker* waker) {
  waiter_.task = lock_detail::running_task();
  if (waker) waiter_.waker = *waker;
  notify_->waiters_.push_back(&waiter_);
  waiter_.ever_queued = true;
  waiter_.state = lock_detail::NotifyWaiter::State::queued;
  if (lock_detail::tracing()) [[unlikely]]
    notify_->record(trace::EventKind::lock_waiting, static_cast<std::uint32_t>(notify_->waiters_.size()));
}

inline Poll<void> Notified::poll(Context& cx) {
  using State = lock_detail::NotifyWaiter::State;
  Waker old;  // a replaced waker, dropped after the unlock
  std::lock_guard g(notify_->lock_);
  switch (waiter_.state) {
    case State::idle:
      if (take_ready()) break;
      register_waiter(&cx.waker());
      notify_->wait_here();
      return Poll<void>::pending();
    case State::queued:
      waiter_.refresh(cx.waker(), old);
      notify_->wait_here();
      return Poll<void>::pending();
    case State::notified:
      break;
    case State::done:
      assert(false && "a Notified was polled after it completed");
      return Poll<void>::pending();
  }
  waiter_.state = State::done;
  return Poll<void>::ready();
}

inline bool Notified::enable() {
  using State = lock_detail::NotifyWaiter::State;
  std::lock_guard g(notify_->lock_);
  switch (waiter_.state) {
    case State::idle:
      if (take_ready()) return true;
      register_waiter(nullptr);
      return false;
    case State::queued:
      return false;
    case State::notified:
    case State::done:
      return true;
  }
  return false;
}

inline Notified::~Notified() {
  using W = lock_detail::NotifyWaiter;
  if (!waiter_.ever_queued) return;  // never registered: no other thread can reach it
  Waker old;                                    // dropped after the unlock
  bool pass_on = false;
  {
    std::lock_guard g(notify_->lock_);
    if (waiter_.state == W::State::queued) {
      notify_->waiters_.remove(&waiter_);
      old = std::move(waiter_.waker);
    } else {
      pass_on = waiter_.state == W::State::notified && waiter_.by == W::By::one;
    }
  }
  old.reset();
  if (pass_on) notify_->notify_one_impl();  // a notify_one() notification is never lost: it moves on
}

}  // namespace asynclab::sync
