// Lesson 10, select! and cancellation: the losing branch is dropped mid-flight before the winner's
// value is used; a branch that is not cancel-safe loses messages when it loses the race, a
// cancel-safe one loses none; abort() cancels a spawned task that select only borrowed.
#include <algorithm>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 3, 17, 4242};

std::size_t lines_with(const lessons::LessonRun& run, std::string_view what) {
  return static_cast<std::size_t>(std::count_if(run.said.begin(), run.said.end(), [&](const auto& l) {
    return l.text.find(what) != std::string::npos;
  }));
}

// Lines of the form "message N decoded": messages the consumer finished decoding.
std::size_t decoded(const lessons::LessonRun& run) {
  return static_cast<std::size_t>(std::count_if(run.said.begin(), run.said.end(),
                                                [](const auto& l) { return l.text.ends_with(" decoded"); }));
}

std::size_t count_matches(const lessons::LessonRun& run, std::string_view filter) {
  std::size_t n = 0;
  for (auto at = find_event(run, filter); at; at = find_event(run, filter, *at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("lesson 10: select drops the losing branch mid-flight before the winner's value is used",
          "[lessons][lesson10]") {
  for (auto [a, b] : {std::pair{300, 500}, {500, 300}, {100, 900}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("latency a {} b {} seed {}", a, b, seed));
      auto run = run_lesson_with("10-select",
                                 {{"latency_a", std::to_string(a)}, {"latency_b", std::to_string(b)}}, seed);
      const auto first = std::chrono::milliseconds(std::min(a, b));
      auto dropped = find_event(run, "mark label=\"loser dropped\"");
      auto used = find_event(run, "mark label=\"winner used\"");
      REQUIRE(dropped);
      REQUIRE(used);
      CHECK(*dropped < *used);
      CHECK(time_at(run, *dropped) == first);
      CHECK(time_at(run, *used) == first);
      CHECK(count_matches(run, "mark label=\"loser dropped\"") == 1);

      // In the trace itself: before the winner is used, one branch of the race completed and the
      // other was dropped mid-flight, its request ending as cancelled.
      std::size_t completed = 0, mid_flight = 0, answered = 0, cancelled = 0;
      for (std::size_t i = 0; i < *used; ++i) {
        const auto e = run.trace[i];
        if (e.kind == trace::EventKind::future_dropped) (e.flags == 1 ? completed : mid_flight) += 1;
        if (e.kind == trace::EventKind::request_end) {
          if (e.flags == static_cast<std::uint16_t>(trace::HttpFailure::cancelled)) {
            ++cancelled;
            CHECK(time_at(run, i) == first);
          } else {
            ++answered;
          }
        }
      }
      CHECK(completed == 1);
      CHECK(mid_flight == 1);
      CHECK(answered == 1);
      CHECK(cancelled == 1);
      CHECK(lines_with(run, a < b ? "mirror a won" : "mirror b won") == 1);
      CHECK(lines_with(run, a < b ? "mirror b: dropped mid-flight" : "mirror a: dropped mid-flight") == 1);
    }
  }
}

TEST_CASE(
    "lesson 10: a non-cancel-safe branch loses messages when it loses the race, a cancel-safe one loses none",
    "[lessons][lesson10]") {
  for (int heartbeat : {90, 130, 170}) {
    for (auto seed : seeds) {
      INFO(fmt::format("heartbeat {} seed {}", heartbeat, seed));
      auto unsafe = run_lesson_with(
          "10-select", {{"cancel_safe", "false"}, {"heartbeat", std::to_string(heartbeat)}}, seed);
      auto safe = run_lesson_with("10-select",
                                  {{"cancel_safe", "true"}, {"heartbeat", std::to_string(heartbeat)}}, seed);
      for (auto* run : {&unsafe, &safe}) {
        // Every message was sent, and the heartbeat really did win races in both modes.
        CHECK(count_matches(*run, "send resource=\"messages\" result=sent") == 8);
        CHECK(lines_with(*run, "heartbeat") >= 1);
      }
      const auto lost = count_matches(unsafe, "mark label=\"message lost\"");
      CHECK(lost >= 1);
      CHECK(lines_with(unsafe, fmt::format("handled {} of 8 messages", 8 - lost)) == 1);
      CHECK(decoded(unsafe) == 8 - lost);

      CHECK(count_matches(safe, "mark label=\"message lost\"") == 0);
      CHECK(lines_with(safe, "handled 8 of 8 messages") == 1);
      CHECK(decoded(safe) == 8);
    }
  }
  // The default run loses exactly the two messages the lesson names.
  auto run = run_lesson_with("10-select", {{"cancel_safe", "false"}});
  CHECK(lines_with(run, "message 2 was out of the channel") == 1);
  CHECK(lines_with(run, "message 4 was out of the channel") == 1);
  CHECK(lines_with(run, "handled 6 of 8 messages") == 1);
}

TEST_CASE("lesson 10: losing the race does not stop a spawned task, abort() cancels it",
          "[lessons][lesson10]") {
  for (auto seed : seeds) {
    INFO(fmt::format("seed {}", seed));
    auto run = run_lesson_with("10-select", {}, seed);
    TraceQuery q(run.trace);
    const auto task = q.task_named("my_task");
    REQUIRE(task != 0);
    CHECK(q.outcome(task) == trace::Outcome::cancelled);
    auto spawned = find_event(run, "spawn task=\"my_task\"");
    auto timeout = find_event(run, "mark label=\"timeout reached\"");
    auto cancelled = find_event(run, "task_completed task=\"my_task\" outcome=cancelled");
    REQUIRE(spawned);
    REQUIRE(timeout);
    REQUIRE(cancelled);
    // 2 s of sleep, then the 1 s timeout wins; the task (a 10 s sleep) ends right after abort().
    CHECK(time_at(run, *timeout) - time_at(run, *spawned) == 3s);
    CHECK(time_at(run, *cancelled) == time_at(run, *timeout));
    CHECK(*timeout < *cancelled);
    CHECK(lines_with(run, "Task completed") == 0);
    CHECK(lines_with(run, "awaiting the aborted task gives an error: task") == 1);
    CHECK(q.lints(trace::LintKind::forgotten_future).empty());
  }
}
