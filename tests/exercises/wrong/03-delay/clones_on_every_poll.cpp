// expect-verdict: failed
// expect-message: the Delay cloned that waker again (1 clone, and the old one dropped)
// Known wrong: stores a fresh clone of the waker on every poll, without asking will_wake. It works,
// but each poll clones (and drops) a waker for nothing.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context& cx) {
  if (state->fired) return Poll<void>::ready();
  state->waker = cx.waker();
  if (!timer) start_timer();
  return Poll<void>::pending();
}
