// Lesson 06, the runtime: on the current_thread runtime every poll happens on one worker, the thread
// that called block_on, and polls never overlap in time — so connections that all arrive at 0 ms
// get their first poll one parse after another.
#include <string>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;

TEST_CASE("lesson 06: on the current_thread runtime every poll is on one worker and polls never overlap",
          "[lessons][lesson06]") {
  for (auto [connections, parse_ms, query_ms] : {std::tuple{4, 2, 20}, {1, 9, 1}, {12, 5, 30}, {6, 1, 3}}) {
    for (std::uint64_t seed : {1u, 3u, 4242u}) {
      INFO(fmt::format("connections {} parse {} ms query {} ms seed {}", connections, parse_ms, query_ms,
                       seed));
      auto run = run_lesson_with("06-runtime",
                                 {{"connections", std::to_string(connections)},
                                  {"parse_ms", std::to_string(parse_ms)},
                                  {"query_ms", std::to_string(query_ms)}},
                                 seed);
      TraceQuery q(run.trace);

      // The runtime says it is the current_thread flavor (flavor bits 0).
      auto started = q.first(trace::EventKind::runtime_started);
      REQUIRE(started);
      CHECK((started->flags >> 1) == 0);

      // Every event, polls included, is on worker 0.
      CHECK(q.count_if([](const trace::Event& e) { return e.worker != 0; }) == 0);

      // Polls never overlap: each poll_begin is followed by the same task's poll_end before any other
      // poll begins, and begins no earlier than the previous poll ended.
      std::uint32_t open = 0;
      std::uint64_t last_end = 0;
      std::size_t polls = 0, overlaps = 0;
      for (std::size_t i = 0; i < run.trace.size(); ++i) {
        const auto e = run.trace[i];
        if (e.kind == trace::EventKind::poll_begin) {
          overlaps += open != 0 || e.time_ns < last_end ? 1 : 0;
          open = e.task;
          ++polls;
        } else if (e.kind == trace::EventKind::poll_end) {
          overlaps += e.task != open ? 1 : 0;
          open = 0;
          last_end = e.time_ns;
        }
      }
      CHECK(polls > static_cast<std::size_t>(connections));
      CHECK(overlaps == 0);

      // They all arrived at once, so they queue: connection k's first poll begins (k-1) parses late.
      for (int c = 1; c <= connections; ++c) {
        const auto id = q.task_named(fmt::format("connection {}", c));
        REQUIRE(id != 0);
        auto first = q.time_of_first(trace::EventKind::poll_begin, id);
        REQUIRE(first);
        CHECK(*first == std::chrono::milliseconds((c - 1) * parse_ms));
        CHECK(q.outcome(id) == trace::Outcome::ok);
      }

      // And the tasks saw one OS thread: the one that called block_on.
      bool one_thread = false;
      for (const auto& line : run.said)
        one_thread |= line.text.find("every poll ran on 1 OS thread, the one that called block_on") !=
                      std::string::npos;
      CHECK(one_thread);
    }
  }
}
