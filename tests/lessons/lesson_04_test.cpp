// Lesson 04, the executor: the run queue is first in, first out. Spawned tasks get their first
// poll in spawn order; woken again (all at once, by main, in `wake_order`), they get their next
// poll in exactly the order they were woken — for any number of tasks, any wake order, any seed.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;

TEST_CASE("lesson 04: the executor polls woken tasks in the order they were woken (FIFO)",
          "[lessons][lesson04]") {
  for (int n : {2, 3, 5, 8}) {
    for (std::string order : {"reverse", "spawn", "shuffled"}) {
      for (std::uint64_t seed : {1u, 3u, 4242u}) {
        INFO(fmt::format("tasks {}, wake_order {}, seed {}", n, order, seed));
        auto run =
            run_lesson_with("04-executor", {{"tasks", std::to_string(n)}, {"wake_order", order}}, seed);
        REQUIRE_FALSE(run.stuck);
        TraceQuery q(run.trace);
        const auto main = q.task_named("main");

        std::vector<std::uint32_t> spawned;  // the thoughts, in spawn order
        for (const auto& e : q.events(trace::EventKind::task_spawned))
          if (e.task != main) spawned.push_back(e.task);
        REQUIRE(spawned.size() == static_cast<std::size_t>(n));
        const auto is_thought = [&](std::uint32_t t) {
          return std::find(spawned.begin(), spawned.end(), t) != spawned.end();
        };

        const auto parked = find_event(run, "mark label=\"everyone parked\"");
        const auto woken = find_event(run, "mark label=\"all woken\"");
        REQUIRE(parked);
        REQUIRE(woken);
        std::vector<std::uint32_t> first_polls, wakes, next_polls;
        for (std::size_t i = 0; i < run.trace.size(); ++i) {
          const trace::Event e = run.trace[i];
          if (!is_thought(e.task)) continue;
          if (e.kind == trace::EventKind::poll_begin)
            (i < *parked ? first_polls : next_polls).push_back(e.task);
          if (e.kind == trace::EventKind::wake) {
            CHECK(i < *woken);  // every wake is main's ringing, before the thoughts run again
            CHECK(e.a == main);
            wakes.push_back(e.task);
          }
        }
        CHECK(first_polls == spawned);  // spawning queues in spawn order
        REQUIRE(wakes.size() == static_cast<std::size_t>(n));
        CHECK(next_polls == wakes);  // and the front of the line goes next: wake order

        // The parameter decides the wake order, so it decides the poll order.
        if (order == "spawn") CHECK(wakes == spawned);
        if (order == "reverse") CHECK(wakes == std::vector<std::uint32_t>(spawned.rbegin(), spawned.rend()));
        auto sorted = wakes;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // each woken once
      }
    }
  }
}

TEST_CASE("lesson 04: a shuffled wake order follows the seed, and the polls follow it",
          "[lessons][lesson04]") {
  // Same seed, same order (a run replays byte for byte); different seeds, different orders.
  std::vector<std::vector<std::uint32_t>> orders;
  for (std::uint64_t seed : {1u, 2u, 3u, 17u, 4242u}) {
    auto run = run_lesson_with("04-executor", {{"tasks", "8"}, {"wake_order", "shuffled"}}, seed);
    auto again = run_lesson_with("04-executor", {{"tasks", "8"}, {"wake_order", "shuffled"}}, seed);
    TraceQuery q(run.trace);
    const auto main = q.task_named("main");
    std::vector<std::uint32_t> wakes;
    for (const auto& e : q.events(trace::EventKind::wake))
      if (e.task != main) wakes.push_back(e.task);
    CHECK(wakes == [&] {
      std::vector<std::uint32_t> w;
      for (const auto& e : TraceQuery(again.trace).events(trace::EventKind::wake))
        if (e.task != main) w.push_back(e.task);
      return w;
    }());
    orders.push_back(wakes);
  }
  std::sort(orders.begin(), orders.end());
  CHECK(std::unique(orders.begin(), orders.end()) - orders.begin() > 1);
}
