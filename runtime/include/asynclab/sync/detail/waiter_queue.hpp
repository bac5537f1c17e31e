#pragma once
// The waiter queue shared by Mutex, Semaphore and Notify: an intrusive FIFO of nodes that live inside
// the waiting futures themselves, plus the two tracing helpers their hot paths use.
//
// Rules:
// * A node belongs to one future and sits inside it. A future is pinned from its first poll on (see
//   future.hpp), so a queued node never moves; the queue only links and unlinks it. Pushing,
//   removing (from anywhere: a dropped future leaves from the middle) and popping are O(1) and
//   allocate nothing.
// * `queued` is true exactly while the node is linked into some queue. A future's destructor unlinks
//   its node if it is still queued, so the queue never points at a dead future.
// * The node owns a clone of the waiting task's Waker (refreshed with will_wake on every poll) and the
//   id of the task that queued it, so a primitive can name the task it is handing something to.
// * A primitive that releases waiters (a semaphore's permits, notify_waiters, a mutex handed on)
//   unlinks them and moves each one's Waker into a WakeList, records its trace event, unlocks, and
//   wakes them afterwards: the trace shows the release before the wakes, and no allocation is needed
//   for up to WakeList::inline_wakers of them.
// * Threads: a queue and every node in it belong to its primitive's StateLock: linking, unlinking, a
//   node's state and its Waker are touched only under that lock. A node's owner may free it the
//   moment the lock is released, which is why a WakeList holds the Wakers themselves, not the nodes;
//   and a Waker replaced or dropped under the lock is moved out and dropped after the unlock.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/detail/state_lock.hpp"
#include "asynclab/sync/detail/wake_order.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::lock_detail {

struct WaiterNode {
  WaiterNode() = default;
  WaiterNode(const WaiterNode&) = delete;
  WaiterNode& operator=(const WaiterNode&) = delete;

  WaiterNode* prev = nullptr;
  WaiterNode* next = nullptr;
  Waker waker;             // the waiting task's waker (a clone), empty once woken
  std::uint32_t task = 0;  // the task that queued this node (0: outside any task)
  bool queued = false;
  // Set by the owning future when it first queues the node, read only by that future (no lock
  // needed): a future whose node was never queued can be dropped without taking the lock.
  bool ever_queued = false;

  // Keeps the stored waker current: clones a new one only when the task's waker changed. The old one
  // goes to `old`, for the caller to drop after the unlock.
  void refresh(const Waker& w, Waker& old) {
    if (!waker.will_wake(w)) old = std::exchange(waker, Waker(w));
  }
};

class WaiterQueue {
 public:
  WaiterQueue() = default;
  WaiterQueue(const WaiterQueue&) = delete;
  WaiterQueue& operator=(const WaiterQueue&) = delete;

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }
  WaiterNode* front() const { return head_; }

  void push_back(WaiterNode* n) {
    assert(!n->queued && "a waiter node is queued twice");
    n->prev = tail_;
    n->next = nullptr;
    if (tail_) {
      tail_->next = n;
    } else {
      head_ = n;
    }
    tail_ = n;
    n->queued = true;
    ++size_;
  }

  void remove(WaiterNode* n) {
    assert(n->queued);
    if (n->prev) {
      n->prev->next = n->next;
    } else {
      head_ = n->next;
    }
    if (n->next) {
      n->next->prev = n->prev;
    } else {
      tail_ = n->prev;
    }
    n->prev = n->next = nullptr;
    n->queued = false;
    --size_;
  }

  WaiterNode* pop_front() {
    WaiterNode* n = head_;
    if (n) remove(n);
    return n;
  }

 private:
  WaiterNode* head_ = nullptr;
  WaiterNode* tail_ = nullptr;
  std::size_t size_ = 0;
};

// The Wakers of nodes already unlinked from their queue, in the order they were released (FIFO):
// filled under the primitive's lock (push_back takes the node's Waker out of it), woken by wake_all()
// after the unlock — no node is touched after the unlock, so its owner may free it at once.
class WakeList {
 public:
  static constexpr std::size_t inline_wakers = 2;

  explicit WakeList(WakeOrder order = WakeOrder::as_released) : order_(order) {}
  WakeList(const WakeList&) = delete;
  WakeList& operator=(const WakeList&) = delete;
  ~WakeList() { wake_all(); }

  void push_back(WaiterNode* n) {
    assert(!n->queued);
    if (count_ < inline_wakers) {
      inline_[count_] = std::move(n->waker);
    } else {
      more_.push_back(std::move(n->waker));
    }
    ++count_;
  }
  std::uint32_t count() const { return count_; }
  // Wakes every task, in the list's WakeOrder. Call it with the lock released.
  void wake_all() {
    const std::uint32_t n = std::exchange(count_, 0);
    for (std::uint32_t k = 0; k < n; ++k) {
      const std::size_t i = order_ == WakeOrder::as_released ? k : tokio_batch_position(k, n);
      ::asynclab::detail::resource_wake(i < inline_wakers ? inline_[i] : more_[i - inline_wakers]);
    }
    more_.clear();
  }

 private:
  Waker inline_[inline_wakers];
  std::vector<Waker> more_;
  std::uint32_t count_ = 0;
  WakeOrder order_;
};

// Whether the running runtime records a trace: the one branch a hot path pays when it does not.
inline bool tracing() noexcept {
  auto* s = ::asynclab::detail::Scheduler::current();
  return s != nullptr && s->recorder() != nullptr;
}

// The id of the task running now (0 outside any task): the holder a guard or permit is recorded for.
inline std::uint32_t running_task() noexcept {
  auto* s = ::asynclab::detail::Scheduler::current();
  return s ? s->running_id() : 0;
}

}  // namespace asynclab::sync::lock_detail
