// Lesson 06, the runtime: on the current_thread runtime every poll happens on one worker, the thread
// that called block_on, and polls never overlap in time — so connections that all arrive at 0 ms
// get their first poll one parse after another. On the multi_thread flavor (simulated workers) the
// parses of different connections overlap, a worker steals, and the run ends sooner.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "asynclab/trace/file.hpp"

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

namespace {

struct Interval {
  std::uint64_t begin = 0, end = 0;
  std::uint8_t worker = 0;
};

// The parses (sim::block_for holding a worker: blocking lane 0) of a run, as time intervals.
std::vector<Interval> parses(const trace::Trace& t) {
  std::vector<Interval> out;
  std::map<std::uint32_t, Interval> open;  // job id -> its parse so far
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto e = t[i];
    if (e.kind == trace::EventKind::blocking_begin && e.a == 0) open[e.b] = Interval{e.time_ns, 0, e.worker};
    if (e.kind == trace::EventKind::blocking_end && e.a == 0) {
      auto it = open.find(e.b);
      REQUIRE(it != open.end());
      it->second.end = e.time_ns;
      out.push_back(it->second);
      open.erase(it);
    }
  }
  return out;
}

std::size_t overlapping_pairs(const std::vector<Interval>& p) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = i + 1; j < p.size(); ++j) n += p[i].begin < p[j].end && p[j].begin < p[i].end ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("lesson 06: on 2+ simulated workers parses overlap, the run ends sooner, and a worker steals",
          "[lessons][lesson06]") {
  for (auto [connections, parse_ms, query_ms] : {std::tuple{4, 2, 20}, {2, 9, 1}, {12, 5, 30}, {6, 1, 3}}) {
    for (std::uint64_t seed : {1u, 3u, 4242u}) {
      INFO(fmt::format("connections {} parse {} ms query {} ms seed {}", connections, parse_ms, query_ms, seed));
      auto with = [&](int workers) {
        return run_lesson_with("06-runtime",
                               {{"connections", std::to_string(connections)},
                                {"parse_ms", std::to_string(parse_ms)},
                                {"query_ms", std::to_string(query_ms)},
                                {"workers", std::to_string(workers)}},
                               seed);
      };
      auto one = with(1);
      auto two = with(2);
      auto four = with(4);

      // With one worker (current_thread) two parses never overlap; with two, they do.
      CHECK(overlapping_pairs(parses(one.trace)) == 0);
      CHECK(overlapping_pairs(parses(two.trace)) > 0);

      // The trace says which flavor ran, and how many workers polled.
      TraceQuery q2(two.trace);
      auto started = q2.first(trace::EventKind::runtime_started);
      REQUIRE(started);
      CHECK((started->flags >> 1) == 1);
      CHECK(started->worker == 1);
      std::set<std::uint8_t> polled_on;
      for (const auto& e : q2.events(trace::EventKind::poll_begin)) polled_on.insert(e.worker);
      CHECK(polled_on == std::set<std::uint8_t>{0, 1});

      // A worker with nothing to do stole from the other.
      const auto steals = q2.events(trace::EventKind::task_stolen);
      REQUIRE(!steals.empty());
      CHECK(steals.front().a != steals.front().b);

      // The work is the same (every request parsed), and it ends sooner on more workers.
      const auto total_parses = static_cast<std::size_t>(connections * 3);
      CHECK(parses(one.trace).size() == total_parses);
      CHECK(parses(two.trace).size() == total_parses);
      CHECK(two.end_ns < one.end_ns);
      CHECK(four.end_ns <= two.end_ns);
      // Never faster than the parses spread perfectly over the workers allow.
      CHECK(two.end_ns >= static_cast<std::uint64_t>(connections * 3 * parse_ms / 2) * 1'000'000);

      // Still one OS thread: the workers are simulated, and the Output says so.
      bool said_simulated = false;
      for (const auto& line : two.said)
        said_simulated |= line.text.find("every poll ran on 1 OS thread, the one that called block_on, which "
                                         "simulates the 2 workers") != std::string::npos;
      CHECK(said_simulated);

      // The same seed replays the same run, byte for byte.
      CHECK(trace::to_altrace(two.trace) == trace::to_altrace(with(2).trace));
    }
  }
}

TEST_CASE("lesson 06: the multi_thread steps run on two workers and point at a steal", "[lessons][lesson06]") {
  const auto& l = lesson("06-runtime");
  REQUIRE(l.steps.size() == 5);
  lessons::ParamValues defaults(l.params);
  CHECK(l.values_at(2, defaults).integer("workers") == 1);
  CHECK(l.values_at(3, defaults).integer("workers") == 2);
  CHECK(l.values_at(4, defaults).integer("workers") == 2);
  auto run = lessons::run_lesson_step(l, lesson_catalog().find("06-runtime")->scenario, 3, 1, defaults);
  REQUIRE(run.ok());
  auto stolen = find_event(run, "task_stolen nth=2");
  REQUIRE(stolen);
  CHECK(run.trace[*stolen].time_ns == 0);
  CHECK(run.trace[*stolen].b == 1);
}
