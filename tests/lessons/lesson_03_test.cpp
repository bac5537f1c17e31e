// Lesson 03, Poll and the Waker: seed B's MyFuture makes its task poll exactly pending_polls + 1
// times — Pending each time with a wake_by_ref of the task by itself inside that very poll, then
// Ready(pending_polls + 1) with no wake. Without the wake, the one Pending is the last poll: a lost
// waker, and the run ends in the stuck report.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

// The wakes of `task` inside each of its polls, one entry per poll (poll_begin .. poll_end).
struct PollWakes {
  trace::PollResult result = trace::PollResult::pending;
  std::vector<std::uint16_t> wake_flags;
};

std::vector<PollWakes> polls_with_wakes(const trace::Trace& t, std::uint32_t task) {
  std::vector<PollWakes> out;
  bool inside = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.task != task) continue;
    if (e.kind == trace::EventKind::poll_begin) {
      inside = true;
      out.emplace_back();
    } else if (e.kind == trace::EventKind::wake) {
      REQUIRE(inside);  // every wake of this task happens while it is being polled: self-wakes only
      out.back().wake_flags.push_back(e.flags);
    } else if (e.kind == trace::EventKind::poll_end) {
      inside = false;
      out.back().result = static_cast<trace::PollResult>(e.flags);
    }
  }
  return out;
}

bool said(const lessons::LessonRun& run, const std::string& text) {
  for (const auto& line : run.said)
    if (line.text == text) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "lesson 03: MyFuture is polled pending_polls + 1 times, each Pending with a self wake_by_ref, then Ready",
    "[lessons][lesson03]") {
  for (int pending : {0, 1, 3, 5, 10}) {
    for (std::uint64_t seed : {1u, 4242u}) {
      INFO(fmt::format("pending_polls {}, seed {}", pending, seed));
      auto run = run_lesson_with("03-poll-and-wake", {{"pending_polls", std::to_string(pending)}}, seed);
      REQUIRE_FALSE(run.stuck);
      TraceQuery q(run.trace);
      const auto main = q.task_named("main");
      REQUIRE(main != 0);

      auto polls = polls_with_wakes(run.trace, main);
      REQUIRE(polls.size() == static_cast<std::size_t>(pending) + 1);
      for (std::size_t k = 0; k < polls.size(); ++k) {
        INFO(fmt::format("poll {}", k + 1));
        if (k + 1 < polls.size()) {
          CHECK(polls[k].result == trace::PollResult::pending);
          // Exactly one wake inside the Pending poll: the task woke itself, by reference.
          REQUIRE(polls[k].wake_flags.size() == 1);
          CHECK((polls[k].wake_flags[0] & trace::wake_flag::self) != 0);
          CHECK((polls[k].wake_flags[0] & trace::wake_flag::by_ref) != 0);
        } else {
          CHECK(polls[k].result == trace::PollResult::ready);
          CHECK(polls[k].wake_flags.empty());
        }
      }
      CHECK(q.wakes(main) == static_cast<std::size_t>(pending));
      CHECK(said(run, fmt::format("Result: {}", pending + 1)));
      CHECK(q.lint_count(trace::LintKind::lost_waker) == 0);
      // Waking itself on every poll is a spin, and the runtime says so once it has seen two wakes.
      CHECK(q.lint_count(trace::LintKind::self_wake) == (pending >= 2 ? 1u : 0u));
    }
  }
}

TEST_CASE("lesson 03: a Pending without a wake is the task's last poll: a lost waker and the stuck report",
          "[lessons][lesson03]") {
  for (int pending : {1, 3, 7}) {
    INFO(fmt::format("pending_polls {}", pending));
    auto run =
        run_lesson_with("03-poll-and-wake", {{"pending_polls", std::to_string(pending)}, {"wake", "false"}});
    TraceQuery q(run.trace);
    const auto main = q.task_named("main");
    CHECK(q.poll_results(main) == std::vector{trace::PollResult::pending});
    CHECK(q.wakes(main) == 0);
    CHECK(q.lint_count(trace::LintKind::lost_waker, main) >= 1);
    CHECK(run.stuck.has_value());
    CHECK_FALSE(said(run, "Async function completed"));
  }
}
