// Task<T>: lazy, poll-driven, cancelled by drop, exceptions at the co_await
// (runtime/include/asynclab/task.hpp).
// Flavors (support/flavors.hpp): laziness, exceptions at the co_await, a Task's lifetime and moves run
// on current_thread and on multi_thread(2) and (4); the tests that read the trace's polls and wakes,
// and those that poll by hand outside a runtime, run on current_thread only (or on none).
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using trace::EventKind;
using trace::PollResult;

namespace {

Task<int> bump(int& effects) {
  ++effects;
  co_return 7;
}

// The seeds' MyFuture, line for line: count += 1; Ready(count) once count > 3, otherwise ask to be
// polled again (wake_by_ref) and answer Pending.
struct MyFuture {
  using Output = std::uint32_t;
  std::uint32_t count = 0;

  Poll<std::uint32_t> poll(Context& cx) {
    count += 1;
    if (count > 3) return Poll<std::uint32_t>::ready(count);
    cx.waker().wake_by_ref();
    return Poll<std::uint32_t>::pending();
  }
};

Task<std::uint32_t> my_async_function(Log& log) {
  log.push_back("Starting async function");
  auto result = co_await MyFuture{};
  log.push_back("Async function completed");
  co_return result;
}

Task<int> level_three(int& leaf_polls, Log& log) {
  int v = co_await PendingTimes(2, &leaf_polls, &log);
  log.push_back("level 3 resumed");
  co_return v;
}
Task<int> level_two(int& leaf_polls, Log& log) {
  int v = co_await level_three(leaf_polls, log);
  log.push_back("level 2 resumed");
  co_return v;
}
Task<int> level_one(int& leaf_polls, Log& log) {
  int v = co_await level_two(leaf_polls, log);
  log.push_back("level 1 resumed");
  co_return v;
}

Task<int> throws_at_once(std::string what) {
  throw std::runtime_error(what);
  co_return 0;
}
Task<int> throws_after_a_yield(std::string what) {
  co_await yield_now();
  throw std::runtime_error(what);
  co_return 0;
}

Task<void> holds_counted_while_parked() {
  counted local;
  co_await ParkedForever();
}

Task<int> holds_counted_and_returns(int v) {
  counted local;
  co_await yield_now();
  co_return v;
}

}  // namespace

TEST_CASE("a Task does nothing until it is awaited", "[task]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  int effects = 0;
  int after_create = -1;
  int value = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    Task<int> t = bump(effects);
    after_create = effects;
    value = co_await t;
  });
  CHECK(after_create == 0);
  CHECK(effects == 1);
  CHECK(value == 7);
}

TEST_CASE("a Task created outside any runtime runs nothing and can be dropped quietly", "[task]") {
  int effects = 0;
  {
    Task<int> t = bump(effects);
    CHECK_FALSE(t.started());
  }
  CHECK(effects == 0);
}

TEST_CASE("the seeds' MyFuture is Ready(4) on its 4th poll after 3 self-wakes by reference", "[task]") {
  trace::Recorder rec;
  Log log;
  std::uint32_t result = 0;
  {
    auto rt = virtual_runtime(rec);
    result = rt.block_on(my_async_function(log));
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  REQUIRE(main_task != 0);

  CHECK(result == 4);
  CHECK(log == Log{"Starting async function", "Async function completed"});
  CHECK(q.count(EventKind::poll_begin, main_task) == 4);
  CHECK(q.poll_results(main_task) == std::vector<PollResult>{PollResult::pending, PollResult::pending,
                                                             PollResult::pending, PollResult::ready});
  CHECK(q.count(EventKind::wake) == 3);
  CHECK(q.wakes(main_task, trace::wake_flag::self | trace::wake_flag::by_ref) == 3);
  CHECK(q.lint_count(trace::LintKind::lost_waker) == 0);
}

TEST_CASE("MyFuture polled by hand with a no-op waker answers Pending three times, then Ready(4)", "[task]") {
  MyFuture f;
  Context cx(noop_waker());
  CHECK(f.poll(cx).is_pending());
  CHECK(f.poll(cx).is_pending());
  CHECK(f.poll(cx).is_pending());
  auto r = f.poll(cx);
  REQUIRE(r.is_ready());
  CHECK(r.value() == 4u);
}

TEST_CASE("a pending leaf three awaits deep makes the task Pending and is re-polled first on the next poll",
          "[task]") {
  trace::Recorder rec;
  Log log;
  int leaf_polls = 0;
  int result = 0;
  {
    auto rt = virtual_runtime(rec);
    result = rt.block_on(level_one(leaf_polls, log));
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");

  CHECK(result == 3);
  CHECK(leaf_polls == 3);
  // One leaf poll per task poll, and no body code past an await runs until the leaf is Ready.
  CHECK(q.count(EventKind::poll_begin, main_task) == 3);
  CHECK(log == Log{"leaf poll 1", "leaf poll 2", "leaf poll 3", "level 3 resumed", "level 2 resumed",
                   "level 1 resumed"});
  CHECK(q.poll_results(main_task) ==
        std::vector<PollResult>{PollResult::pending, PollResult::pending, PollResult::ready});

  // The task is parked at the innermost await: level_three's co_await on the leaf.
  auto parked = q.first([&](const trace::Event& e) {
    return e.kind == EventKind::poll_end && e.task == main_task &&
           e.flags == static_cast<std::uint16_t>(PollResult::pending);
  });
  REQUIRE(parked);
  REQUIRE(parked->b != 0);
  const auto& where = rec.trace().location(parked->b);
  CHECK_THAT(std::string(rec.trace().string(where.function)), Catch::Contains("level_three"));
  CHECK_THAT(rec.trace().describe_location(parked->b), Catch::Contains("task_test.cpp"));
}

TEST_CASE("an exception thrown in a nested Task is caught at the parent's co_await", "[task]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::string caught;
  int after = 0;
  auto rt = flavor.runtime();

  SECTION("thrown on the first poll") {
    rt.block_on([&]() -> Task<void> {
      try {
        (void)co_await throws_at_once("first poll");
      } catch (const std::runtime_error& e) {
        caught = e.what();
      }
      after = 1;
    });
    CHECK(caught == "first poll");
  }
  SECTION("thrown after the nested Task was suspended") {
    rt.block_on([&]() -> Task<void> {
      try {
        (void)co_await throws_after_a_yield("after a yield");
      } catch (const std::runtime_error& e) {
        caught = e.what();
      }
      after = 1;
    });
    CHECK(caught == "after a yield");
  }
  CHECK(after == 1);
}

TEST_CASE("dropping a suspended Task destroys its frame: its locals are destroyed exactly once", "[task]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  counted::reset();
  int alive_while_suspended = -1;
  bool ready = true;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    {
      Task<void> t = holds_counted_while_parked();
      ready = co_await poll_once(t);
      alive_while_suspended = counted::alive();
    }
    co_return;
  });
  CHECK_FALSE(ready);
  CHECK(alive_while_suspended == 1);
  CHECK(counted::default_constructions == 1);
  CHECK(counted::destructions == 1);
}

TEST_CASE("a completed Task's locals are destroyed exactly once and its value is moved out", "[task]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  counted::reset();
  int value = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> { value = co_await holds_counted_and_returns(11); });
  CHECK(value == 11);
  CHECK(counted::default_constructions == 1);
  CHECK(counted::copy_constructions == 0);
  CHECK(counted::destructions == 1);
}

TEST_CASE("moving a Task moves the handle, not the frame: the body runs once", "[task]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  int effects = 0;
  int value = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    Task<int> a = bump(effects);
    Task<int> b = std::move(a);
    value = co_await b;
  });
  CHECK(effects == 1);
  CHECK(value == 7);
}
