#pragma once
// yield_now — `tokio::task::yield_now`: give the worker back to the executor once.
//
// Rules: the first poll answers Pending and wakes the task's own waker — not at once but, as Tokio 1.24
// does it, when the executor next runs out of queued work (detail/scheduler.hpp: deferred wakes). So
// every task woken meanwhile runs before the yielder comes back; the trace shows the wake then, as a
// self-wake. The second poll is Ready. (Worker threads put the yielder behind their local queue at
// once; simulated workers wake it at once.)
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/future.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

class [[nodiscard("futures are lazy: yield_now does nothing until it is awaited")]] YieldNow {
 public:
  using Output = void;
  Poll<void> poll(Context& cx) {
    if (yielded_) return Poll<void>::ready();
    yielded_ = true;
    if (auto* s = detail::Scheduler::current()) s->defer_wake(cx.waker());
    else cx.waker().wake_by_ref();  // polled by hand, outside any runtime
    return Poll<void>::pending();
  }

 private:
  bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }

}  // namespace asynclab
