// expect-verdict: failed
// expect-message: the Delay started 2 timers
// Known wrong: stores the waker right, but starts a timer on every Pending poll instead of once —
// each poll spawns another "delay timer" task (the JoinHandle of the last one replaces the others,
// which run on regardless). With one poll before the deadline nothing shows; polled twice, two timers
// fire and wake the task twice.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context& cx) {
  if (state->fired || now() >= deadline) return Poll<void>::ready();
  if (!state->waker.will_wake(cx.waker())) state->waker = cx.waker();
  start_timer();
  return Poll<void>::pending();
}
