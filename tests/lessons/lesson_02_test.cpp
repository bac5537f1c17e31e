// Lesson 02, futures are lazy: a future that is created and dropped unawaited never runs its body
// (no request, no poll of its own) and raises exactly one forgotten-future lint; awaited, it runs
// once, starting when it is awaited rather than when it was created; spawned, it runs as a task of
// its own at once, while main does its other work.
#include <string>

#include <fmt/format.h>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 17};
constexpr int other_work_ms[] = {0, 100, 750};

std::size_t marks(const lessons::LessonRun& run, std::string_view label) {
  TraceQuery q(run.trace);
  return q.count_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::mark && run.trace.string(e.b) == label;
  });
}

std::size_t said_containing(const lessons::LessonRun& run, std::string_view text) {
  std::size_t n = 0;
  for (const auto& line : run.said) n += line.text.find(text) != std::string::npos ? 1 : 0;
  return n;
}

lessons::LessonRun run_02(std::string what, int other_work, std::uint64_t seed) {
  return run_lesson_with("02-lazy", {{"what", what}, {"other_work", std::to_string(other_work)}}, seed);
}

}  // namespace

TEST_CASE("lesson 02: a future dropped unawaited never runs and raises exactly one forgotten-future lint",
          "[lessons][lesson02]") {
  for (int work : other_work_ms) {
    for (auto seed : seeds) {
      INFO(fmt::format("other_work {} ms, seed {}", work, seed));
      auto run = run_02("forget", work, seed);
      TraceQuery q(run.trace);
      const auto main = q.task_named("main");
      REQUIRE(main != 0);
      // Its body never ran: no request, no line of it printed, no task of its own to poll.
      CHECK(q.count(trace::EventKind::request_begin) == 0);
      CHECK(marks(run, "fetch_data started") == 0);
      CHECK(said_containing(run, "fetch_data: the body runs now") == 0);
      CHECK(q.count(trace::EventKind::task_spawned) == 1);
      CHECK(q.count_if([&](const trace::Event& e) {
        return e.kind == trace::EventKind::poll_begin && e.task != main;
      }) == 0);
      // One lint, in main, at the moment main's closing brace drops the future.
      auto lints = q.lints(trace::LintKind::forgotten_future);
      REQUIRE(lints.size() == 1);
      CHECK(lints[0].task == main);
      CHECK(TraceQuery::time(lints[0]) == std::chrono::milliseconds(work));
      CHECK(q.outcome(main) == trace::Outcome::ok);
    }
  }
}

TEST_CASE("lesson 02: an awaited future runs once, starting when it is awaited, not when it is created",
          "[lessons][lesson02]") {
  for (int work : other_work_ms) {
    for (auto seed : seeds) {
      INFO(fmt::format("other_work {} ms, seed {}", work, seed));
      auto run = run_02("await", work, seed);
      TraceQuery q(run.trace);
      const auto main = q.task_named("main");
      CHECK(q.lint_count(trace::LintKind::forgotten_future) == 0);
      CHECK(marks(run, "fetch_data started") == 1);
      CHECK(said_containing(run, "fetch_data: the body runs now") == 1);
      auto requests = q.events(trace::EventKind::request_begin);
      REQUIRE(requests.size() == 1);
      CHECK(requests[0].task == main);  // polled inside main, by its co_await
      CHECK(TraceQuery::time(requests[0]) == std::chrono::milliseconds(work));
      auto created = find_event(run, "mark label=\"future created\"");
      REQUIRE(created);
      CHECK(time_at(run, *created) == 0ms);
      CHECK(said_containing(run, "main: got 1256 bytes") == 1);
    }
  }
}

TEST_CASE("lesson 02: a spawned future runs as its own task at once, overlapping main's other work",
          "[lessons][lesson02]") {
  for (int work : other_work_ms) {
    for (auto seed : seeds) {
      INFO(fmt::format("other_work {} ms, seed {}", work, seed));
      auto run = run_02("spawn", work, seed);
      TraceQuery q(run.trace);
      const auto fetch = q.task_named("fetch_data");
      REQUIRE(fetch != 0);
      CHECK(q.lint_count(trace::LintKind::forgotten_future) == 0);
      CHECK(q.count(trace::EventKind::poll_begin, fetch) >= 1);
      auto requests = q.events(trace::EventKind::request_begin);
      REQUIRE(requests.size() == 1);
      CHECK(requests[0].task == fetch);
      CHECK(TraceQuery::time(requests[0]) == 0ms);  // not after main's other work
      CHECK(q.outcome(fetch) == trace::Outcome::ok);
      CHECK(said_containing(run, "fetch_data: the body runs now") == 1);
      // main is done once both its other work and the 200 ms request are.
      auto done = find_event(run, "mark label=\"main done\"");
      REQUIRE(done);
      CHECK(time_at(run, *done) == std::max(std::chrono::milliseconds(work), std::chrono::milliseconds(200)));
    }
  }
}
