// sync::Notify (runtime/include/asynclab/sync/notify.hpp): Tokio's Notify — one stored permit at most,
// notify_waiters wakes only current waiters, registration at first poll, cancel safety, trace.
// Flavors (support/flavors.hpp): registration at the first poll, notify_waiters and a Notified made
// before it, enable, and the permit kept from a dropped Notified run on current_thread and on
// multi_thread(2) and (4) (timers already due there); the tests whose log holds virtual instants or
// that need one thread's order of waiters, and the trace's, run on current_thread only.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

TEST_CASE("notify_one with nobody waiting stores exactly one permit: after two, the second notified() waits",
          "[notify]") {
  sync::Notify n("bell");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    n.notify_one();
    n.notify_one();  // still one permit
    co_await n.notified();
    log.push_back("first notified()" + at_ms());
    auto second = co_await timeout(5ms, n.notified());
    log.push_back(std::string(second ? "second notified()" : "second waited until the timeout") + at_ms());
  });
  CHECK(log == Log{"first notified() at 0 ms", "second waited until the timeout at 5 ms"});
}

TEST_CASE("notify_waiters wakes every task waiting now and stores nothing for later ones", "[notify]") {
  trace::Recorder rec;
  sync::Notify n("broadcast");
  Log log;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> waiters;
      for (int i = 0; i < 2; ++i)
        waiters.push_back(spawn([&, i]() -> Task<void> {
          co_await n.notified();
          log.push_back("waiter " + std::to_string(i) + " woke" + at_ms());
        }));
      co_await sleep(1ms);
      n.notify_waiters();
      co_await join_all(waiters);
      auto late = co_await timeout(5ms, n.notified());
      log.push_back(std::string(late ? "late one notified" : "late one waited until the timeout") + at_ms());
    });
  }
  // Both woken at once, newest first as Tokio wakes them (tests/runtime/tokio_order_test.cpp).
  CHECK(log == Log{"waiter 1 woke at 1 ms", "waiter 0 woke at 1 ms", "late one waited until the timeout at 6 ms"});
  TraceQuery q(rec.trace());
  auto notified = q.events(EventKind::notified);
  REQUIRE(notified.size() == 1);
  CHECK(notified[0].b == 2);
  CHECK(notified[0].flags == 1);
  CHECK(notified[0].task == q.task_named("main"));
}

TEST_CASE("notify_waiters keeps a permit already stored, and adds none", "[notify]") {
  sync::Notify n("kept");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    n.notify_one();
    n.notify_waiters();
    co_await n.notified();  // the stored permit
    log.push_back("consumed the permit" + at_ms());
    auto again = co_await timeout(2ms, n.notified());
    log.push_back(again ? "a second permit" : "no second permit");
  });
  CHECK(log == Log{"consumed the permit at 0 ms", "no second permit"});
}

TEST_CASE("notify_one wakes the task that has waited longest", "[notify]") {
  sync::Notify n("queue");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> waiters;
    for (int i = 0; i < 3; ++i)
      waiters.push_back(spawn([&, i]() -> Task<void> {
        co_await sleep(std::chrono::milliseconds(3 - i));  // they queue in the order 2, 1, 0
        co_await n.notified();
        log.push_back("waiter " + std::to_string(i) + " woke" + at_ms());
      }));
    for (int k = 0; k < 3; ++k) {
      co_await sleep(5ms);
      n.notify_one();
    }
    co_await join_all(waiters);
  });
  CHECK(log == Log{"waiter 2 woke at 5 ms", "waiter 1 woke at 10 ms", "waiter 0 woke at 15 ms"});
}

TEST_CASE("a Notified becomes a waiter at its first poll, not when it is created", "[notify]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  sync::Notify n("registration");
  Log log;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto created_first = n.notified();
    auto polled_first = n.notified();
    bool ready = co_await poll_once(polled_first);  // the only waiter now
    log.push_back(ready ? "polled_first ready" : "polled_first waiting");
    n.notify_one();  // goes to the waiter, not to the older but never polled future
    log.push_back(co_await poll_once(created_first) ? "created_first ready" : "created_first waiting");
    log.push_back(co_await poll_once(polled_first) ? "polled_first ready" : "polled_first waiting");
    n.notify_one();
    log.push_back(co_await poll_once(created_first) ? "created_first ready" : "created_first waiting");
  });
  CHECK(log == Log{"polled_first waiting", "created_first waiting", "polled_first ready", "created_first ready"});
}

TEST_CASE("a Notified created before notify_waiters completes even when first polled after it", "[notify]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  sync::Notify n("since creation");
  Log log;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto before = n.notified();
    n.notify_waiters();
    auto after = n.notified();
    log.push_back(co_await poll_once(before) ? "created before: ready" : "created before: waiting");
    log.push_back(co_await poll_once(after) ? "created after: ready" : "created after: waiting");
    n.notify_waiters();
    log.push_back(co_await poll_once(after) ? "created after: ready" : "created after: waiting");
  });
  CHECK(log == Log{"created before: ready", "created after: waiting", "created after: ready"});
}

TEST_CASE("enable registers a Notified without polling it, so notify_one can pick it", "[notify]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  sync::Notify n("enabled");
  Log log;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto f = n.notified();
    log.push_back(f.enable() ? "notified" : "registered");
    n.notify_one();  // goes to `f`: no permit is stored
    log.push_back(f.enable() ? "notified" : "registered");
    co_await f;
    auto other = co_await timeout(flavor.timer(1ms), n.notified());
    log.push_back(other ? "a permit was stored" : "no permit was stored");
  });
  CHECK(log == Log{"registered", "notified", "no permit was stored"});
}

TEST_CASE("a pending notified() dropped by a timeout gives up its place in the queue", "[notify][cancel-safety]") {
  sync::Notify n("place");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> waiters;
    waiters.push_back(spawn([&]() -> Task<void> {
      auto r = co_await timeout(5ms, n.notified());
      log.push_back(std::string(r ? "impatient notified" : "impatient gave up") + at_ms());
    }));
    waiters.push_back(spawn([&]() -> Task<void> {
      co_await n.notified();
      log.push_back("patient notified" + at_ms());
    }));
    co_await sleep(7ms);
    n.notify_one();
    co_await join_all(waiters);
  });
  CHECK(log == Log{"impatient gave up at 5 ms", "patient notified at 7 ms"});
}

TEST_CASE("a notify_one given to a waiter dropped before its next poll passes on to the next waiter",
          "[notify][cancel-safety]") {
  trace::Recorder rec;
  sync::Notify n("forwarded");
  Log log;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> waiters;
      waiters.push_back(spawn(
          [&]() -> Task<void> {
            auto r = co_await select_biased(sleep(4ms), n.notified());
            log.push_back(r.index() == 0 ? "first: the sleep won" : "first: notified");
          },
          "first"));
      waiters.push_back(spawn(
          [&]() -> Task<void> {
            co_await n.notified();
            log.push_back("second notified" + at_ms());
          },
          "second"));
      co_await sleep(4ms);  // wakes before the first waiter's sleep, armed later for the same time
      n.notify_one();       // to `first`, which the sleep branch then beats
      co_await join_all(waiters);
    });
  }
  CHECK(log == Log{"first: the sleep won", "second notified at 4 ms"});
  TraceQuery q(rec.trace());
  auto notified = q.events(EventKind::notified);
  REQUIRE(notified.size() == 2);
  CHECK(notified[0].task == q.task_named("main"));
  CHECK(notified[1].task == q.task_named("first"));  // passed on by the dropped waiter
  CHECK(notified[1].b == 1);
  CHECK(notified[1].flags == 0);
}

TEST_CASE("a notify_one received by a Notified dropped unpolled is stored as the permit when nobody else waits",
          "[notify][cancel-safety]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  sync::Notify n("stored");
  Log log;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    {
      auto f = n.notified();
      (void)co_await poll_once(f);  // now a waiter
      n.notify_one();               // given to `f` ...
    }                               // ... which is dropped before it sees it
    auto r = co_await timeout(flavor.timer(1ms), n.notified());
    log.push_back(r ? "the permit was kept" : "the notification was lost");
  });
  CHECK(log == Log{"the permit was kept"});
}

TEST_CASE("a waiting Notified is recorded as lock_waiting with the queue length, and notify_one as notified",
          "[notify]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      sync::Notify n("traced");
      std::vector<JoinHandle<void>> waiters;
      for (int i = 0; i < 2; ++i) waiters.push_back(spawn([&]() -> Task<void> { co_await n.notified(); }));
      co_await sleep(1ms);
      n.notify_one();
      n.notify_one();
      n.notify_one();  // nobody left: stores the permit
      co_await join_all(waiters);
      co_await n.notified();
    });
  }
  TraceQuery q(rec.trace());
  auto created = q.first(EventKind::resource_created);
  REQUIRE(created);
  CHECK(created->flags == static_cast<std::uint16_t>(trace::ResourceKind::notify));
  CHECK(rec.trace().string(created->b) == "traced");
  std::vector<std::uint32_t> waiting, woken;
  for (const auto& e : q.events(EventKind::lock_waiting)) waiting.push_back(e.b);
  for (const auto& e : q.events(EventKind::notified)) {
    CHECK(e.flags == 0);
    woken.push_back(e.b);
  }
  CHECK(waiting == std::vector<std::uint32_t>{1, 2});
  CHECK(woken == std::vector<std::uint32_t>{1, 1, 0});
}
