// expect-verdict: deadlock
// expect-message: lost waker (seed 1, 1001 numbers): ChunkedSum answered Pending at its poll 1
// Known wrong: adds a chunk per poll and answers Pending in between — without waking the task. After
// Pending the executor forgets the task until its waker is woken, and nothing ever wakes it.
#include <algorithm>
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "chunked_sum.hpp"

using namespace asynclab;

Poll<std::uint64_t> ChunkedSum::poll(Context& cx) {
  (void)cx;
  const std::size_t end = std::min(numbers->size(), next + chunk);
  for (; next < end; ++next) total += (*numbers)[next];
  if (next == numbers->size()) return Poll<std::uint64_t>::ready(total);
  return Poll<std::uint64_t>::pending();
}
