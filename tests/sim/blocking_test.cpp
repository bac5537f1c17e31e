// spawn_blocking and sim::block_for: blocking work held by the worker versus moved to a lane.
#include <catch2/catch.hpp>

#include <thread>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

// Beats every 10 ms of virtual time, recording when each beat actually happened.
Task<void> heartbeat(std::vector<Duration>* beats, int count) {
  for (int i = 0; i < count; ++i) {
    co_await sleep(10ms);
    beats->push_back(elapsed());
  }
}

}  // namespace

TEST_CASE("sim::block_for inside a task holds the worker: no other task runs meanwhile", "[blocking]") {
  trace::Recorder rec;
  std::vector<Duration> beats;
  auto rt = virtual_runtime(rec);
  rt.block_on([&]() -> Task<void> {
    auto hb = spawn(heartbeat(&beats, 5), "heartbeat");
    co_await sleep(1ms);
    sim::block_for(50ms);  // the wrong way: the worker is held for 50 ms
    (void)co_await hb;
  });
  REQUIRE(beats.size() == 5);
  CHECK(beats[0] == 51ms);  // due at 10 ms, but the worker was busy until 51 ms
  TraceQuery q(rec.trace());
  auto main = q.task_named("main");
  CHECK(q.lint_count(trace::LintKind::long_poll, main) == 1);
  auto begin = q.first(trace::EventKind::blocking_begin, main);
  REQUIRE(begin);
  CHECK(begin->a == 0);  // lane 0: the worker itself
}

TEST_CASE("spawn_blocking moves the work to a blocking lane and the heartbeat keeps its beat", "[blocking]") {
  trace::Recorder rec;
  std::vector<Duration> beats;
  int result = 0;
  auto rt = virtual_runtime(rec);
  rt.block_on([&]() -> Task<void> {
    auto hb = spawn(heartbeat(&beats, 10), "heartbeat");
    auto job = spawn_blocking([] {
      sim::block_for(50ms);
      return 42;
    });
    result = *co_await job;
    (void)co_await hb;
  });
  CHECK(result == 42);
  REQUIRE(beats.size() == 10);
  for (std::size_t i = 0; i < beats.size(); ++i) CHECK(beats[i] == 10ms * static_cast<int>(i + 1));
  TraceQuery q(rec.trace());
  CHECK(q.lint_count(trace::LintKind::long_poll) == 0);
  auto begin = q.first(trace::EventKind::blocking_begin);
  auto end = q.first(trace::EventKind::blocking_end);
  REQUIRE(begin);
  REQUIRE(end);
  CHECK(begin->a >= 1);  // a blocking lane, not the worker
  CHECK(TraceQuery::time(*end) - TraceQuery::time(*begin) == 50ms);
}

TEST_CASE("blocking jobs that overlap in virtual time take different lanes and finish together", "[blocking]") {
  trace::Recorder rec;
  Duration finished{};
  auto rt = virtual_runtime(rec);
  rt.block_on([&]() -> Task<void> {
    auto a = spawn_blocking([] { sim::block_for(30ms); });
    auto b = spawn_blocking([] { sim::block_for(30ms); });
    (void)co_await a;
    (void)co_await b;
    finished = elapsed();
  });
  CHECK(finished == 30ms);
  TraceQuery q(rec.trace());
  auto begins = q.events(trace::EventKind::blocking_begin);
  REQUIRE(begins.size() == 2);
  CHECK(begins[0].a != begins[1].a);
}

TEST_CASE("an exception thrown by a blocking job is its panic", "[blocking]") {
  bool panicked = false;
  std::string message;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await spawn_blocking([]() -> int { throw std::runtime_error("disk on fire"); });
    panicked = !r && r.error().is_panic();
    if (!r) message = r.error().panic_message();
  });
  CHECK(panicked);
  CHECK(message == "disk on fire");
}

TEST_CASE("the same blocking program records the same trace under the same seed", "[blocking][determinism]") {
  auto run = [] {
    trace::Recorder rec;
    auto rt = virtual_runtime(rec, 7);
    rt.block_on([]() -> Task<void> {
      auto a = spawn_blocking([] { sim::block_for(20ms); return 1; });
      auto b = spawn_blocking([] { sim::block_for(10ms); return 2; });
      co_await sleep(5ms);
      (void)co_await a;
      (void)co_await b;
    });
    return rec.take();
  };
  auto x = run();
  auto y = run();
  REQUIRE(x.size() == y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(i);
    CHECK(x[i].time_ns == y[i].time_ns);
    CHECK(x[i].kind == y[i].kind);
    CHECK(x[i].task == y[i].task);
    CHECK(x[i].a == y[i].a);
    CHECK(x[i].b == y[i].b);
  }
}

// The one test that uses real threads: a job on the blocking pool delivers its result back to the
// runtime's thread. It waits on a condition the job sets, never on a clock.
TEST_CASE("in real time spawn_blocking runs the job on a pool thread and delivers its result", "[blocking]") {
  auto rt = Runtime::builder().current_thread().build();
  std::thread::id runtime_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  int result = rt.block_on([&]() -> Task<int> {
    auto v = co_await spawn_blocking([&] {
      job_thread = std::this_thread::get_id();
      return 5;
    });
    co_return *v;
  });
  CHECK(result == 5);
  CHECK(job_thread != runtime_thread);
}

TEST_CASE("a runtime waiting only on a blocking job is not stuck", "[blocking][stuck]") {
  auto rt = Runtime::builder().current_thread().build();
  auto r = rt.try_block_on([]() -> Task<int> { co_return *co_await spawn_blocking([] { return 3; }); });
  REQUIRE(r.has_value());
  CHECK(*r == 3);
}
