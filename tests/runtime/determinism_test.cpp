// Determinism (runtime/include/asynclab/runtime.hpp, detail/scheduler.hpp): same program + same seed
// → the same trace, event for event; .explore_schedules() lets the seed reorder the ready queue.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

Task<int> worker(int i, Log& log) {
  for (int round = 0; round < 2; ++round) {
    log.push_back("worker " + std::to_string(i) + " round " + std::to_string(round));
    co_await yield_now();
  }
  co_await sleep(std::chrono::milliseconds(1 + i % 3));
  co_return i;
}

// A little of everything: spawns, a JoinSet, select, join, timeout, marks.
Task<void> mixed_program(Log& log) {
  JoinSet<int> set;
  for (int i = 0; i < 4; ++i) set.spawn(worker(i, log), "set worker " + std::to_string(i));
  auto lone = spawn(worker(9, log), "lone worker");
  auto raced = co_await select(sleep(5ms), sleep(7ms), worker(7, log));
  log.push_back("select winner " + std::to_string(raced.index()));
  co_await join(sleep(2ms), yield_now());
  auto t = co_await timeout(3ms, sleep(10ms));
  log.push_back(t ? "timeout: value" : "timeout: elapsed");
  mark("halfway");
  while (auto r = co_await set.join_next()) log.push_back("joined " + std::to_string(r->value_or(-1)));
  (void)co_await lone;
}

struct Recorded {
  trace::Trace trace;
  Log log;
};

Recorded record(std::uint64_t seed, bool explore) {
  trace::Recorder rec;
  Log log;
  {
    auto rt = Runtime::builder()
                  .current_thread()
                  .virtual_time()
                  .seed(seed)
                  .explore_schedules(explore)
                  .trace(rec)
                  .build();
    rt.block_on(mixed_program(log));
  }
  return Recorded{rec.take(), std::move(log)};
}

// Compares two traces field by field; returns a description of the first difference ("" if none).
std::string first_difference(const trace::Trace& x, const trace::Trace& y) {
  if (x.size() != y.size())
    return "event counts differ: " + std::to_string(x.size()) + " vs " + std::to_string(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto& a = x[i];
    const auto& b = y[i];
    if (a.time_ns != b.time_ns || a.kind != b.kind || a.worker != b.worker || a.flags != b.flags ||
        a.task != b.task || a.a != b.a || a.b != b.b)
      return "event " + std::to_string(i) + " differs (" + std::string(trace::kind_name(a.kind)) + " vs " +
             std::string(trace::kind_name(b.kind)) + ")";
  }
  if (x.strings() != y.strings()) return "string tables differ";
  if (x.locations().size() != y.locations().size()) return "location tables differ in size";
  for (std::size_t i = 0; i < x.locations().size(); ++i) {
    const auto& a = x.locations()[i];
    const auto& b = y.locations()[i];
    if (a.file != b.file || a.function != b.function || a.line != b.line || a.column != b.column)
      return "location " + std::to_string(i) + " differs";
  }
  if (x.sites().size() != y.sites().size()) return "site tables differ in size";
  for (std::size_t i = 0; i < x.sites().size(); ++i)
    if (x.sites()[i].name != y.sites()[i].name || x.sites()[i].location != y.sites()[i].location)
      return "site " + std::to_string(i) + " differs";
  return "";
}

Task<void> five_loggers(Log& log) {
  std::vector<JoinHandle<int>> handles;
  for (int i = 0; i < 5; ++i) handles.push_back(spawn(worker(i, log), "logger " + std::to_string(i)));
  for (auto& h : handles) (void)co_await h;
}

struct Schedule {
  Log log;
  std::vector<std::uint32_t> polls;
  trace::Trace trace;
};

Schedule schedule(std::uint64_t seed, bool explore) {
  trace::Recorder rec;
  Schedule s;
  {
    auto rt = Runtime::builder()
                  .current_thread()
                  .virtual_time()
                  .seed(seed)
                  .explore_schedules(explore)
                  .trace(rec)
                  .build();
    rt.block_on(five_loggers(s.log));
  }
  s.polls = TraceQuery(rec.trace()).poll_order();
  s.trace = rec.take();
  return s;
}

}  // namespace

TEST_CASE("the same program with the same seed records identical traces", "[determinism]") {
  auto seed = GENERATE(as<std::uint64_t>{}, 0, 1, 0xdeadbeef);
  auto explore = GENERATE(false, true);
  CAPTURE(seed, explore);
  const Recorded first = record(seed, explore);
  const Recorded second = record(seed, explore);
  REQUIRE(first.trace.size() > 100);
  CHECK(first_difference(first.trace, second.trace) == "");
  CHECK(first.log == second.log);
}

TEST_CASE("with explore_schedules each seed repeats its schedule and different seeds reorder the ready queue",
          "[determinism]") {
  std::set<Log> orders;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    const Schedule a = schedule(seed, true);
    const Schedule b = schedule(seed, true);
    CHECK(a.log == b.log);
    CHECK(a.polls == b.polls);
    CHECK(first_difference(a.trace, b.trace) == "");
    orders.insert(a.log);
  }
  CHECK(orders.size() > 1);
}

TEST_CASE("without explore_schedules the ready queue is FIFO whatever the seed", "[determinism]") {
  Log fifo;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 5; ++i)
      fifo.push_back("worker " + std::to_string(i) + " round " + std::to_string(round));
  for (std::uint64_t seed = 0; seed <= 8; ++seed) {
    CAPTURE(seed);
    CHECK(schedule(seed, false).log == fifo);
  }
}
