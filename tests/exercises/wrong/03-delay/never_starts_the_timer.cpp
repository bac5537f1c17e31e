// expect-verdict: failed
// expect-message: but no timer was ever started
// Known wrong: keeps the waker properly, but never starts the timer: nobody is left to wake it.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context& cx) {
  if (state->fired) return Poll<void>::ready();
  if (!state->waker.will_wake(cx.waker())) state->waker = cx.waker();
  return Poll<void>::pending();
}
