// The runtime's lints (trace/event.hpp LintKind; raised by detail/scheduler.hpp and task.hpp):
// forgotten future, lost waker, self-wakes, long poll.
#include <catch2/catch.hpp>

#include "asynclab/asynclab.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;
using trace::LintKind;

namespace {

Task<int> bump(int& effects) {
  ++effects;
  co_return 1;
}

Task<void> yields(int times) {
  for (int i = 0; i < times; ++i) co_await yield_now();
}

Task<void> sleeps(int times) {
  for (int i = 0; i < times; ++i) co_await sleep(1ms);
}

Task<int> loses_its_waker() { co_return co_await ForgetfulFuture(); }

// Simulates a poll that holds the worker for `d` (what sim::block_for stands for).
Task<void> busy_for(Duration d) {
  detail::Scheduler::current()->advance_virtual(static_cast<std::uint64_t>(d.count()));
  co_await yield_now();
}

}  // namespace

TEST_CASE("a Task dropped unpolled inside a running task raises exactly one forgotten-future lint",
          "[lint]") {
  trace::Recorder rec;
  int effects = 0;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      { Task<int> forgotten = bump(effects); }
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  CHECK(effects == 0);
  const auto lints = q.lints(LintKind::forgotten_future);
  REQUIRE(lints.size() == 1);
  CHECK(lints[0].task == q.task_named("main"));
}

TEST_CASE("an awaited Task raises no forgotten-future lint", "[lint]") {
  trace::Recorder rec;
  int effects = 0;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Task<int> awaited = bump(effects);
      (void)co_await awaited;
    });
  }
  CHECK(effects == 1);
  CHECK(TraceQuery(rec.trace()).lint_count(LintKind::forgotten_future) == 0);
}

TEST_CASE("branches a combinator drops unpolled are cancelled on purpose, not forgotten", "[lint]") {
  trace::Recorder rec;
  int effects = 0;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      // The first branch wins at once, so the Task in the second is dropped without a poll.
      (void)co_await select_biased(ReadyFuture<int>(0), bump(effects));
    });
  }
  CHECK(effects == 0);
  CHECK(TraceQuery(rec.trace()).lint_count(LintKind::forgotten_future) == 0);
}

TEST_CASE("a poll that returns Pending without keeping the waker raises a lost-waker lint", "[lint]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      (void)spawn(loses_its_waker(), "loser");
      co_await sleep(10ms);  // main itself is fine: its timer holds its waker
    });
  }
  TraceQuery q(rec.trace());
  const auto loser = q.task_named("loser");
  CHECK(q.lint_count(LintKind::lost_waker, loser) == 1);
  CHECK(q.lint_count(LintKind::lost_waker, q.task_named("main")) == 0);
  auto lint = q.lints(LintKind::lost_waker, loser).at(0);
  CHECK_THAT(rec.trace().describe_location(lint.b), Catch::Contains("lint_test.cpp"));
}

TEST_CASE("a task that yields many times raises one self-wake lint when it completes", "[lint]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto h = spawn(yields(10), "spinner");
      (void)co_await h;
    });
  }
  TraceQuery q(rec.trace());
  const auto spinner = q.task_named("spinner");
  const auto lints = q.lints(LintKind::self_wake, spinner);
  REQUIRE(lints.size() == 1);
  CHECK(lints[0].a == 100);  // percent of its wakes that were self-wakes
  auto completed = q.first(EventKind::task_completed, spinner);
  REQUIRE(completed);
  CHECK(lints[0].time_ns == completed->time_ns);
  CHECK(q.lint_count(LintKind::self_wake, q.task_named("main")) == 0);
}

TEST_CASE("a task woken only by its timers raises no self-wake lint", "[lint]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on(sleeps(10));
  }
  CHECK(TraceQuery(rec.trace()).lint_count(LintKind::self_wake) == 0);
}

TEST_CASE("a poll that holds the worker for 50 ms of virtual time raises a long-poll lint", "[lint]") {
  trace::Recorder rec;
  Duration after{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto h = spawn(busy_for(50ms), "blocker");
      (void)co_await h;
      after = elapsed();
    });
  }
  CHECK(after == 50ms);
  TraceQuery q(rec.trace());
  const auto blocker = q.task_named("blocker");
  const auto lints = q.lints(LintKind::long_poll, blocker);
  REQUIRE(lints.size() == 1);
  CHECK(lints[0].a == 50'000);  // microseconds
  CHECK(q.lint_count(LintKind::long_poll) == 1);
}

TEST_CASE("a 5 ms poll stays under the default 10 ms long-poll threshold", "[lint]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on(busy_for(5ms));
  }
  CHECK(TraceQuery(rec.trace()).lint_count(LintKind::long_poll) == 0);
}

TEST_CASE("long_poll_threshold moves the long-poll threshold", "[lint]") {
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().current_thread().virtual_time().trace(rec).long_poll_threshold(2ms).build();
    rt.block_on(busy_for(5ms));
  }
  CHECK(TraceQuery(rec.trace()).lint_count(LintKind::long_poll) == 1);
}
