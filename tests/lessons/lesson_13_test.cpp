// Lesson 13, backpressure: with a bounded channel a fast producer's send waits whenever the buffer is
// full (it parks and is woken by the channel when the consumer frees a slot), the buffer never holds
// more than its capacity, and the producer finishes at the consumer's pace. With an unbounded channel
// the producer never waits and the buffer grows to every job the consumer has not reached yet.
#include <algorithm>
#include <string>
#include <vector>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

std::vector<std::size_t> all_events(const lessons::LessonRun& run, std::string_view filter) {
  std::vector<std::size_t> out;
  for (auto at = find_event(run, filter); at; at = find_event(run, filter, *at + 1)) out.push_back(*at);
  return out;
}

// The most values channel "jobs" ever held: every send and receive records what is buffered after it.
std::uint32_t most_buffered(const lessons::LessonRun& run) {
  std::uint32_t most = 0;
  for (auto at : all_events(run, "send resource=\"jobs\" result=sent"))
    most = std::max(most, run.trace[at].b);
  for (auto at : all_events(run, "recv resource=\"jobs\" result=received"))
    most = std::max(most, run.trace[at].b);
  return most;
}

struct Speeds {
  int capacity;
  int jobs;
  int producer_ms;
  int consumer_ms;
};

lessons::LessonRun run_13(bool bounded, Speeds s, std::uint64_t seed = 1) {
  return run_lesson_with("13-backpressure",
                         {{"bounded", bounded ? "true" : "false"},
                          {"capacity", std::to_string(s.capacity)},
                          {"jobs", std::to_string(s.jobs)},
                          {"producer_ms", std::to_string(s.producer_ms)},
                          {"consumer_ms", std::to_string(s.consumer_ms)}},
                         seed);
}

}  // namespace

TEST_CASE(
    "lesson 13: with a bounded channel the producer waits while the buffer is full, and the buffer never "
    "holds more than its capacity",
    "[lessons][lesson13]") {
  for (auto s : {Speeds{4, 20, 5, 20}, Speeds{1, 10, 0, 7}, Speeds{8, 40, 2, 10}, Speeds{16, 30, 0, 50}}) {
    INFO(fmt::format("capacity {} jobs {} producer {} ms consumer {} ms", s.capacity, s.jobs, s.producer_ms,
                     s.consumer_ms));
    auto run = run_13(true, s);
    REQUIRE_FALSE(run.stuck);
    CHECK(most_buffered(run) == static_cast<std::uint32_t>(s.capacity));  // filled up, and no further
    CHECK(all_events(run, "send resource=\"jobs\" result=sent").size() == static_cast<std::size_t>(s.jobs));
    CHECK(all_events(run, "recv resource=\"jobs\" result=received").size() ==
          static_cast<std::size_t>(s.jobs));

    // Each time a send found the buffer full, the producer's poll ended Pending (parked, not
    // spinning) and the next thing that happened to it was a wake from the channel.
    const auto full = all_events(run, "send task=\"producer\" resource=\"jobs\" result=full");
    REQUIRE_FALSE(full.empty());
    for (auto at : full) {
      auto parked = find_event(run, "poll_end task=\"producer\"", at);
      auto woken = find_event(run, "wake task=\"producer\"", at);
      auto next_poll = find_event(run, "poll_begin task=\"producer\"", at);
      REQUIRE(parked);
      REQUIRE(woken);
      REQUIRE(next_poll);
      CHECK(run.trace[*parked].flags == static_cast<std::uint16_t>(trace::PollResult::pending));
      CHECK(*woken < *next_poll);
      // ... by the consumer: taking a job freed the slot, which went straight to the producer.
      CHECK(find_event(run, "wake task=\"producer\" from=\"consumer\" source=channel", at) == woken);
    }

    // So the producer is done only when the consumer is nearly through: at the consumer's pace.
    auto done = find_event(run, "mark label=\"producer done\"");
    REQUIRE(done);
    CHECK(time_at(run, *done) >= std::chrono::milliseconds((s.jobs - s.capacity - 1) * s.consumer_ms));
  }
}

TEST_CASE(
    "lesson 13: with an unbounded channel the producer never waits and the buffer grows to every job not "
    "yet handled",
    "[lessons][lesson13]") {
  SECTION("a producer with no delay puts all N jobs in the buffer at once") {
    for (int n : {5, 20, 40}) {
      INFO(fmt::format("{} jobs", n));
      auto run = run_13(false, Speeds{4, n, 0, 20});
      CHECK(most_buffered(run) == static_cast<std::uint32_t>(n));
      CHECK(all_events(run, "send result=full").empty());
      CHECK(all_events(run, "wake task=\"producer\" source=channel").empty());
      auto done = find_event(run, "mark label=\"producer done\"");
      REQUIRE(done);
      CHECK(time_at(run, *done) == 0ms);
    }
  }
  SECTION("a producer four times faster than the consumer leaves three quarters of its jobs waiting") {
    std::uint32_t previous = 0;
    for (int n : {10, 20, 40}) {
      INFO(fmt::format("{} jobs", n));
      auto run = run_13(false, Speeds{4, n, 5, 20});
      auto done = find_event(run, "mark label=\"producer done\"");
      REQUIRE(done);
      CHECK(time_at(run, *done) == std::chrono::milliseconds(5 * n));  // its own pace, never held back
      const auto most = most_buffered(run);
      CHECK(most >= static_cast<std::uint32_t>(n * 3 / 4 - 1));
      CHECK(most > previous);  // more jobs sent, more piled up: no bound
      previous = most;
      CHECK(all_events(run, "send result=full").empty());
    }
  }
}
