// The multi_thread flavor, simulated (runtime/include/asynclab/runtime.hpp, detail/scheduler.hpp
// "Simulated workers"): N logical workers in virtual time, with local queues, an inject queue and
// seeded work stealing. The runtime's semantics do not change with the worker count; a
// sim::block_for holds only its own worker; the same seed replays the same trace byte for byte.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/block_for.hpp"
#include "asynclab/trace/file.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

Runtime workers_runtime(std::uint32_t n, std::uint64_t seed = 0) {
  return Runtime::builder().multi_thread(n).virtual_time().seed(seed).build();
}
Runtime workers_runtime(std::uint32_t n, trace::Recorder& rec, std::uint64_t seed = 0) {
  return Runtime::builder().multi_thread(n).virtual_time().seed(seed).trace(rec).build();
}

Task<int> child(int i) {
  co_await yield_now();
  co_await sleep(std::chrono::milliseconds(1 + i % 3));
  co_return i * 10;
}

Task<int> parse(int i) {
  sim::block_for(10ms);  // CPU work: holds the worker this poll runs on
  co_return i;
}

// A little of everything, returning a summary string whose contents do not depend on scheduling.
Task<std::string> mixed_program() {
  std::string out;
  auto h = spawn(child(1), "child");
  auto v = co_await h;
  out += "join " + std::to_string(v.value_or(-1)) + ";";

  auto raced = co_await select(sleep(5ms), sleep(7ms));
  out += "select " + std::to_string(raced.index()) + ";";

  auto t = co_await timeout(3ms, sleep(10ms));
  out += t ? "timeout value;" : "timeout elapsed;";

  auto [a, b] = co_await join(child(2), child(3));
  out += "join2 " + std::to_string(a + b) + ";";

  auto [tx, rx] = sync::mpsc::channel<int>(2, "numbers");
  for (int i = 0; i < 5; ++i) {
    auto producer = [](sync::mpsc::Sender<int> to, int value) -> Task<void> {
      auto sent = co_await to.send(value);
      (void)sent;
    };
    (void)spawn(producer(tx, i), "producer");
  }
  { auto drop = std::move(tx); }
  int sum = 0;
  while (auto got = co_await rx.recv()) sum += *got;
  out += "channel " + std::to_string(sum) + ";";

  JoinSet<int> set;
  for (int i = 0; i < 6; ++i) set.spawn(child(i), "set child");
  int total = 0;
  while (auto r = co_await set.join_next()) total += r->value_or(-1000);
  out += "joinset " + std::to_string(total);
  co_return out;
}

Task<void> four_parses(int& done) {
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn(parse(i), "parse " + std::to_string(i)));
  for (auto& h : hs) {
    auto r = co_await h;
    if (r) ++done;
  }
}

// Every poll_begin is closed by its poll_end before the same task is polled again, and a worker
// never has two polls open at once.
void check_polls_exclusive(const trace::Trace& t) {
  std::map<std::uint32_t, std::uint8_t> open_task;  // task -> worker polling it
  std::map<std::uint8_t, std::uint32_t> open_worker;  // worker -> task it polls
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.kind == EventKind::poll_begin) {
      INFO("event " << i << ": task " << e.task << " on worker " << int(e.worker));
      CHECK(open_task.count(e.task) == 0);
      CHECK(open_worker.count(e.worker) == 0);
      open_task[e.task] = e.worker;
      open_worker[e.worker] = e.task;
    } else if (e.kind == EventKind::poll_end) {
      INFO("event " << i << ": task " << e.task);
      REQUIRE(open_task.count(e.task) == 1);
      CHECK(open_task[e.task] == e.worker);
      open_worker.erase(open_task[e.task]);
      open_task.erase(e.task);
    }
  }
  CHECK(open_task.empty());
}

}  // namespace

TEST_CASE("spawn, join, select, timeout, channels and JoinSet give the same answers on 1, 2 and 4 simulated workers",
          "[sim_workers]") {
  const std::uint32_t n = GENERATE(1u, 2u, 4u);
  INFO(n << " workers");
  trace::Recorder rec;
  std::string out;
  {
    auto rt = workers_runtime(n, rec, 7);
    out = rt.block_on(mixed_program());
  }
  CHECK(out == "join 10;select 0;timeout elapsed;join2 50;channel 10;joinset 150");
  check_polls_exclusive(rec.trace());
  TraceQuery q(rec.trace());
  // No task lost: every task spawned completed.
  CHECK(q.count(EventKind::task_completed) == q.count(EventKind::task_spawned));
}

TEST_CASE("the current_thread answers match the simulated workers' answers", "[sim_workers]") {
  std::string out;
  {
    auto rt = virtual_runtime(7);
    out = rt.block_on(mixed_program());
  }
  CHECK(out == "join 10;select 0;timeout elapsed;join2 50;channel 10;joinset 150");
}

TEST_CASE("sim::block_for holds only its own worker: four 10 ms parses take 40, 20 and 10 ms on 1, 2 and 4 workers",
          "[sim_workers]") {
  const auto [n, expected_ms] = GENERATE(table<std::uint32_t, std::int64_t>({{1, 40}, {2, 20}, {4, 10}}));
  INFO(n << " workers");
  trace::Recorder rec;
  int done = 0;
  Instant end;
  {
    auto rt = workers_runtime(n, rec);
    rt.block_on(four_parses(done));
    end = rt.now();
  }
  CHECK(done == 4);
  CHECK(end.time_since_epoch() == std::chrono::milliseconds(expected_ms));
  check_polls_exclusive(rec.trace());
  // The parses ran on min(n, 4) different workers.
  std::set<std::uint8_t> used;
  const trace::Trace& t = rec.trace();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == EventKind::blocking_begin) used.insert(t[i].worker);
  CHECK(used.size() == std::min<std::size_t>(n, 4));
}

TEST_CASE("an idle worker steals half of a busy worker's queue, and the trace records each steal", "[sim_workers]") {
  trace::Recorder rec;
  int done = 0;
  {
    auto rt = workers_runtime(2, rec);
    rt.block_on(four_parses(done));
  }
  REQUIRE(done == 4);
  TraceQuery q(rec.trace());
  const auto steals = q.events(EventKind::task_stolen);
  // main (worker 0, from the inject queue) spawned four parses onto worker 0's local queue; worker 1,
  // with nothing of its own and nothing injected, took the older half: parse 0 and parse 1.
  // Later, at 10 ms, parse 0 finishing on worker 1 woke main onto worker 1's queue, behind parse 1;
  // at 20 ms worker 0, idle, stole main back.
  REQUIRE(steals.size() == 3);
  CHECK(steals[0].task == q.task_named("parse 0"));
  CHECK(steals[1].task == q.task_named("parse 1"));
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(steals[i].a == 0);
    CHECK(steals[i].b == 1);
    CHECK(steals[i].worker == 1);
    CHECK(steals[i].time_ns == 0);
  }
  CHECK(steals[2].task == q.task_named("main"));
  CHECK(steals[2].a == 1);
  CHECK(steals[2].b == 0);
  CHECK(steals[2].time_ns == 20'000'000);
  // A stolen task's first poll is on the thief.
  const auto first_poll = q.first(EventKind::poll_begin, q.task_named("parse 0"));
  REQUIRE(first_poll);
  CHECK(first_poll->worker == 1);
  const auto unstolen = q.first(EventKind::poll_begin, q.task_named("parse 2"));
  REQUIRE(unstolen);
  CHECK(unstolen->worker == 0);
}

TEST_CASE("one worker never steals, and current_thread never records a worker other than 0", "[sim_workers]") {
  for (bool multi : {false, true}) {
    trace::Recorder rec;
    int done = 0;
    {
      auto rt = multi ? workers_runtime(1, rec) : virtual_runtime(rec);
      rt.block_on(four_parses(done));
    }
    TraceQuery q(rec.trace());
    CHECK(q.count(EventKind::task_stolen) == 0);
    CHECK(q.count_if([](const trace::Event& e) { return e.worker != 0; }) == 0);
  }
}

TEST_CASE("runtime_started records the multi_thread flavor and the worker count", "[sim_workers]") {
  trace::Recorder rec;
  {
    auto rt = workers_runtime(4, rec, 3);
    rt.block_on(child(0));
  }
  TraceQuery q(rec.trace());
  auto started = q.first(EventKind::runtime_started);
  REQUIRE(started);
  CHECK((started->flags & 1) == 1);          // virtual time
  CHECK((started->flags >> 1) == 1);         // flavor: multi_thread
  CHECK(started->worker == 3);               // workers - 1
  CHECK(started->a == 3);                    // the seed
}

TEST_CASE("the same seed and program give the same multi-worker trace byte for byte", "[sim_workers]") {
  auto run = [](std::uint64_t seed) {
    trace::Recorder rec;
    {
      auto rt = workers_runtime(4, rec, seed);
      (void)rt.block_on(mixed_program());
    }
    return trace::to_altrace(rec.trace());
  };
  for (std::uint64_t seed : {1u, 2u, 99u}) {
    INFO("seed " << seed);
    CHECK(run(seed) == run(seed));
  }
}

TEST_CASE("the seed decides which victim a thief robs", "[sim_workers]") {
  // Three workers, main on worker 0 spawns eight parses onto its queue; workers 1 and 2 steal.
  // Worker 1 must steal from worker 0 (the only non-empty queue); worker 2 then finds two
  // non-empty queues (0 and 1) and the seed decides which it robs. Over a few seeds both happen.
  std::set<std::uint32_t> victims_of_worker_2;
  for (std::uint64_t seed = 0; seed < 16; ++seed) {
    trace::Recorder rec;
    {
      auto rt = workers_runtime(3, rec, seed);
      auto eight = []() -> Task<void> {
        std::vector<JoinHandle<int>> hs;
        for (int i = 0; i < 8; ++i) hs.push_back(spawn(parse(i), "parse"));
        for (auto& h : hs) {
          auto r = co_await h;
          if (!r) throw std::runtime_error("a parse failed");
        }
      };
      rt.block_on(eight);
    }
    TraceQuery q(rec.trace());
    auto steal = q.first([](const trace::Event& e) { return e.kind == EventKind::task_stolen && e.b == 2; });
    REQUIRE(steal);
    victims_of_worker_2.insert(steal->a);
  }
  CHECK(victims_of_worker_2 == std::set<std::uint32_t>{0, 1});
}

TEST_CASE("simulated workers still stop with a deadlock report instead of hanging", "[sim_workers]") {
  sync::Mutex<int> a(0, "a");
  sync::Mutex<int> b(0, "b");
  auto take_both = [](sync::Mutex<int>& first, sync::Mutex<int>& second) -> Task<void> {
    auto g1 = co_await first.lock();
    co_await sleep(1ms);  // both tasks hold their first lock before either asks for the second
    auto g2 = co_await second.lock();
  };
  auto program = [&]() -> Task<void> {
    auto alice = spawn(take_both(a, b), "alice");
    auto bob = spawn(take_both(b, a), "bob");
    (void)co_await alice;
    (void)co_await bob;
  };
  std::optional<StuckError> error;
  {
    auto rt = workers_runtime(2);
    auto r = rt.try_block_on(program);
    if (!r) error.emplace(r.error());
  }
  REQUIRE(error);
  CHECK(error->report().is_deadlock());
  CHECK(error->report().cycle.size() == 2);
}

TEST_CASE("many tasks of yields and sleeps on 4 workers: none lost, none polled twice at once", "[sim_workers]") {
  trace::Recorder rec;
  int finished = 0;
  {
    auto rt = workers_runtime(4, rec, 5);
    auto many = [&]() -> Task<void> {
      JoinSet<int> set;
      for (int i = 0; i < 100; ++i) set.spawn(child(i), "child");
      while (auto r = co_await set.join_next())
        if (r->has_value()) ++finished;
    };
    rt.block_on(many);
  }
  CHECK(finished == 100);
  check_polls_exclusive(rec.trace());
  TraceQuery q(rec.trace());
  CHECK(q.count(EventKind::task_completed) == q.count(EventKind::task_spawned));
  CHECK(q.count(EventKind::task_stolen) > 0);
}

TEST_CASE("multi_thread is simulated with virtual time and real without it, a bad worker count is refused", "[sim_workers]") {
  CHECK(Runtime::builder().multi_thread(2).virtual_time().build().block_on([]() -> Task<bool> {
    co_return !detail::Scheduler::current()->threaded();
  }));
  CHECK(Runtime::builder().multi_thread(2).build().block_on([]() -> Task<bool> {
    co_return detail::Scheduler::current()->threaded();  // real worker threads: worker_threads_test.cpp
  }));
  CHECK_THROWS_AS(Runtime::builder().multi_thread(0), std::invalid_argument);
  CHECK_THROWS_AS(Runtime::builder().multi_thread(65), std::invalid_argument);
  CHECK(Runtime::builder().multi_thread(2).current_thread().build().block_on([]() -> Task<bool> {
    co_return detail::Scheduler::current()->workers() == 0;  // the last call wins
  }));
}
