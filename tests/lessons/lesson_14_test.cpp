// Lesson 14, blocking the executor: a synchronous read called inside a task holds the only worker, so
// the heartbeat is not polled at all while it runs (and beats late), and the runtime raises a long-poll
// lint; the same read handed to spawn_blocking runs on a blocking lane while the heartbeat keeps its
// exact beat.
#include <string>
#include <vector>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

// When each "heartbeat N" line was printed: the beats as they really happened.
std::vector<std::chrono::nanoseconds> beat_times(const lessons::LessonRun& run) {
  std::vector<std::chrono::nanoseconds> out;
  for (const auto& line : run.said)
    if (line.text.starts_with("heartbeat ")) out.emplace_back(line.at_ns);
  return out;
}

lessons::LessonRun run_14(bool use_spawn_blocking, int block_ms, int heartbeat_ms, std::uint64_t seed = 1) {
  return run_lesson_with("14-blocking",
                         {{"use_spawn_blocking", use_spawn_blocking ? "true" : "false"},
                          {"block_ms", std::to_string(block_ms)},
                          {"heartbeat_ms", std::to_string(heartbeat_ms)}},
                         seed);
}

constexpr std::pair<int, int> cases[] = {{100, 10}, {20, 5}, {500, 50}, {230, 7}};

}  // namespace

TEST_CASE(
    "lesson 14: a blocking read inside a task freezes the heartbeat for its whole duration and is flagged "
    "as a long poll",
    "[lessons][lesson14]") {
  for (auto [block_ms, every_ms] : cases) {
    INFO(fmt::format("block {} ms, heartbeat every {} ms", block_ms, every_ms));
    auto run = run_14(false, block_ms, every_ms);
    REQUIRE_FALSE(run.stuck);
    TraceQuery q(run.trace);
    const auto loader = q.task_named("loader");
    const auto heartbeat = q.task_named("heartbeat");

    // The read ran on the worker itself (lane 0), inside the loader's poll.
    auto begin = find_event(run, "blocking_begin task=\"loader\"");
    auto end = find_event(run, "blocking_end task=\"loader\"");
    REQUIRE(begin);
    REQUIRE(end);
    CHECK(run.trace[*begin].a == 0);
    CHECK(time_at(run, *end) - time_at(run, *begin) == std::chrono::milliseconds(block_ms));
    // Not one event of the heartbeat's while it ran: not polled, not even woken.
    for (std::size_t i = *begin; i < *end; ++i) CHECK(run.trace[i].task != heartbeat);

    // A beat fell due during the read; it came only when the read was over, late.
    const auto beats = beat_times(run);
    const auto start = time_at(run, *begin), stop = time_at(run, *end);
    const std::chrono::nanoseconds every = std::chrono::milliseconds(every_ms);
    const auto due = (start / every + 1) * every;
    REQUIRE(due < stop);
    CHECK(std::none_of(beats.begin(), beats.end(), [&](auto t) { return t > start && t < stop; }));
    auto late = std::find_if(beats.begin(), beats.end(), [&](auto t) { return t >= stop; });
    REQUIRE(late != beats.end());
    CHECK(*late == stop);
    for (auto on_time = beats.begin(); on_time != late; ++on_time)  // the beats before the read: on time
      CHECK(*on_time == every * (on_time - beats.begin() + 1));

    // And the runtime says so.
    const auto lints = q.lints(trace::LintKind::long_poll, loader);
    REQUIRE(lints.size() == 1);
    CHECK(lints[0].a >= static_cast<std::uint32_t>(block_ms) * 1000);  // microseconds
    CHECK(q.lint_count(trace::LintKind::long_poll) == 1);
  }
}

TEST_CASE("lesson 14: with spawn_blocking the read runs on a blocking lane and the heartbeat keeps its beat",
          "[lessons][lesson14]") {
  for (auto [block_ms, every_ms] : cases) {
    INFO(fmt::format("block {} ms, heartbeat every {} ms", block_ms, every_ms));
    auto run = run_14(true, block_ms, every_ms);
    REQUIRE_FALSE(run.stuck);
    TraceQuery q(run.trace);
    const auto heartbeat = q.task_named("heartbeat");

    auto begin = find_event(run, "blocking_begin");
    auto end = find_event(run, "blocking_end");
    REQUIRE(begin);
    REQUIRE(end);
    CHECK(run.trace[*begin].a >= 1);  // a blocking lane, not the worker
    const auto start = time_at(run, *begin), stop = time_at(run, *end);
    CHECK(stop - start == std::chrono::milliseconds(block_ms));

    // Every beat exactly on time: the k-th at k periods.
    const auto beats = beat_times(run);
    REQUIRE(beats.size() >= 3);
    for (std::size_t k = 0; k < beats.size(); ++k)
      CHECK(beats[k] == std::chrono::milliseconds(every_ms) * static_cast<int>(k + 1));
    // Including all the beats that fall while the job blocks its lane, each a poll of the heartbeat.
    std::size_t polled_during = 0;
    for (std::size_t i = *begin; i < *end; ++i)
      polled_during += run.trace[i].kind == trace::EventKind::poll_begin && run.trace[i].task == heartbeat;
    CHECK(polled_during >= static_cast<std::size_t>(block_ms / every_ms) - 1);

    CHECK(q.lint_count(trace::LintKind::long_poll) == 0);
    // The loader still gets its file when the read is done.
    auto read = find_event(run, "mark label=\"big-file.txt read\"");
    REQUIRE(read);
    CHECK(time_at(run, *read) == stop);
    CHECK(std::any_of(run.said.begin(), run.said.end(),
                      [](const auto& line) { return line.text == "loader: read 65536 bytes"; }));
  }
}
