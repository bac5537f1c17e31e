// expect-verdict: failed
// expect-message: MyFuture answered Pending, Pending, Ready(3) (3 polls)
// Known wrong: `count >= 3` instead of seed B's `count > 3`: Ready one poll early, with 3.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "my_future.hpp"

using namespace asynclab;

Poll<std::uint32_t> MyFuture::poll(Context& cx) {
  count += 1;
  if (count >= 3) return Poll<std::uint32_t>::ready(count);
  cx.waker().wake_by_ref();
  return Poll<std::uint32_t>::pending();
}
