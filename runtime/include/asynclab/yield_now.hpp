#pragma once
// yield_now — `tokio::task::yield_now`: give the worker back to the executor once.
//
// Rules: the first poll wakes the task's own waker and answers Pending (so the task goes to the back
// of the run queue and shows up as a self-wake); the second poll is Ready.
#include "asynclab/future.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

class [[nodiscard("futures are lazy: yield_now does nothing until it is awaited")]] YieldNow {
 public:
  using Output = void;
  Poll<void> poll(Context& cx) {
    if (yielded_) return Poll<void>::ready();
    yielded_ = true;
    cx.waker().wake_by_ref();
    return Poll<void>::pending();
  }

 private:
  bool yielded_ = false;
};

inline YieldNow yield_now() { return {}; }

}  // namespace asynclab
