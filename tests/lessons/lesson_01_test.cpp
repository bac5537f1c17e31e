// Lesson 01, threads vs tasks: N tables as N tasks are all spawned and all served, by one OS thread,
// in the time of one order — not N orders. The real measurements of threads and tasks vary from run
// to run and machine to machine, so only their presence (and that they are positive) is checked.
#include <string>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

bool said_contains(const lessons::LessonRun& run, std::string_view text) {
  for (const auto& line : run.said)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

const lessons::Measurement* measurement(const lessons::LessonRun& run, std::string_view label_part) {
  for (const auto& m : run.measurements)
    if (m.label.find(label_part) != std::string::npos) return &m;
  return nullptr;
}

}  // namespace

TEST_CASE("lesson 01: N tasks on one thread are all served in one order's time, not N times it",
          "[lessons][lesson01]") {
  for (auto [tables, order_ms] : {std::pair{1, 500}, {7, 10}, {250, 1200}}) {
    for (std::uint64_t seed : {1u, 17u}) {
      INFO(fmt::format("tables {} order {} ms seed {}", tables, order_ms, seed));
      auto run =
          run_lesson_with("01-threads-vs-tasks",
                          {{"tables", std::to_string(tables)}, {"order_ms", std::to_string(order_ms)}}, seed);
      TraceQuery q(run.trace);

      // Every table was spawned as a task of its own, by main, and completed.
      std::size_t spawned = 0, completed = 0;
      for (int t = 1; t <= tables; ++t) {
        const auto id = q.task_named(fmt::format("table {}", t));
        if (id == 0) continue;
        ++spawned;
        completed += q.outcome(id) == trace::Outcome::ok ? 1 : 0;
      }
      CHECK(spawned == static_cast<std::size_t>(tables));
      CHECK(completed == static_cast<std::size_t>(tables));

      // One thread: every poll ran on worker 0, and the tables saw a single OS thread.
      CHECK(q.count_if([](const trace::Event& e) { return e.worker != 0; }) == 0);
      CHECK(said_contains(
          run, fmt::format("all tables served ({}) after {} ms, by 1 OS thread", tables, order_ms)));

      // The whole restaurant took one order's time: the waits overlapped.
      auto served = find_event(run, "mark label=\"all tables served\"");
      REQUIRE(served);
      CHECK(time_at(run, *served) == std::chrono::milliseconds(order_ms));
      // And the clock moved once: from 0 straight to the order time, for every table at once.
      CHECK(q.count(trace::EventKind::clock_advanced) == 1);
    }
  }
}

TEST_CASE("lesson 01: the threads and the tasks are measured for real, and every figure is reported",
          "[lessons][lesson01]") {
  auto run = run_lesson_with("01-threads-vs-tasks", {{"tables", "1000"}});
  const auto* started = measurement(run, "threads: started");
  REQUIRE(started);
  CHECK(started->value > 0);
  CHECK(started->value <= 1000);
  for (std::string_view label :
       {"threads: time to start and join", "per thread: address space reserved",
        "per thread: memory made resident", "tasks: time to spawn and run to completion",
        "per task: task cell and coroutine frame"}) {
    INFO(label);
    const auto* m = measurement(run, label);
    REQUIRE(m);
    CHECK(m->value > 0);
  }
  CHECK(measurement(run, "threads: context switches"));
  CHECK(measurement(run, "tasks: context switches"));
  CHECK(said_contains(run, "threads: started"));
  CHECK(said_contains(run, "tasks: spawned and finished 1000"));
}

TEST_CASE("lesson 01: with serve on, N real connections are served by threads and by tasks, and measured",
          "[lessons][lesson01][net]") {
  constexpr int n = 200;
  auto run = run_lesson_with("01-threads-vs-tasks", {{"tables", std::to_string(n)}, {"serve", "true"}});
  for (std::string_view how : {"a thread each", "a task each"}) {
    INFO(how);
    // Every connection was open at once (each client waited for all the others) and got its pong.
    const auto* served = measurement(run, fmt::format("{} connections, {}: served", n, how));
    REQUIRE(served);
    CHECK(served->unit == "connections");
    CHECK(served->value == n);
    const auto* open = measurement(run, fmt::format("{} connections, {}: open at once", n, how));
    REQUIRE(open);
    CHECK(open->value == n);
    const auto* time = measurement(run, fmt::format("{} connections, {}: time to serve all", n, how));
    REQUIRE(time);
    CHECK(time->unit == "ms");
    CHECK(time->value > 0);
    for (std::string_view what : {"memory made resident", "address space reserved"}) {
      const auto* m = measurement(run, fmt::format("per connection, {}: {}", how, what));
      REQUIRE(m);
      CHECK(m->unit == "KiB");
    }
    CHECK(said_contains(run, fmt::format("{}: served {} of {} connections over 127.0.0.1", how, n, n)));
  }
  // Each thread reserves its stack's address space; n of them cannot fit in nothing.
  const auto* reserved = measurement(run, "per connection, a thread each: address space reserved");
  REQUIRE(reserved);
  CHECK(reserved->value > 0);
  // And the timeline is the lesson's usual deterministic one: the measurement is not in the trace.
  CHECK(find_event(run, "mark label=\"all tables served\""));
}

TEST_CASE("lesson 01: without serve, no connection is made or measured", "[lessons][lesson01]") {
  auto run = run_lesson_with("01-threads-vs-tasks", {{"tables", "10"}});
  CHECK_FALSE(measurement(run, "connections, a thread each"));
  CHECK_FALSE(measurement(run, "connections, a task each"));
}
