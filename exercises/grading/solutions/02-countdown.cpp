// Reference solution of exercise 02 (countdown: hand-write MyFuture's poll) — seed B's poll, line
// for line.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "my_future.hpp"

using namespace asynclab;

Poll<std::uint32_t> MyFuture::poll(Context& cx) {
  count += 1;
  if (count > 3) return Poll<std::uint32_t>::ready(count);
  // Nothing else will ever wake this task, so MyFuture wakes it itself: "poll me again" — the
  // task goes to the back of the run queue and is polled on the executor's next turn.
  cx.waker().wake_by_ref();
  return Poll<std::uint32_t>::pending();
}
