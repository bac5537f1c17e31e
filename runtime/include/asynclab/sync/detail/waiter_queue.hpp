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
// * A primitive that releases several waiters at once (a semaphore's permits, notify_waiters) unlinks
//   them first and chains them through `next` (a WakeList), records its trace event, and wakes them
//   afterwards: the trace shows the release before the wakes, and no allocation is needed.
// * Single-threaded, like the current-thread runtime: only the runtime's thread touches a queue.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/scheduler.hpp"
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

  // Keeps the stored waker current: clones a new one only when the task's waker changed.
  void refresh(const Waker& w) {
    if (!waker.will_wake(w)) waker = w;
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

// Nodes already unlinked from their queue, waiting to be woken: chained through `next`, in the order
// they were released (FIFO), woken by wake_all().
class WakeList {
 public:
  void push_back(WaiterNode* n) {
    assert(!n->queued);
    n->next = nullptr;
    if (tail_) {
      tail_->next = n;
    } else {
      head_ = n;
    }
    tail_ = n;
    ++count_;
  }
  std::uint32_t count() const { return count_; }
  // Wakes every node's task, in order. Each waker is moved out of its node first, so no node is
  // touched after its task was woken (the runtime's wakers only queue the task, but a hand-made
  // waker might poll it on the spot and drop the node).
  void wake_all() {
    WaiterNode* n = std::exchange(head_, nullptr);
    tail_ = nullptr;
    count_ = 0;
    while (n) {
      WaiterNode* next = std::exchange(n->next, nullptr);
      Waker w = std::move(n->waker);
      ::asynclab::detail::resource_wake(w);
      n = next;
    }
  }

 private:
  WaiterNode* head_ = nullptr;
  WaiterNode* tail_ = nullptr;
  std::uint32_t count_ = 0;
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
