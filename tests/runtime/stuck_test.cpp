// StuckError (runtime/include/asynclab/stuck.hpp): block_on stops with a report instead of hanging.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

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

Task<int> loses_its_waker(int& polls) {
  co_await sleep(5ms);
  co_return co_await ForgetfulFuture(&polls);
}

}  // namespace

TEST_CASE("block_on throws StuckError naming the task and its lost waker instead of hanging", "[stuck]") {
  trace::Recorder rec;
  int polls = 0;
  std::optional<StuckError> error;
  {
    auto rt = virtual_runtime(rec);
    try {
      (void)rt.block_on(loses_its_waker(polls));
    } catch (const StuckError& e) {
      error.emplace(e);
    }
  }
  REQUIRE(error);
  CHECK(polls == 1);
  const StuckReport& report = error->report();
  REQUIRE(report.tasks.size() == 1);
  CHECK(report.tasks[0].name == "main");
  CHECK(report.tasks[0].lost_waker);
  CHECK(report.tasks[0].live_wakers == 0);
  CHECK_THAT(report.tasks[0].parked_at, Catch::StartsWith("stuck_test.cpp:"));
  CHECK(report.lost_wakers() == 1);
  CHECK(report.at_ns == 5'000'000);
  CHECK_THAT(std::string(error->what()), Catch::Contains("main") && Catch::Contains("lost waker"));

  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  CHECK(q.lint_count(LintKind::lost_waker, main_task) >= 1);
  auto stopped = q.first(EventKind::runtime_stopped);
  REQUIRE(stopped);
  CHECK(stopped->flags == static_cast<std::uint16_t>(trace::StopReason::stuck));
}

TEST_CASE("try_block_on returns the StuckError instead of throwing it", "[stuck]") {
  int polls = 0;
  auto rt = virtual_runtime();
  auto r = rt.try_block_on(loses_its_waker(polls));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().report().lost_wakers() == 1);
  CHECK_THAT(std::string(r.error().what()), Catch::Contains("lost waker"));
}

TEST_CASE("try_block_on returns the value when the program finishes", "[stuck]") {
  auto rt = virtual_runtime();
  auto r = rt.try_block_on([]() -> Task<int> {
    co_await sleep(1ms);
    co_return 3;
  });
  REQUIRE(r.has_value());
  CHECK(*r == 3);
}

TEST_CASE("a task awaiting a lost task is reported as waiting, with its waker held by the lost one",
          "[stuck]") {
  int polls = 0;
  std::optional<StuckError> error;
  auto rt = virtual_runtime();
  try {
    rt.block_on([&]() -> Task<void> {
      auto h = spawn(loses_its_waker(polls), "lost");
      (void)co_await h;
    });
  } catch (const StuckError& e) {
    error.emplace(e);
  }
  REQUIRE(error);
  const auto& tasks = error->report().tasks;
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0].name == "main");
  CHECK_FALSE(tasks[0].lost_waker);
  CHECK(tasks[0].live_wakers == 1);  // the JoinHandle's join waker, held by the lost task
  CHECK(tasks[1].name == "lost");
  CHECK(tasks[1].lost_waker);
  CHECK(error->report().lost_wakers() == 1);
}

TEST_CASE("a task waiting on a channel whose sender it holds itself is stuck, not lost", "[stuck]") {
  std::optional<StuckError> error;
  auto rt = virtual_runtime();
  try {
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = sync::oneshot::channel<int>();
      (void)co_await rx;  // the sender is alive (right here) and will never send
      (void)std::move(tx).send(1);
    });
  } catch (const StuckError& e) {
    error.emplace(e);
  }
  REQUIRE(error);
  REQUIRE(error->report().tasks.size() == 1);
  CHECK_FALSE(error->report().tasks[0].lost_waker);
  CHECK(error->report().lost_wakers() == 0);
  // The channel names itself as what the task waits on, and says its sender is alive.
  CHECK(error->report().tasks[0].waits_on == "oneshot channel");
  CHECK_THAT(std::string(error->what()), Catch::Contains("waits on oneshot channel"));
  CHECK_THAT(error->report().tasks[0].resource_state, Catch::Contains("sender alive"));
}
