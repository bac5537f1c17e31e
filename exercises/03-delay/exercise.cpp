// Exercise 03 — delay: a timer future that stores the waker and is woken by the timer. Read
// README.md first; `asynclab grade 03` checks your work and `asynclab hint 03` gives a hint.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

// Ready once the deadline has come; until then Pending — and woken when it comes.
Poll<void> Delay::poll(Context& cx) {
  if (now() >= deadline) return Poll<void>::ready();
  // TODO: this is seed B's MyFuture trick — "wake up the executor later" — but wake_by_ref asks for
  // a poll *right now*, so the task spins and the clock never reaches the deadline. Leave the task's
  // waker where the timer will find it (and keep it current), start the timer, and let it wake you.
  cx.waker().wake_by_ref();
  return Poll<void>::pending();
}
