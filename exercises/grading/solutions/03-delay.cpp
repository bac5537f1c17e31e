// Reference solution of exercise 03 (delay: a timer future that stores the waker and is woken by the
// timer).
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context& cx) {
  if (state->fired || now() >= deadline) return Poll<void>::ready();
  // Leave the waker where the timer will find it. A future can be polled by a different task than
  // last time (moved into a spawned task, raced in a select): store the new waker then — and only
  // then, since cloning a waker that would wake the same task is wasted work.
  if (!state->waker.will_wake(cx.waker())) state->waker = cx.waker();
  if (!timer) start_timer();
  return Poll<void>::pending();
}
