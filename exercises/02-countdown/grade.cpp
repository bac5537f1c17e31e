// Grader of exercise 02 (countdown: hand-write MyFuture's poll). Each TEST_CASE is one graded point,
// tagged [task_N].
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grading.hpp"
#include "my_future.hpp"
#include "watched_future.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

// What MyFuture answered, poll by poll (see grading/watched_future.hpp: past a budget of polls it
// gives up, so a spinning poll fails the grade instead of hanging it).
using Watch = grading::PollWatch<std::uint32_t>;

// Awaits a MyFuture the way a task's `.await` does: one poll of it per poll of the task.
Task<std::optional<std::uint32_t>> await_my_future(Watch* watch) {
  MyFuture future{};
  grading::WatchedFuture watched(&future, watch);
  co_return co_await watched;
}

struct Observed {
  grading::GradedRun run;
  Watch watch;
};

Observed observe(std::uint64_t seed) {
  Observed o;
  o.run = grading::run_graded("02-countdown", seed, [&] { return await_my_future(&o.watch); });
  return o;
}

// "Pending, Pending, Pending, Ready(4)"; a long run of one answer is counted: "Pending ×50".
std::string answers(const Watch& watch) {
  std::string out;
  const auto& polls = watch.polls;
  for (std::size_t i = 0; i < polls.size();) {
    std::size_t same = 1;
    while (i + same < polls.size() && polls[i + same].ready == polls[i].ready) ++same;
    const std::string answer = polls[i].ready ? fmt::format("Ready({})", *polls[i].ready) : "Pending";
    for (std::size_t k = 0; k < (same > 4 ? 1 : same); ++k) out += (out.empty() ? "" : ", ") + answer;
    if (same > 4) out += fmt::format(" ×{}", same);
    i += same;
  }
  return out.empty() ? "nothing" : out;
}

std::string ordinal(std::size_t n) {
  const char* suffix = n % 100 / 10 == 1 ? "th"
                       : n % 10 == 1     ? "st"
                       : n % 10 == 2     ? "nd"
                       : n % 10 == 3     ? "rd"
                                         : "th";
  return fmt::format("{}{}", n, suffix);
}

}  // namespace

TEST_CASE("every Pending arranges a wake: the task is polled again after each one (no lost waker)",
          "[ex02][task_1]") {
  for (auto seed : grading::seeds) {
    auto o = observe(seed);
    if (o.run.stuck && !o.watch.polls.empty() && !o.watch.polls.back().ready)
      grading::fail(
          fmt::format("lost waker (seed {}): MyFuture answered Pending at its {} poll ({}) and nothing "
                      "woke task \"main\" again — the run stopped there, every task waiting for ever",
                      seed, ordinal(o.watch.polls.size()), grading::GradedRun::at(o.watch.polls.back().began)),
          "each Pending is followed by a wake of the task, so it is polled again",
          "exercise.cpp: Pending promises a wake. Nothing else will ever poll this task, so MyFuture "
          "must arrange it itself, through the waker `cx` lends it");
    grading::require_finished(o.run);
    const auto lost = o.run.query().lint_count(trace::LintKind::lost_waker);
    if (lost > 0)
      grading::fail(fmt::format("seed {}: the runtime recorded {} lost waker{} (a Pending poll with no waker "
                                "kept and none woken)",
                                seed, lost, lost == 1 ? "" : "s"),
                    "no lost-waker lint", "exercise.cpp: the Pending branch of poll");
  }
}

TEST_CASE("MyFuture is Ready(4) on its 4th poll, after three Pendings", "[ex02][task_2]") {
  for (auto seed : grading::seeds) {
    auto o = observe(seed);
    grading::require_finished(o.run);
    if (o.watch.gave_up)
      grading::fail(fmt::format("busy spin (seed {}): MyFuture was polled {} times, all at {}, and answered "
                                "Pending every time",
                                seed, o.watch.budget, grading::GradedRun::at(o.watch.polls.back().began)),
                    "Pending, Pending, Pending, Ready(4)",
                    "exercise.cpp: does `count` really go up on each poll, and does the check ever let it "
                    "answer Ready?");
    const bool right = o.watch.polls.size() == 4 && o.watch.polls[3].ready == 4u;
    if (!right)
      grading::fail(fmt::format("seed {}: MyFuture answered {} ({} poll{})", seed, answers(o.watch),
                                o.watch.polls.size(), o.watch.polls.size() == 1 ? "" : "s"),
                    "Pending, Pending, Pending, Ready(4) — seed B's `count > 3` after `count += 1`",
                    "exercise.cpp: when count is incremented, the test that decides Ready, and the value "
                    "Ready carries");
  }
}

TEST_CASE("no busy spin: 4 polls and 3 wakes in all — one wake per Pending, none after Ready",
          "[ex02][task_3]") {
  for (auto seed : grading::seeds) {
    auto o = observe(seed);
    grading::require_finished(o.run);
    const auto q = o.run.query();
    const std::uint32_t main = q.task_named("main");
    const auto polls = q.count(trace::EventKind::poll_begin, main);
    const auto wakes = q.wakes(main);
    if (polls != 4 || wakes != 3)
      grading::fail(
          fmt::format("seed {}: task \"main\" was polled {} time{} and woken {} time{} (MyFuture answered "
                      "{})",
                      seed, polls, polls == 1 ? "" : "s", wakes, wakes == 1 ? "" : "s", answers(o.watch)),
          "4 polls and 3 wakes: one wake for each of the 3 Pendings, none with Ready — each extra "
          "wake is one more poll that finds nothing to do",
          "exercise.cpp: wake only on the path that answers Pending, once");
  }
}
