// Lesson 11, timeouts: when the request is slower than the deadline, its future is dropped exactly
// at the deadline and never polled after; when it is faster, its value comes back and the
// deadline's sleep is the one dropped. Both for select! with a sleep and for time::timeout.
#include <algorithm>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 17};

lessons::LessonRun call(int latency, int deadline, std::string_view how, std::uint64_t seed) {
  return run_lesson_with("11-timeout",
                         {{"latency", std::to_string(latency)},
                          {"deadline", std::to_string(deadline)},
                          {"how", std::string(how)}},
                         seed);
}

std::size_t lines_with(const lessons::LessonRun& run, std::string_view what) {
  return static_cast<std::size_t>(std::count_if(run.said.begin(), run.said.end(), [&](const auto& l) {
    return l.text.find(what) != std::string::npos;
  }));
}

}  // namespace

TEST_CASE("lesson 11: past the deadline the request is dropped at the deadline and never polled again",
          "[lessons][lesson11]") {
  for (std::string_view how : {"select", "timeout"}) {
    for (auto [latency, deadline] : {std::pair{800, 500}, {10000, 500}, {300, 250}}) {
      for (auto seed : seeds) {
        INFO(fmt::format("{}: latency {} deadline {} seed {}", how, latency, deadline, seed));
        auto run = call(latency, deadline, how, seed);
        const auto at_deadline = std::chrono::milliseconds(deadline);

        // Exactly one branch was dropped mid-flight: the request's, at the deadline.
        std::optional<std::size_t> drop;
        for (std::size_t i = 0; i < run.trace.size(); ++i) {
          const auto e = run.trace[i];
          if (e.kind == trace::EventKind::future_dropped && e.flags == 0) {
            CHECK_FALSE(drop);
            drop = i;
          }
        }
        REQUIRE(drop);
        CHECK(time_at(run, *drop) == at_deadline);
        const std::uint32_t node = run.trace[*drop].a;
        auto dropped_mark = find_event(run, "mark label=\"request dropped\"");
        REQUIRE(dropped_mark);
        CHECK(time_at(run, *dropped_mark) == at_deadline);

        // The branch was polled before (at 0 ms and at the deadline), never after it was dropped;
        // its request ended cancelled, never answered; its timer never fired.
        std::size_t polls_before = 0;
        for (std::size_t i = 0; i < run.trace.size(); ++i) {
          const auto e = run.trace[i];
          if (e.kind == trace::EventKind::future_polled && e.a == node) {
            CHECK(i < *drop);
            ++polls_before;
          }
          if (e.kind == trace::EventKind::request_end) {
            CHECK(e.flags == static_cast<std::uint16_t>(trace::HttpFailure::cancelled));
            CHECK(time_at(run, i) == at_deadline);
          }
          if (e.kind == trace::EventKind::timer_fired) CHECK(time_at(run, i) <= at_deadline);
        }
        CHECK(polls_before >= 1);
        TraceQuery q(run.trace);
        CHECK(q.count(trace::EventKind::request_end) == 1);
        CHECK(q.count(trace::EventKind::timer_fired) == 1);  // the deadline's, not the request's
        CHECK(q.count(trace::EventKind::timer_cancelled) == 1);

        auto timed_out = find_event(run, "mark label=\"timed out\"");
        REQUIRE(timed_out);
        CHECK(*dropped_mark < *timed_out);
        CHECK(time_at(run, *timed_out) == at_deadline);
        CHECK(run.end_ns == static_cast<std::uint64_t>(at_deadline.count()) * 1'000'000u);
        CHECK(lines_with(run, "Err(\"request timed out\")") == 1);
      }
    }
  }
}

TEST_CASE("lesson 11: in time, the value comes back and the deadline's sleep is what gets dropped",
          "[lessons][lesson11]") {
  for (std::string_view how : {"select", "timeout"}) {
    for (auto [latency, deadline] : {std::pair{300, 500}, {10, 10000}, {499, 500}}) {
      for (auto seed : seeds) {
        INFO(fmt::format("{}: latency {} deadline {} seed {}", how, latency, deadline, seed));
        auto run = call(latency, deadline, how, seed);
        auto value = find_event(run, "mark label=\"value returned\"");
        REQUIRE(value);
        CHECK(time_at(run, *value) == std::chrono::milliseconds(latency));
        CHECK_FALSE(find_event(run, "mark label=\"request dropped\""));
        CHECK(lines_with(run, "main: got 2048 bytes") == 1);
        TraceQuery q(run.trace);
        // One timer fired (the request's); the deadline's was disarmed instead of firing.
        CHECK(q.count(trace::EventKind::timer_fired) == 1);
        CHECK(q.count(trace::EventKind::timer_cancelled) == 1);
        CHECK(run.end_ns == static_cast<std::uint64_t>(latency) * 1'000'000u);
      }
    }
  }
}
