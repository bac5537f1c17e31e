// spawn and JoinHandle (runtime/include/asynclab/spawn.hpp), and yield_now (yield_now.hpp).
// Flavors (support/flavors.hpp): the tests that state results (a JoinHandle's value, a panic as a
// JoinError, a handle outliving its runtime) run on current_thread and on multi_thread(2) and (4);
// the ones about when a task runs relative to its spawner, exact lifetimes and the trace's events
// run on current_thread only.
#include <catch2/catch.hpp>

#include <optional>
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
using namespace std::chrono_literals;
using trace::EventKind;
using trace::Outcome;

namespace {

Task<int> logs_and_returns(Log& log, std::string line, int v) {
  log.push_back(line);
  co_return v;
}

Task<void> logs_around_a_yield(Log& log, std::string name) {
  log.push_back(name + " 1");
  co_await yield_now();
  log.push_back(name + " 2");
}

Task<void> holds_counted_and_sleeps(Duration d) {
  counted local;
  co_await sleep(d);
}

Task<int> panics_after(Duration d, std::string what) {
  co_await sleep(d);
  throw std::runtime_error(what);
  co_return 0;
}

Task<void> sets_flag_after(Duration d, bool& flag) {
  co_await sleep(d);
  flag = true;
}

}  // namespace

TEST_CASE("a spawned task runs only when the spawner yields to the executor", "[spawn]") {
  Log log;
  bool finished_before_yield = true;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto h = spawn(logs_and_returns(log, "child runs", 1), "child");
    log.push_back("spawner before yield");
    finished_before_yield = h.is_finished();
    co_await yield_now();
    log.push_back("spawner after yield");
    (void)co_await h;
  });
  CHECK_FALSE(finished_before_yield);
  CHECK(log == Log{"spawner before yield", "child runs", "spawner after yield"});
}

TEST_CASE("awaiting a JoinHandle gives the spawned task's value", "[spawn]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<std::expected<int, JoinError>> got;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    Log log;
    auto h = spawn(logs_and_returns(log, "child", 42), "child");
    got.emplace(co_await h);
  });
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == 42);
}

TEST_CASE("is_finished turns true once the spawned task has completed", "[spawn]") {
  bool before = true;
  bool after = false;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    bool flag = false;
    auto h = spawn(sets_flag_after(10ms, flag), "child");
    before = h.is_finished();
    co_await sleep(20ms);
    after = h.is_finished();
    CHECK(flag);
  });
  CHECK_FALSE(before);
  CHECK(after);
}

TEST_CASE("abort cancels a pending task: it gives is_cancelled and its locals are destroyed exactly once",
          "[spawn]") {
  counted::reset();
  trace::Recorder rec;
  int alive_before_abort = -1;
  std::optional<std::expected<void, JoinError>> got;
  Duration aborted_at{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto h = spawn(holds_counted_and_sleeps(1h), "sleeper");
      co_await sleep(5ms);  // the sleeper is now parked on its timer
      alive_before_abort = counted::alive();
      h.abort();
      got.emplace(co_await h);
      aborted_at = elapsed();
    });
  }
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().is_cancelled());
  CHECK_FALSE(got->error().is_panic());
  CHECK(alive_before_abort == 1);
  CHECK(counted::destructions == 1);
  CHECK(aborted_at == 5ms);  // no waiting for the hour-long sleep

  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("sleeper")) == Outcome::cancelled);
}

TEST_CASE("aborting a finished task changes nothing: its value is still there", "[spawn]") {
  std::optional<std::expected<int, JoinError>> got;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    Log log;
    auto h = spawn(logs_and_returns(log, "child", 9), "child");
    co_await yield_now();
    REQUIRE(h.is_finished());
    h.abort();
    got.emplace(co_await h);
  });
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == 9);
}

TEST_CASE("abort of the running task itself takes effect when its poll returns, never in the middle",
          "[spawn]") {
  counted::reset();
  Log log;
  std::optional<JoinHandle<void>> self;
  std::optional<std::expected<void, JoinError>> got;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    self.emplace(spawn(
        [&]() -> Task<void> {
          counted local;
          self->abort();
          log.push_back("still running after abort");
          co_await yield_now();
          log.push_back("never resumed");
        },
        "self-aborting"));
    got.emplace(co_await *self);
  });
  CHECK(log == Log{"still running after abort"});
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().is_cancelled());
  CHECK(counted::destructions == 1);
}

TEST_CASE(
    "aborting a task before it ever ran drops it unpolled: no forgotten-future lint, captures destroyed",
    "[spawn]") {
  counted::reset();
  trace::Recorder rec;
  bool ran = false;
  std::optional<std::expected<void, JoinError>> got;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto h = spawn(
          [&ran, token = counted{}]() -> Task<void> {
            ran = true;
            co_return;
          },
          "never ran");
      h.abort();
      got.emplace(co_await h);
    });
  }
  CHECK_FALSE(ran);
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().is_cancelled());
  CHECK(counted::alive() == 0);
  TraceQuery q(rec.trace());
  CHECK(q.count(EventKind::poll_begin, q.task_named("never ran")) == 0);
  CHECK(q.lint_count(trace::LintKind::forgotten_future) == 0);
}

TEST_CASE("a JoinHandle kept past its Runtime reports the task the shutdown cancelled", "[spawn]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<JoinHandle<int>> kept;
  {
    auto rt = flavor.runtime();
    rt.block_on([&]() -> Task<void> {
      kept.emplace(spawn(panics_after(1h, "never reached"), "outlived"));
      co_await yield_now();
    });
  }
  REQUIRE(kept.has_value());
  CHECK(kept->is_finished());
  Context cx(noop_waker());
  auto r = kept->poll(cx);
  REQUIRE(r.is_ready());
  REQUIRE_FALSE(r.value().has_value());
  CHECK(r.value().error().is_cancelled());
}

TEST_CASE("dropping a JoinHandle detaches the task, which still runs to completion", "[spawn]") {
  trace::Recorder rec;
  bool flag = false;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      { (void)spawn(sets_flag_after(10ms, flag), "detached"); }
      co_await sleep(20ms);
    });
  }
  CHECK(flag);
  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("detached")) == Outcome::ok);
}

TEST_CASE("spawn takes a coroutine lambda whose captures live as long as the task", "[spawn]") {
  counted::reset();
  std::optional<std::expected<std::size_t, JoinError>> got;
  int alive_while_running = -1;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto h = spawn(
        [text = std::string("captured by value"), token = counted{},
         &alive_while_running]() -> Task<std::size_t> {
          co_await yield_now();  // the captures are read after a suspension: they must still be alive
          co_await sleep(1ms);
          alive_while_running = counted::alive();
          co_return text.size() + static_cast<std::size_t>(token.id);
        },
        "lambda");
    got.emplace(co_await h);
  });
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == std::string("captured by value").size());
  CHECK(alive_while_running >= 1);
  CHECK(counted::alive() == 0);
}

TEST_CASE("spawn outside a runtime throws std::logic_error", "[spawn]") {
  CHECK_THROWS_AS(spawn(sleep_until(Instant{})), std::logic_error);
}

TEST_CASE("an exception escaping a spawned task is a panic JoinError and other tasks keep running",
          "[spawn]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  trace::Recorder rec;
  std::optional<std::expected<int, JoinError>> failed;
  bool other_finished = false;
  Duration ended_at{};
  {
    auto rt = flavor.runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto bad = spawn(panics_after(flavor.timer(10ms), "connection reset"), "panicker");
      auto good = spawn(sets_flag_after(flavor.timer(30ms), other_finished), "survivor");
      failed.emplace(co_await bad);
      (void)co_await good;
      ended_at = elapsed();
    });
  }
  REQUIRE(failed.has_value());
  REQUIRE_FALSE(failed->has_value());
  CHECK(failed->error().is_panic());
  CHECK_FALSE(failed->error().is_cancelled());
  CHECK(failed->error().panic_message() == "connection reset");
  CHECK_THAT(failed->error().to_string(), Catch::Contains("panicked: connection reset"));
  CHECK(other_finished);
  if (!flavor.threaded()) CHECK(ended_at == 30ms);  // virtual time

  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("panicker")) == Outcome::panicked);
  CHECK(q.outcome(q.task_named("survivor")) == Outcome::ok);
}

TEST_CASE("yield_now wakes the task once and requeues it behind the other ready tasks", "[yield_now]") {
  trace::Recorder rec;
  Log log;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto a = spawn(logs_around_a_yield(log, "A"), "A");
      auto b = spawn(logs_around_a_yield(log, "B"), "B");
      log.push_back("main 1");
      co_await yield_now();
      log.push_back("main 2");
      (void)co_await a;
      (void)co_await b;
    });
  }
  CHECK(log == Log{"main 1", "A 1", "B 1", "main 2", "A 2", "B 2"});

  TraceQuery q(rec.trace());
  const auto a = q.task_named("A");
  CHECK(q.wakes(a) == 1);
  CHECK(q.wakes(a, trace::wake_flag::self) == 1);
  CHECK(q.count(EventKind::poll_begin, a) == 2);
}
