// Tokio 1.24's orderings and timing rules that a learner comparing logs with a real Tokio program
// sees (issue "Tokio fidelity, round two"): wake order, 1 ms timer ticks, MissedTickBehavior, and
// select!'s patterns, preconditions, else and `&mut fut` branches (their own tests are in
// select_branch_test.cpp). Each test's name states what Tokio does; the logs were checked against
// Tokio 1.24.2's source (util/wake_list.rs, sync/notify.rs, sync/batch_semaphore.rs, sync/watch.rs, time/, runtime/time/).
// All on current_thread with virtual time, where the order is one thread's and exact.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
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
  const auto order = woken_order(3, [&](int i) { return receivers[i].changed(); }, [&] { (void)std::move(tx).send(1); });
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
    auto s = sleep(1300us);
    CHECK(s.deadline().time_since_epoch() == 1300us);
    sim::block_for(500us);  // the clock is off the millisecond grid now
    CHECK_FALSE(s.is_elapsed());
    co_await std::move(s);
    CHECK(elapsed() == 2ms);  // the tick after 1.3 ms, not 1.3 ms and not 1.5 ms + 1.3 ms
  });
}

TEST_CASE("a deadline already passed when the Sleep is first polled completes at once (where Tokio would wait for "
          "its next tick)",
          "[tokio-order][time]") {
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto s = sleep(300us);
    sim::block_for(500us);
    CHECK(s.is_elapsed());
    co_await std::move(s);
    CHECK(elapsed() == 500us);
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

// --- the current-thread loop: block_on's future and yield_now ----------------------------------------

TEST_CASE("Tokio polls block_on's future only once the run queue has drained: a task spawned after main was woken "
          "still runs before main resumes",
          "[tokio-order][block_on]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::oneshot::channel<int>();
    (void)spawn([&log, tx = std::move(tx)]() mutable -> Task<void> {
      (void)std::move(tx).send(1);  // wakes main
      (void)spawn([&log]() -> Task<void> {
        log.push_back("spawned after main's wake: ran");
        co_return;
      });
      log.push_back("sender done");
      co_return;
    });
    (void)co_await std::move(rx);
    log.push_back("main resumed");
  });
  CHECK(log == Log{"sender done", "spawned after main's wake: ran", "main resumed"});
}

TEST_CASE("Tokio polls a woken block_on future after at most 61 queued tasks, not after the whole queue",
          "[tokio-order][block_on]") {
  int spinner_polls = 0, at_wake = -1, at_resume = -1;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::oneshot::channel<int>();
    // 100 tasks that yield in a loop keep the queue from ever draining.
    std::vector<JoinHandle<void>> spinners;
    bool stop = false;
    for (int i = 0; i < 100; ++i)
      spinners.push_back(spawn([&spinner_polls, &stop]() -> Task<void> {
        while (!stop) {
          ++spinner_polls;
          co_await yield_now();
        }
      }));
    (void)spawn([&spinner_polls, &at_wake, tx = std::move(tx)]() mutable -> Task<void> {
      at_wake = spinner_polls;
      (void)std::move(tx).send(1);
      co_return;
    });
    (void)co_await std::move(rx);
    at_resume = spinner_polls;
    stop = true;
    for (auto& s : spinners) (void)co_await s;
  });
  REQUIRE(at_wake >= 0);
  // The sender's tick and at most 60 more in its round of 61, then main: not all 100 spinners.
  CHECK(at_resume - at_wake <= 60);
}

TEST_CASE("Tokio's yield_now defers its wake until the run queue is empty: a task woken after the yield runs before "
          "the yielder comes back",
          "[tokio-order][yield_now]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    sync::Notify bell("bell");
    auto waiter = spawn([&]() -> Task<void> {
      co_await bell.notified();
      log.push_back("waiter woke");
    });
    auto yielder = spawn([&]() -> Task<void> {
      log.push_back("yielder yields");
      co_await yield_now();
      log.push_back("yielder back");
    });
    auto ringer = spawn([&]() -> Task<void> {
      bell.notify_one();  // wakes the waiter after the yield
      log.push_back("ringer rang");
      co_return;
    });
    (void)co_await waiter;
    (void)co_await yielder;
    (void)co_await ringer;
  });
  CHECK(log == Log{"yielder yields", "ringer rang", "waiter woke", "yielder back"});
}

TEST_CASE("Tokio's yield_now in block_on's future lets every queued task run first", "[tokio-order][yield_now]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    for (int i = 0; i < 3; ++i)
      (void)spawn([&log, i]() -> Task<void> {
        log.push_back("task " + std::to_string(i));
        co_await yield_now();
        log.push_back("task " + std::to_string(i) + " again");
      });
    co_await yield_now();
    log.push_back("main back");
  });
  CHECK(log == Log{"task 0", "task 1", "task 2", "main back"});
}

TEST_CASE("a yield is recorded as the task's self-wake, when the deferred wake happens", "[tokio-order][yield_now]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      (void)co_await spawn([]() -> Task<void> { co_await yield_now(); });
    });
  }
  const trace::Trace t = rec.take();
  std::size_t self_wakes = 0, poll_ends = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].task != 2) continue;
    if (t[i].kind == trace::EventKind::poll_end) ++poll_ends;
    if (t[i].kind == trace::EventKind::wake) {
      CHECK(poll_ends == 1);  // after its first poll ended, not inside it
      CHECK((t[i].flags & trace::wake_flag::self) != 0);
      CHECK(t[i].a == 2);  // woken by itself
      ++self_wakes;
    }
  }
  CHECK(self_wakes == 1);
}

// --- the same scenarios against Tokio's own log -------------------------------------------------------

namespace {

// The scenarios of tests/tokio_reference/src/main.rs, written against asynclab, printing the same
// lines ("<scenario>: <what happened>").
Log tokio_reference_twin() {
  Log log;
  auto say = [&log](const std::string& scenario, const std::string& what) { log.push_back(scenario + ": " + what); };
  auto ms = [] { return std::to_string(elapsed() / 1ms); };

  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::oneshot::channel<int>();
    (void)spawn([&say, tx = std::move(tx)]() mutable -> Task<void> {
      (void)std::move(tx).send(1);
      (void)spawn([&say]() -> Task<void> {
        say("block_on", "spawned after main's wake ran");
        co_return;
      });
      say("block_on", "sender done");
      co_return;
    });
    (void)co_await std::move(rx);
    say("block_on", "main resumed");
  });

  virtual_runtime().block_on([&]() -> Task<void> {
    sync::Notify bell("bell");
    auto w = spawn([&]() -> Task<void> {
      co_await bell.notified();
      say("yield_now", "waiter woke");
    });
    auto y = spawn([&]() -> Task<void> {
      say("yield_now", "yielder yields");
      co_await yield_now();
      say("yield_now", "yielder back");
    });
    auto r = spawn([&]() -> Task<void> {
      bell.notify_one();
      say("yield_now", "ringer rang");
      co_return;
    });
    (void)co_await w;
    (void)co_await y;
    (void)co_await r;
  });

  for (std::string which : {"notify_waiters", "watch send", "add_permits", "semaphore close"}) {
    virtual_runtime().block_on([&]() -> Task<void> {
      sync::Notify n("n");
      sync::Semaphore s(0, "s");
      auto [tx, rx] = sync::watch::channel(0, "w");
      std::vector<JoinHandle<void>> handles;
      for (int i = 0; i < 3; ++i)
        handles.push_back(spawn([&, i, rx = rx]() mutable -> Task<void> {
          if (which == "notify_waiters") {
            co_await n.notified();
          } else if (which == "watch send") {
            CHECK(co_await rx.changed());
          } else if (which == "add_permits") {
            auto p = co_await s.acquire();
            p->forget();
          } else {
            CHECK_FALSE(co_await s.acquire());
          }
          say(which, "waiter " + std::to_string(i) + " ran");
        }));
      { auto gone = std::move(rx); }
      co_await sleep(1ms);
      if (which == "notify_waiters") n.notify_waiters();
      else if (which == "watch send") (void)tx.send(1);
      else if (which == "add_permits") s.add_permits(3);
      else s.close();
      for (auto& h : handles) (void)co_await h;
    });
  }

  virtual_runtime().block_on([&]() -> Task<void> {
    auto micros = [] { return std::to_string(elapsed().count() / 1000); };
    auto a = spawn([&]() -> Task<void> {
      co_await sleep(1500us);
      say("timers", "1.5 ms sleep done at " + micros() + " us");
    });
    auto b = spawn([&]() -> Task<void> {
      co_await sleep(1200us);
      say("timers", "1.2 ms sleep done at " + micros() + " us");
    });
    (void)co_await a;
    (void)co_await b;
  });

  for (auto [name, behavior] : {std::pair{"Burst", MissedTickBehavior::Burst}, std::pair{"Delay", MissedTickBehavior::Delay},
                                std::pair{"Skip", MissedTickBehavior::Skip}}) {
    virtual_runtime().block_on([&]() -> Task<void> {
      auto ticks = interval(10ms);
      ticks.set_missed_tick_behavior(behavior);
      for (int i = 0; i < 5; ++i) {
        const Instant due = co_await ticks.tick();
        say(name, "the " + std::to_string(due.time_since_epoch() / 1ms) + " ms tick at " +
                      std::to_string(elapsed() / 1ms) + " ms");
        if (i == 0) sim::block_for(25ms);  // tokio::time::advance in the Rust program
      }
    });
  }
  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx1, rx1] = sync::mpsc::channel<int>(4);
    auto [tx2, rx2] = sync::mpsc::channel<int>(4);
    (void)spawn([tx = std::move(tx1)]() mutable -> Task<void> {
      co_await sleep(1ms);
      (void)co_await tx.send(1);
      co_await sleep(2ms);
      (void)co_await tx.send(3);
    });
    (void)spawn([tx = std::move(tx2)]() mutable -> Task<void> {
      co_await sleep(2ms);
      (void)co_await tx.send(2);
      co_await sleep(2ms);
    });
    for (;;) {
      auto r = co_await select(some(rx1.recv()), some(rx2.recv()), otherwise);
      if (r.index() == 0) say("select patterns", "first channel gave " + std::to_string(std::get<0>(r)) + " at " + ms() + " ms");
      if (r.index() == 1) say("select patterns", "second channel gave " + std::to_string(std::get<1>(r)) + " at " + ms() + " ms");
      if (r.index() == 2) {
        say("select patterns", "else: both closed at " + ms() + " ms");
        break;
      }
    }
  });

  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1);
    (void)spawn([tx = std::move(tx)]() mutable -> Task<void> {
      co_await sleep(5ms);
      drop(std::move(tx));
    });
    auto r = co_await select(some(rx.recv()), sleep(10ms));
    if (r.index() == 0) say("select disabled", "got " + std::to_string(std::get<0>(r)));
    else say("select disabled", "the sleep won at " + ms() + " ms");
    auto [otx, orx] = sync::oneshot::channel<int>();
    drop(std::move(otx));
    auto o = co_await select(ok(std::move(orx)), sleep(10ms));
    if (o.index() == 0) say("select disabled", "got " + std::to_string(std::get<0>(o)));
    else say("select disabled", "Ok(v) refused the error; the sleep won at " + ms() + " ms");
  });

  virtual_runtime().block_on([&]() -> Task<void> {
    Sleep deadline = sleep(25ms);
    auto ticks = interval(10ms);
    for (int n = 0; n < 5;) {
      auto r = co_await select(when(!deadline.is_elapsed(), borrow(deadline)), ticks.tick());
      if (r.index() == 0) {
        say("select borrow", "deadline at " + ms() + " ms");
      } else {
        ++n;
        say("select borrow", "tick at " + ms() + " ms");
      }
    }
  });

  virtual_runtime().block_on([&]() -> Task<void> {
    bool off = false;
    auto r = co_await select(when(off, sleep(1ms)), otherwise);
    if (r.index() == 0) say("select else", "the sleep ran");
    else say("select else", "else ran at " + ms() + " ms");
    auto handle = spawn([off]() -> Task<void> { (void)co_await select(when(off, sleep(1ms))); });
    auto e = co_await handle;
    say("select else", "without else: panicked: " + (e ? std::string("(it did not panic)") : e.error().panic_message()));
  });
  return log;
}

}  // namespace

TEST_CASE("the scenarios above give Tokio 1.24's own log, line by line (tests/tokio_reference/orders.log)",
          "[tokio-order][tokio-reference]") {
  std::ifstream in(std::string(ASYNCLAB_SOURCE_DIR) + "/tests/tokio_reference/orders.log");
  REQUIRE(in.good());
  Log tokio;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) tokio.push_back(line);
  const Log ours = tokio_reference_twin();
  REQUIRE(tokio.size() == 50);
  for (std::size_t i = 0; i < std::max(tokio.size(), ours.size()); ++i) {
    CAPTURE(i);
    CHECK((i < ours.size() ? ours[i] : std::string("(nothing)")) == (i < tokio.size() ? tokio[i] : std::string("(nothing)")));
  }
}
