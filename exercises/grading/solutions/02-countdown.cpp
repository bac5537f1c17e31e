// Reference solution of exercise 02 (countdown: a chunk per poll).
#include <algorithm>
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "chunked_sum.hpp"

using namespace asynclab;

Poll<std::uint64_t> ChunkedSum::poll(Context& cx) {
  const std::size_t end = std::min(numbers->size(), next + chunk);
  for (; next < end; ++next) total += (*numbers)[next];
  if (next == numbers->size()) return Poll<std::uint64_t>::ready(total);
  // Not waiting for anything: there is simply more work. Ask to be polled again (the task goes to
  // the back of the run queue, so every other ready task gets its turn first) and step aside.
  // This is the one honest self-wake — what tokio::task::yield_now does.
  cx.waker().wake_by_ref();
  return Poll<std::uint64_t>::pending();
}
