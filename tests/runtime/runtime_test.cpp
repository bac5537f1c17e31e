// Runtime and Builder (runtime/include/asynclab/runtime.hpp): block_on's value and exceptions,
// shutdown on drop, the clock outside a run.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

struct Oops : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Task<int> fails_after(Duration d) {
  co_await sleep(d);
  throw Oops("main failed");
  co_return 0;
}

Task<void> holds_counted_and_sleeps(Duration d) {
  counted local;
  co_await sleep(d);
}

}  // namespace

TEST_CASE("block_on returns the main future's value", "[runtime]") {
  auto rt = virtual_runtime();
  int v = rt.block_on([]() -> Task<int> {
    co_await sleep(3ms);
    co_return 17;
  });
  CHECK(v == 17);
  CHECK(rt.now().time_since_epoch() == 3ms);
}

TEST_CASE("block_on rethrows the main future's exception with its own type", "[runtime]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    CHECK_THROWS_AS(rt.block_on(fails_after(4ms)), Oops);
  }
  {
    auto rt = virtual_runtime();
    CHECK_THROWS_WITH(rt.block_on(fails_after(4ms)), "main failed");
  }
  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("main")) == trace::Outcome::panicked);
}

TEST_CASE("the Runtime's destructor cancels still-running spawned tasks and runs their destructors once",
          "[runtime]") {
  counted::reset();
  trace::Recorder rec;
  int alive_after_block_on = -1;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      (void)spawn(holds_counted_and_sleeps(1h), "left behind");
      co_await sleep(1ms);
    });
    alive_after_block_on = counted::alive();
  }
  CHECK(alive_after_block_on == 1);
  CHECK(counted::default_constructions == 1);
  CHECK(counted::destructions == 1);

  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("left behind")) == trace::Outcome::cancelled);
  auto stops = q.events(EventKind::runtime_stopped);
  REQUIRE(stops.size() == 2);
  CHECK(stops[0].flags == static_cast<std::uint16_t>(trace::StopReason::finished));
  CHECK(stops[1].flags == static_cast<std::uint16_t>(trace::StopReason::shutdown));
}

TEST_CASE("block_on from inside the same runtime throws std::logic_error", "[runtime]") {
  bool threw = false;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    try {
      rt.block_on([]() -> Task<void> { co_return; });
    } catch (const std::logic_error&) {
      threw = true;
    }
    co_return;
  });
  CHECK(threw);
}

TEST_CASE("asynclab::now() outside a runtime throws std::logic_error", "[runtime]") {
  CHECK_THROWS_AS(asynclab::now(), std::logic_error);
}

TEST_CASE("a virtual-time run of an hour of timers finishes at an hour of virtual time", "[runtime]") {
  auto rt = virtual_runtime();
  rt.block_on([]() -> Task<void> {
    for (int i = 0; i < 60; ++i) co_await sleep(1min);
  });
  CHECK(rt.now().time_since_epoch() == 1h);
}
