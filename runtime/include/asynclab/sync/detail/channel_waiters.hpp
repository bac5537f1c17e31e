#pragma once
// ChannelWaiter and ChannelWaitList: the intrusive FIFO queue of futures waiting on a channel.
//
// Rules:
// * A waiting future keeps its ChannelWaiter inside itself. Futures are pinned once polled (see
//   future.hpp), so the node never moves while it is linked: linking happens at a poll, and a future
//   that is moved before its first poll has nothing linked yet.
// * Waiting costs no allocation: the list threads through the nodes. Leaving it is O(1) wherever the
//   node sits, so dropping a pending future (cancellation) unlinks its node in its destructor.
// * A node stores the Waker of the task to wake and keeps it current with will_wake, so re-polling a
//   waiting future clones nothing. Whoever takes a node off the list (pop_front) decides what it
//   means — a slot granted, a value sent, the channel closed — and sets `outcome` before waking.
// * Every field of a node and of the list is touched only under the channel's StateLock.
// * The list never owns the nodes: the channel's shared state outlives every linked node because each
//   waiting future holds a reference to it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "asynclab/detail/resource.hpp"
#include "asynclab/sync/detail/wake_order.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::channel_detail {

struct ChannelWaiter {
  // What happened to a node taken off the list; `none` while it waits (or was never linked).
  enum class Outcome : std::uint8_t { none, granted, notified, closed };

  ChannelWaiter* prev = nullptr;
  ChannelWaiter* next = nullptr;
  Waker waker;
  bool linked = false;
  Outcome outcome = Outcome::none;

  // Stores the task's waker, cloning only when it would wake a different task.
  void refresh(const Waker& w) {
    if (!waker.will_wake(w)) waker = w;
  }
};

class ChannelWaitList {
 public:
  ChannelWaitList() = default;
  ChannelWaitList(const ChannelWaitList&) = delete;
  ChannelWaitList& operator=(const ChannelWaitList&) = delete;

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }

  void push_back(ChannelWaiter& w) {
    w.prev = tail_;
    w.next = nullptr;
    if (tail_) {
      tail_->next = &w;
    } else {
      head_ = &w;
    }
    tail_ = &w;
    w.linked = true;
    w.outcome = ChannelWaiter::Outcome::none;
    ++size_;
  }

  void remove(ChannelWaiter& w) {
    if (!w.linked) return;
    (w.prev ? w.prev->next : head_) = w.next;
    (w.next ? w.next->prev : tail_) = w.prev;
    w.prev = w.next = nullptr;
    w.linked = false;
    --size_;
  }

  ChannelWaiter* pop_front() {
    ChannelWaiter* w = head_;
    if (w) remove(*w);
    return w;
  }

  // Takes every node off the list with this outcome and hands each to `wake`, oldest first. `wake`
  // runs under the channel's lock: it must take the node's Waker out (Guarded::defer_wake) — the
  // node's owner may free it as soon as the lock is released.
  template <class Wake>
  void wake_all(ChannelWaiter::Outcome outcome, Wake&& wake) {
    while (ChannelWaiter* w = pop_front()) {
      w->outcome = outcome;
      wake(w->waker);
    }
  }

  // The same, in the order Tokio's Notify::notify_waiters wakes (what watch uses): 32 at a time from
  // the oldest, each 32 handed to `wake` newest first (sync/detail/waiter_queue.hpp, WakeOrder).
  template <class Wake>
  void wake_all_like_notify_waiters(ChannelWaiter::Outcome outcome, Wake&& wake) {
    if (size_ <= 1) return wake_all(outcome, std::forward<Wake>(wake));
    std::vector<ChannelWaiter*> taken;
    taken.reserve(size_);
    while (ChannelWaiter* w = pop_front()) {
      w->outcome = outcome;
      taken.push_back(w);
    }
    for (std::size_t k = 0; k < taken.size(); ++k)
      wake(taken[::asynclab::sync::lock_detail::tokio_batch_position(k, taken.size())]->waker);
  }

 private:
  ChannelWaiter* head_ = nullptr;
  ChannelWaiter* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace asynclab::sync::channel_detail
