// Tokio 1.24's orderings and timing rules that a learner comparing logs with a real Tokio program
// sees (issue "Tokio fidelity, round two"): wake order, 1 ms timer ticks, MissedTickBehavior. Each test's name states what Tokio does; the logs were checked against
// Tokio 1.24.2's source (util/wake_list.rs, sync/notify.rs, sync/batch_semaphore.rs, sync/watch.rs, time/, runtime/time/).
// All on current_thread with virtual time, where the order is one thread's and exact.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/block_for.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

// Spawns `n` tasks that each wait on `wait(i)` in turn (task i queues i-th), then, 1 ms later, runs
// `release()`; returns the order in which the waiters ran afterwards.
template <class Wait, class Release>
std::vector<int> woken_order(int n, Wait wait, Release release) {
  std::vector<int> order;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> waiters;
    for (int i = 0; i < n; ++i)
      waiters.push_back(spawn([&order, &wait, i]() -> Task<void> {
        co_await wait(i);
        order.push_back(i);
      }));
    co_await sleep(1ms);  // every waiter has queued, in spawn order
    release();
    for (auto& w : waiters) (void)co_await w;
  });
  return order;
}

std::vector<int> descending(int from, int to) {  // from, from-1, ..., to
  std::vector<int> v;
  for (int i = from; i >= to; --i) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("Tokio's notify_waiters wakes the waiters newest first (its WakeList wakes a batch from the end)",
          "[tokio-order][notify]") {
  sync::Notify n("bell");
  const auto order = woken_order(3, [&](int) { return n.notified(); }, [&] { n.notify_waiters(); });
  CHECK(order == std::vector<int>{2, 1, 0});
}

TEST_CASE("Tokio's notify_waiters wakes 32 waiters at a time, oldest 32 first, each 32 newest first",
          "[tokio-order][notify]") {
  sync::Notify n("bell");
  const auto order = woken_order(40, [&](int) { return n.notified(); }, [&] { n.notify_waiters(); });
  std::vector<int> expected = descending(31, 0);
  for (int i : descending(39, 32)) expected.push_back(i);
  CHECK(order == expected);
}

TEST_CASE("Tokio's notify_one still wakes the waiter that has waited longest", "[tokio-order][notify]") {
  sync::Notify n("bell");
  const auto order = woken_order(3, [&](int) { return n.notified(); }, [&] {
    n.notify_one();
    n.notify_one();
    n.notify_one();
  });
  CHECK(order == std::vector<int>{0, 1, 2});
}

TEST_CASE("Tokio's watch send wakes the changed() waiters newest first (it is Notify::notify_waiters)",
          "[tokio-order][watch]") {
  auto [tx, rx] = sync::watch::channel(0, "config");
  std::vector<sync::watch::Receiver<int>> receivers;
  for (int i = 0; i < 3; ++i) receivers.push_back(rx);  // copies: Rust's rx.clone()
  const auto order = woken_order(3, [&](int i) { return receivers[i].changed(); }, [&] { (void)tx.send(1); });
  CHECK(order == std::vector<int>{2, 1, 0});
}

TEST_CASE("Tokio's Semaphore hands added permits out in queue order but wakes that batch newest first",
          "[tokio-order][semaphore]") {
  sync::Semaphore s(0, "slots");
  std::vector<sync::SemaphorePermit> held;
  const auto order = woken_order(
      3,
      [&](int) -> Task<void> {
        return [](sync::Semaphore& s, std::vector<sync::SemaphorePermit>& held) -> Task<void> {
          auto permit = co_await s.acquire();
          REQUIRE(permit);
          held.push_back(std::move(*permit));
        }(s, held);
      },
      [&] { s.add_permits(3); });
  CHECK(order == std::vector<int>{2, 1, 0});
}

TEST_CASE("Tokio's Semaphore close wakes the waiters in queue order", "[tokio-order][semaphore]") {
  sync::Semaphore s(0, "slots");
  const auto order = woken_order(
      3,
      [&](int) -> Task<void> {
        return [](sync::Semaphore& s) -> Task<void> { CHECK_FALSE(co_await s.acquire()); }(s);
      },
      [&] { s.close(); });
  CHECK(order == std::vector<int>{0, 1, 2});
}

// --- timers: Tokio's 1 ms ticks ----------------------------------------------------------------------

TEST_CASE("Tokio rounds a timer's deadline up to the next millisecond: sleeps of 1.5 ms and 1.2 ms both fire at "
          "2 ms, in the order they were made",
          "[tokio-order][time]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto a = spawn([&]() -> Task<void> {
      co_await sleep(1500us);
      log.push_back("1.5 ms sleep done at " + std::to_string(elapsed().count()) + " ns");
    });
    auto b = spawn([&]() -> Task<void> {
      co_await sleep(1200us);
      log.push_back("1.2 ms sleep done at " + std::to_string(elapsed().count()) + " ns");
    });
    (void)co_await a;
    (void)co_await b;
  });
  CHECK(log == Log{"1.5 ms sleep done at 2000000 ns", "1.2 ms sleep done at 2000000 ns"});
}

TEST_CASE("Tokio's Sleep keeps its exact deadline while it fires on the millisecond tick", "[tokio-order][time]") {
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto s = sleep(300us);
    CHECK(s.deadline().time_since_epoch() == 300us);
    sim::block_for(500us);  // the clock passes the deadline, not yet the tick
    CHECK_FALSE(s.is_elapsed());
    co_await std::move(s);
    CHECK(elapsed() == 1ms);
  });
}

// --- Interval and MissedTickBehavior ---------------------------------------------------------------

namespace {

// A 10 ms interval with `behavior`, whose task is busy for `busy` right after the first tick: when
// each of the first five ticks completed, and the instant each one says it was scheduled for.
struct Ticks {
  std::vector<Duration> completed, scheduled;
};
Ticks ticks_after_busy(MissedTickBehavior behavior, Duration busy) {
  Ticks t;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto iv = interval(10ms);
    iv.set_missed_tick_behavior(behavior);
    for (int i = 0; i < 5; ++i) {
      const Instant at = co_await iv.tick();
      t.completed.push_back(elapsed());
      t.scheduled.push_back(at.time_since_epoch());
      if (i == 0) sim::block_for(busy);
    }
  });
  return t;
}
using Ms = std::vector<Duration>;

}  // namespace

TEST_CASE("Tokio's MissedTickBehavior::Burst (the default) fires the missed ticks back to back, then keeps the "
          "rhythm",
          "[tokio-order][time][interval]") {
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    CHECK(interval(10ms).missed_tick_behavior() == MissedTickBehavior::Burst);
    co_return;
  });
  const Ticks t = ticks_after_busy(MissedTickBehavior::Burst, 25ms);
  CHECK(t.completed == Ms{0ms, 25ms, 25ms, 30ms, 40ms});
  CHECK(t.scheduled == Ms{0ms, 10ms, 20ms, 30ms, 40ms});
}

TEST_CASE("Tokio's MissedTickBehavior::Delay starts a new rhythm one period after the late tick",
          "[tokio-order][time][interval]") {
  const Ticks t = ticks_after_busy(MissedTickBehavior::Delay, 25ms);
  CHECK(t.completed == Ms{0ms, 25ms, 35ms, 45ms, 55ms});
  CHECK(t.scheduled == Ms{0ms, 10ms, 35ms, 45ms, 55ms});
}

TEST_CASE("Tokio's MissedTickBehavior::Skip drops the missed ticks and keeps the original rhythm",
          "[tokio-order][time][interval]") {
  const Ticks t = ticks_after_busy(MissedTickBehavior::Skip, 25ms);
  CHECK(t.completed == Ms{0ms, 25ms, 30ms, 40ms, 50ms});
  CHECK(t.scheduled == Ms{0ms, 10ms, 30ms, 40ms, 50ms});
}

TEST_CASE("Tokio counts a tick at most 5 ms late as on time: no MissedTickBehavior applies",
          "[tokio-order][time][interval]") {
  for (auto behavior : {MissedTickBehavior::Burst, MissedTickBehavior::Delay, MissedTickBehavior::Skip}) {
    const Ticks t = ticks_after_busy(behavior, 15ms);  // the 10 ms tick completes at 15 ms: 5 ms late
    CHECK(t.completed == Ms{0ms, 15ms, 20ms, 30ms, 40ms});
    CHECK(t.scheduled == Ms{0ms, 10ms, 20ms, 30ms, 40ms});
  }
}
