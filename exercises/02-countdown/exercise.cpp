// Exercise 02 — countdown: hand-write MyFuture's poll. Read README.md first; `asynclab grade 02`
// checks your work and `asynclab hint 02` gives a hint.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "my_future.hpp"

using namespace asynclab;

// Called by whoever awaits a MyFuture, once per poll. Ready(4) on the 4th poll; Pending before.
// ([[maybe_unused]] only because, as shipped, this poll never touches `cx` — which is the bug.)
Poll<std::uint32_t> MyFuture::poll([[maybe_unused]] Context& cx) {
  count += 1;
  if (count > 3) return Poll<std::uint32_t>::ready(count);
  // TODO: a Pending answer is a promise that someone will wake this task. Who will?
  return Poll<std::uint32_t>::pending();
}
