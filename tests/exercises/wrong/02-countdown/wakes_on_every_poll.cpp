// expect-verdict: failed
// expect-message: task "main" was polled 4 times and woken 4 times
// Known wrong: wakes the task at the top of every poll, the Ready one included — an extra wake that
// asks for a poll nobody needs.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "my_future.hpp"

using namespace asynclab;

Poll<std::uint32_t> MyFuture::poll(Context& cx) {
  cx.waker().wake_by_ref();
  count += 1;
  if (count > 3) return Poll<std::uint32_t>::ready(count);
  return Poll<std::uint32_t>::pending();
}
