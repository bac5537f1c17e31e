// Lesson 15, deadlocks: two chefs taking two async mutexes in opposite orders end, under every seed's
// schedule, in the runtime's deadlock report with a wait-for cycle of exactly those two tasks, each
// waiting on the mutex the other holds; taking them in the same order completes under every seed.
#include <algorithm>
#include <string>
#include <vector>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

lessons::LessonRun run_15(std::string_view order, int hold_ms, std::uint64_t seed) {
  return run_lesson_with("15-deadlock",
                         {{"lock_order", std::string(order)}, {"hold_ms", std::to_string(hold_ms)}}, seed);
}

constexpr int holds[] = {1, 10, 50};

}  // namespace

TEST_CASE(
    "lesson 15: two tasks taking two mutexes in opposite order end in a deadlock report with a two-task "
    "cycle, under every seed",
    "[lessons][lesson15]") {
  for (int hold : holds) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      INFO(fmt::format("hold {} ms, seed {}", hold, seed));
      auto run = run_15("opposite", hold, seed);
      REQUIRE(run.stuck);
      const StuckReport& report = *run.stuck;
      TraceQuery q(run.trace);
      const auto chef1 = q.task_named("chef 1");
      const auto chef2 = q.task_named("chef 2");
      CHECK(report.is_deadlock());
      auto cycle = report.cycle;
      std::sort(cycle.begin(), cycle.end());
      CHECK(cycle == std::vector<std::uint32_t>{chef1, chef2});

      const StuckTask* one = report.task(chef1);
      const StuckTask* two = report.task(chef2);
      REQUIRE(one);
      REQUIRE(two);
      CHECK(one->waits_on == "mutex \"board\"");
      CHECK(one->held_by == std::vector<std::uint32_t>{chef2});
      CHECK(two->waits_on == "mutex \"knife\"");
      CHECK(two->held_by == std::vector<std::uint32_t>{chef1});
      CHECK(report.at_ns ==
            static_cast<std::uint64_t>(std::chrono::nanoseconds(std::chrono::milliseconds(hold)).count()));

      // The trace carries the same report, which the Warnings window draws: the two cycle edges.
      std::vector<trace::Event> on_cycle;
      for (const auto& e : q.events(trace::EventKind::stuck_wait))
        if (e.flags == 1) on_cycle.push_back(e);
      REQUIRE(on_cycle.size() == 2);
      for (const auto& e : on_cycle) CHECK(e.b == (e.task == chef1 ? chef2 : chef1));
      CHECK_FALSE(find_event(run, "mark label=\"both chefs done\""));
    }
  }
}

TEST_CASE("lesson 15: the same two tasks taking the mutexes in the same order complete under every seed",
          "[lessons][lesson15]") {
  bool chef2_first_somewhere = false;
  for (int hold : holds) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      INFO(fmt::format("hold {} ms, seed {}", hold, seed));
      auto run = run_15("same", hold, seed);
      REQUIRE_FALSE(run.stuck);
      TraceQuery q(run.trace);
      CHECK(q.count(trace::EventKind::stuck_wait) == 0);
      auto done = find_event(run, "mark label=\"both chefs done\"");
      REQUIRE(done);
      // One chef waited for the knife while the other cooked: hold, then 5 ms of chopping, twice over.
      CHECK(find_event(run, "lock_waiting resource=\"knife\""));
      CHECK(time_at(run, *done) == 2 * (std::chrono::milliseconds(hold) + 5ms));
      CHECK(std::any_of(run.said.begin(), run.said.end(), [](const auto& line) {
        return line.text == "the knife was used 2 times, the board 2 times";
      }));
      auto first = find_event(run, "lock_acquired resource=\"knife\"");
      REQUIRE(first);
      chef2_first_somewhere |= run.trace[*first].task == q.task_named("chef 2");
    }
  }
  // The seeds really shuffle the schedule: "same order completes" held in more than one interleaving.
  CHECK(chef2_first_somewhere);
}
