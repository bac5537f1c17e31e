// expect-verdict: failed
// expect-message: task "main" polled the Delay first, then task "waiter" awaited it
// Known wrong: stores the waker only at the first poll, with the timer. When another task awaits the
// Delay later, the timer still wakes the first task, and the one waiting now sleeps for ever.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context& cx) {
  if (state->fired) return Poll<void>::ready();
  if (!timer) {
    state->waker = cx.waker();
    start_timer();
  }
  return Poll<void>::pending();
}
