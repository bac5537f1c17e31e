// Lesson 03 — Poll, Pending, Ready, and the Waker.
//
// Seed B's MyFuture, line for line: each poll adds one to `count`; while the count is not above
// the limit it wakes its own waker by reference and answers Pending, then it answers Ready(count).
// The limit is the seed's 3 (`pending_polls`), so MyFuture is Ready(4) on its 4th poll.
//
// With `wake` off, MyFuture answers Pending *without* waking anyone: the task is never polled
// again, the runtime records a lost waker, and the run ends in the stuck report instead of hanging.
#include <cstdint>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

// `struct MyFuture { count: u32 }` and its `impl Future`. The limit is a field only so the lesson's
// slider can move it; the seed hard-codes 3.
struct MyFuture {
  using Output = std::uint32_t;  // type Output = u32;

  std::uint32_t count = 0;
  std::uint32_t pending_polls = 3;
  bool wake = true;

  Poll<std::uint32_t> poll(Context& cx) {
    count += 1;
    mark(fmt::format("MyFuture poll {}", count));
    if (count > pending_polls) {
      say("MyFuture::poll #{}: Ready({})", count, count);
      return Poll<std::uint32_t>::ready(count);
    }
    if (wake) {
      cx.waker().wake_by_ref();  // "wake up the executor later" — in fact: poll me again right away
      say("MyFuture::poll #{}: wake_by_ref, then Pending", count);
    } else {
      say("MyFuture::poll #{}: Pending, and nobody was told to wake this task", count);
    }
    return Poll<std::uint32_t>::pending();
  }
};

// `async fn my_async_function() -> u32`
Task<std::uint32_t> my_async_function(std::uint32_t pending_polls, bool wake) {
  say("Starting async function");
  auto result = co_await MyFuture{0, pending_polls, wake};
  say("Async function completed");
  co_return result;
}

// `#[tokio::main] async fn main()`
Task<void> async_main(std::uint32_t pending_polls, bool wake) {
  auto result = co_await my_async_function(pending_polls, wake);
  say("Result: {}", result);
  mark("result printed");
}

}  // namespace

void scenario_03_poll_and_wake(ScenarioRun& run) {
  const auto& p = run.params();
  run.block_on(async_main(static_cast<std::uint32_t>(p.integer("pending_polls")), p.flag("wake")));
}

}  // namespace asynclab::lessons
