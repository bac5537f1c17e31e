// expect-verdict: failed
// expect-message: ChunkedSum answered Ready(
// Known wrong: an off-by-one in the chunk's loop (`<=`): each poll adds chunk + 1 numbers, reading one
// past the chunk it may read (the grader hides it, so the total comes out wrong).
#include <algorithm>
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "chunked_sum.hpp"

using namespace asynclab;

Poll<std::uint64_t> ChunkedSum::poll(Context& cx) {
  const std::size_t end = std::min(numbers->size(), next + chunk + 1);
  for (; next < end; ++next) total += (*numbers)[next];
  if (next == numbers->size()) return Poll<std::uint64_t>::ready(total);
  cx.waker().wake_by_ref();
  return Poll<std::uint64_t>::pending();
}
