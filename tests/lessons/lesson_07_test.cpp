// Lesson 07, spawn and JoinHandle: the spawned task runs while main does other work, the handle
// gives its value (or, when it throws, a panic JoinError), and a request id reaches the spawned
// task only when it is handed over.
#include <algorithm>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 17};

std::vector<std::string> lines_containing(const lessons::LessonRun& run, std::string_view what) {
  std::vector<std::string> out;
  for (const auto& line : run.said)
    if (line.text.find(what) != std::string::npos) out.push_back(line.text);
  return out;
}

}  // namespace

TEST_CASE("lesson 07: the spawned task overlaps main's other work and the run takes the longer of the two",
          "[lessons][lesson07]") {
  for (auto [task_ms, work_ms] : {std::pair{1000, 400}, {300, 900}, {700, 650}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("task_ms {} work_ms {} seed {}", task_ms, work_ms, seed));
      auto run = run_lesson_with(
          "07-spawn", {{"task_ms", std::to_string(task_ms)}, {"work_ms", std::to_string(work_ms)}}, seed);
      TraceQuery q(run.trace);
      const auto report = q.task_named("report");
      REQUIRE(report != 0);

      // The report task is first polled at 0 ms, before main's other work is done: they overlap.
      auto first_poll = find_event(run, "poll task=\"report\"");
      auto work_done = find_event(run, "mark label=\"other work done\"");
      REQUIRE(first_poll);
      REQUIRE(work_done);
      CHECK(*first_poll < *work_done);
      CHECK(time_at(run, *first_poll) == 0ms);
      // ...and after main's first poll ended: one thread, so spawn only queued it.
      auto main_yields = find_event(run, "poll_end task=\"main\" result=pending");
      REQUIRE(main_yields);
      CHECK(*main_yields < *first_poll);
      CHECK(time_at(run, *work_done) == std::chrono::milliseconds(work_ms));

      auto report_done = find_event(run, "task_completed task=\"report\" outcome=ok");
      REQUIRE(report_done);
      CHECK(time_at(run, *report_done) == std::chrono::milliseconds(task_ms));
      auto joined = find_event(run, "mark label=\"handle joined\"");
      REQUIRE(joined);
      CHECK(time_at(run, *joined) == std::chrono::milliseconds(std::max(task_ms, work_ms)));
      // main waited on the handle only when the task outlasted the other work: then the task's
      // completion is what woke it.
      CHECK(find_event(run, "wake task=\"main\" from=\"report\"").has_value() == (task_ms > work_ms));
      CHECK(lines_containing(run, "main: task complete").size() == 1);
    }
  }
}

TEST_CASE("lesson 07: a task that throws gives its handle a panic JoinError and main carries on",
          "[lessons][lesson07]") {
  for (auto [task_ms, work_ms] : {std::pair{1000, 400}, {200, 600}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("task_ms {} work_ms {} seed {}", task_ms, work_ms, seed));
      auto run = run_lesson_with(
          "07-spawn",
          {{"panic", "true"}, {"task_ms", std::to_string(task_ms)}, {"work_ms", std::to_string(work_ms)}},
          seed);
      TraceQuery q(run.trace);
      CHECK(q.outcome(q.task_named("report")) == trace::Outcome::panicked);
      CHECK(q.outcome(q.task_named("main")) == trace::Outcome::ok);
      CHECK_FALSE(run.stuck);
      auto panicked = find_event(run, "task_completed task=\"report\" outcome=panicked");
      auto joined = find_event(run, "mark label=\"handle joined\"");
      REQUIRE(panicked);
      REQUIRE(joined);
      CHECK(*panicked < *joined);
      // The is_panic() branch ran, with the exception's message; no value was printed.
      CHECK(lines_containing(run, "main: the task panicked: the report template is missing").size() == 1);
      CHECK(lines_containing(run, "task complete").empty());
      CHECK(lines_containing(run, "report: done").empty());
    }
  }
}

TEST_CASE("lesson 07: the request id reaches the spawned task only when it is handed over",
          "[lessons][lesson07]") {
  for (bool propagate : {true, false}) {
    for (auto seed : seeds) {
      INFO(fmt::format("propagate {} seed {}", propagate, seed));
      auto run = run_lesson_with("07-spawn", {{"propagate", propagate ? "true" : "false"}}, seed);
      auto report_lines = lines_containing(run, "report: ");
      auto main_lines = lines_containing(run, "main: ");
      REQUIRE(report_lines.size() == 2);
      REQUIRE(main_lines.size() >= 3);
      for (const auto& line : main_lines) CHECK(line.starts_with("[req 42] "));
      for (const auto& line : report_lines)
        CHECK(line.starts_with(propagate ? "[req 42] " : "[no request id] "));
    }
  }
}
