// Lesson 18, when not to use async: CPU work done inside a task is one long poll — the long-poll lint
// fires and no other task is polled until it ends — while the same work on spawn_blocking's thread
// leaves the heartbeat beating. The real CPU timings vary, so only their presence is checked.
#include <string>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

bool said_contains(const lessons::LessonRun& run, std::string_view text) {
  for (const auto& line : run.said)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

struct Window {
  std::uint64_t begin_ns = 0, end_ns = 0;
  std::size_t begin = 0, end = 0;  // event indexes
};

}  // namespace

TEST_CASE("lesson 18: CPU work in a task is a long poll during which no other task is polled",
          "[lessons][lesson18]") {
  for (int cpu_ms : {20, 300, 1500}) {
    for (std::uint64_t seed : {1u, 2u, 4242u}) {
      INFO(fmt::format("cpu {} ms seed {}", cpu_ms, seed));
      auto run = run_lesson_with(
          "18-when-not-async", {{"cpu_ms", std::to_string(cpu_ms)}, {"offload", "false"}, {"real_work", "1"}},
          seed);
      TraceQuery q(run.trace);
      const auto checksum = q.task_named("checksum");
      const auto heartbeat = q.task_named("heartbeat");
      REQUIRE(checksum != 0);
      REQUIRE(heartbeat != 0);

      // The lint names the checksum, with the poll's length in microseconds.
      auto lints = q.lints(trace::LintKind::long_poll);
      REQUIRE(lints.size() == 1);
      CHECK(lints[0].task == checksum);
      CHECK(lints[0].a == static_cast<std::uint32_t>(cpu_ms) * 1000u);

      // The checksum's poll spans cpu_ms, and nothing else is polled inside it, in the event order or
      // in time.
      std::optional<Window> poll;
      for (std::size_t i = 0; i < run.trace.size() && !poll; ++i) {
        const auto e = run.trace[i];
        if (e.kind != trace::EventKind::poll_begin || e.task != checksum) continue;
        for (std::size_t j = i + 1; j < run.trace.size(); ++j) {
          const auto f = run.trace[j];
          if (f.kind == trace::EventKind::poll_end && f.task == checksum) {
            poll = Window{e.time_ns, f.time_ns, i, j};
            break;
          }
        }
      }
      REQUIRE(poll);
      CHECK(poll->end_ns - poll->begin_ns == static_cast<std::uint64_t>(cpu_ms) * 1'000'000u);
      CHECK(q.count_if([&](const trace::Event& e) {
        return e.kind == trace::EventKind::poll_begin && e.task != checksum && e.time_ns > poll->begin_ns &&
               e.time_ns < poll->end_ns;
      }) == 0);
      for (std::size_t i = poll->begin + 1; i < poll->end; ++i)
        CHECK(run.trace[i].kind != trace::EventKind::poll_begin);

      // The heartbeat, due every 10 ms, waited the whole poll.
      CHECK(said_contains(run, fmt::format("the longest gap between two was {} ms", cpu_ms)));
    }
  }
}

TEST_CASE("lesson 18: on spawn_blocking's thread the same work leaves the heartbeat beating every 10 ms",
          "[lessons][lesson18]") {
  for (int cpu_ms : {20, 300}) {
    INFO(fmt::format("cpu {} ms", cpu_ms));
    auto run = run_lesson_with("18-when-not-async",
                               {{"cpu_ms", std::to_string(cpu_ms)}, {"offload", "true"}, {"real_work", "1"}});
    TraceQuery q(run.trace);
    CHECK(q.lint_count(trace::LintKind::long_poll) == 0);
    const auto heartbeat = q.task_named("heartbeat");
    REQUIRE(heartbeat != 0);
    // The heartbeat is polled while the blocking lane works.
    auto begin = q.first(trace::EventKind::blocking_begin);
    auto end = q.first(trace::EventKind::blocking_end);
    REQUIRE(begin);
    REQUIRE(end);
    CHECK(begin->a != 0);  // a blocking lane, not the worker (lane 0)
    CHECK(end->time_ns - begin->time_ns == static_cast<std::uint64_t>(cpu_ms) * 1'000'000u);
    CHECK(q.count_if([&](const trace::Event& e) {
      return e.kind == trace::EventKind::poll_begin && e.task == heartbeat && e.time_ns > begin->time_ns &&
             e.time_ns < end->time_ns;
    }) >= static_cast<std::size_t>(cpu_ms / 10 - 1));
    CHECK(said_contains(run, "the longest gap between two was 10 ms"));
  }
}

TEST_CASE("lesson 18: the real CPU work is timed on one thread, in tasks and on threads, and reported",
          "[lessons][lesson18]") {
  auto run = run_lesson_with("18-when-not-async", {{"real_work", "2"}});
  REQUIRE(run.measurements.size() == 4);
  for (const auto& m : run.measurements) {
    INFO(m.label);
    CHECK(m.value > 0);
  }
  CHECK(said_contains(run, "measured: 2M hash steps took"));
}
