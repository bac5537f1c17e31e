#pragma once
// Cooperative scheduling — tokio's coop budget (tokio::task::coop): a task that keeps finding its
// resources ready is made to yield now and then, so it cannot hold its worker for ever.
//
//   while (auto v = co_await rx.recv()) total += *v;   // never Pending while values keep coming:
//                                                      // after 128 receives in one poll, recv
//                                                      // answers Pending once and the task yields
//
// Rules:
// * Each poll of a task starts with a budget of 128 units (detail/budget.hpp). Each operation of a
//   runtime resource spends one when it completes: a receive (mpsc, oneshot, broadcast, watch's
//   changed), a send or reserve that had to wait for room, a lock or semaphore acquire, a sleep or
//   interval tick, awaiting a JoinHandle or a JoinSet, a socket accept, connect, read or write. An
//   operation that answers Pending gives its unit back. Operations that never wait (try_recv,
//   try_send, an unbounded send, Notify) and yield_now spend nothing, as in tokio.
// * When the budget is spent, the next such operation makes no progress: it wakes its task by
//   reference and answers Pending (coop::poll_proceed). The task goes to the back of the run queue
//   — on worker threads, the back of its worker's local queue, so the task in the LIFO slot and
//   the others queued behind get their turn — and its next poll starts with a fresh budget.
//   Nothing is lost: the operation is tried again then.
// * The wake is recorded with WakeSource::budget (and the self and by_ref flags). It is not
//   counted as a self-wake for the self_wake lint: the runtime asked for it, the task did not.
// * coop::unconstrained(f) polls f with no budget at all (tokio::task::unconstrained): for code that
//   must not be interrupted, at the price of starving the others. coop::consume_budget() spends a
//   unit by hand (tokio::task::consume_budget), for a loop that does its own work between awaits.
// * A Context made outside a task's poll (a future polled by hand) has no budget: nothing yields.
#include <concepts>
#include <utility>

#include "asynclab/detail/budget.hpp"
#include "asynclab/future.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::coop {

// Records and makes the wake of a task whose budget is spent (src/scheduler.cpp): wake_by_ref on
// `waker`, recorded as WakeSource::budget when a runtime is running on this thread.
void wake_spent(const Waker& waker);

// Takes a unit of the poll's budget; when there is none, wakes the task and returns false — the
// caller then answers Pending without doing anything.
inline bool poll_proceed(Context& cx) {
  if (cx.budget().take()) [[likely]]
    return true;
  wake_spent(cx.waker());
  return false;
}

// Polls a resource operation under the budget: a unit for its progress, given back if it answers
// Pending. Every resource future's poll is this around its own poll logic. Always inlined: as a call
// of its own it cost about 28 instructions per operation, copying the result through once more
// (callgrind: mpsc_contention on the current thread went from 286 M to 362 M instructions).
template <class Output, std::invocable PollOnce>
[[gnu::always_inline]] inline Poll<Output> budgeted(Context& cx, PollOnce&& poll_once) {
  if (!poll_proceed(cx)) return Poll<Output>::pending();
  Poll<Output> r = std::forward<PollOnce>(poll_once)();
  if (r.is_pending()) cx.budget().give_back();
  return r;
}

// Polls `f` with an unconstrained budget, then puts the task's budget back as it was.
template <Future F>
class [[nodiscard("futures are lazy: unconstrained does nothing until it is awaited")]] Unconstrained {
 public:
  using Output = output_t<F>;
  explicit Unconstrained(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    const detail::Budget saved = std::exchange(cx.budget(), detail::Budget::unconstrained());
    Poll<Output> r = f_.poll(cx);
    cx.budget() = saved;
    return r;
  }

 private:
  F f_;
};

template <Future F>
Unconstrained<std::remove_cvref_t<F>> unconstrained(F&& f) {
  return Unconstrained<std::remove_cvref_t<F>>(std::forward<F>(f));
}

// Spends one unit of the budget: Ready at once while some is left, else the task yields first.
class [[nodiscard("futures are lazy: consume_budget does nothing until it is awaited")]] ConsumeBudget {
 public:
  using Output = void;
  Poll<void> poll(Context& cx) { return poll_proceed(cx) ? Poll<void>::ready() : Poll<void>::pending(); }
};

inline ConsumeBudget consume_budget() { return {}; }

}  // namespace asynclab::coop
