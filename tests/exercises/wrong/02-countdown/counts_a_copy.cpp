// expect-verdict: failed
// expect-message: busy spin (seed 1): MyFuture was polled 50 times, all at 0 ms
// Known wrong: adds one to a local copy of `count`, so the field never moves: every poll wakes the
// task and answers Pending again — a busy spin that, in virtual time, never lets the clock move.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "my_future.hpp"

using namespace asynclab;

Poll<std::uint32_t> MyFuture::poll(Context& cx) {
  std::uint32_t polls = count;
  polls += 1;
  if (polls > 3) return Poll<std::uint32_t>::ready(polls);
  cx.waker().wake_by_ref();
  return Poll<std::uint32_t>::pending();
}
