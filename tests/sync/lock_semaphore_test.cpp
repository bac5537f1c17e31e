// sync::Semaphore (runtime/include/asynclab/sync/semaphore.hpp): Tokio's fair semaphore — never
// over-issues, FIFO even for acquire_many, close(), add_permits, RAII permits, cancel safety, trace.
// Flavors (support/flavors.hpp): "never over-issues" runs on current_thread and on multi_thread(2)
// and (4) (timers already due there; that it fills up to every permit is a claim of the explored
// schedules of current_thread); the order and instants of hand-offs, the trace and the stuck report
// run on current_thread only; the one without a runtime on none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

TEST_CASE("a semaphore never has more permits out than it holds, and fills up, under every explored schedule",
          "[semaphore]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    sync::Semaphore s(3, "slots");
    // Atomic: up to three tasks hold permits at once, on worker threads really at the same time.
    std::atomic<std::size_t> in_use{0};
    std::atomic<std::size_t> max_in_use{0};
    std::atomic<int> failures{0};
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> workers;
      for (int i = 0; i < 10; ++i) {
        workers.push_back(spawn([&, i]() -> Task<void> {
          for (int round = 0; round < 2; ++round) {
            auto p = co_await (i % 4 == 0 ? s.acquire_many(2) : s.acquire());
            if (!p) {
              ++failures;
              co_return;
            }
            const std::size_t now_in_use = in_use.fetch_add(p->num_permits()) + p->num_permits();
            std::size_t seen_max = max_in_use.load();
            while (seen_max < now_in_use && !max_in_use.compare_exchange_weak(seen_max, now_in_use)) {
            }
            co_await yield_now();
            if (i % 3 == 0) co_await sleep(flavor.timer(1ms));
            in_use -= p->num_permits();
          }
        }));
      }
      co_await join_all(workers);
    });
    CHECK(failures.load() == 0);
    if (flavor.threaded())
      CHECK(max_in_use.load() <= 3);  // how full it got depends on the threads
    else
      CHECK(max_in_use.load() == 3);
    CHECK(in_use.load() == 0);
    CHECK(s.available_permits() == 3);
  }
}

TEST_CASE("an acquire_many at the head of the queue blocks a later small acquire until it is served",
          "[semaphore]") {
  sync::Semaphore s(2, "fifo");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto mine = s.try_acquire_many(2);
    REQUIRE(mine);
    JoinHandle<void> big = spawn([&]() -> Task<void> {
      auto p = co_await s.acquire_many(2);
      log.push_back("big got " + std::to_string(p->num_permits()) + at_ms());
      co_await sleep(5ms);
    });
    JoinHandle<void> small = spawn([&]() -> Task<void> {
      auto p = co_await s.acquire();
      log.push_back("small got 1" + at_ms());
    });
    co_await sleep(1ms);
    {
      auto one = mine->split(1);  // give one permit back: enough for `small`, not for `big`
      REQUIRE(one);
    }
    co_await sleep(1ms);
    log.push_back("with 1 released: " + std::to_string(s.available_permits()) + " available, try_acquire " +
                  (s.try_acquire() ? "succeeded" : "failed"));
    { auto rest = std::move(*mine); }  // the second permit back: `big` is served
    (void)co_await big;
    (void)co_await small;
  });
  CHECK(log == Log{"with 1 released: 0 available, try_acquire failed", "big got 2 at 2 ms", "small got 1 at 7 ms"});
  CHECK(s.available_permits() == 2);
}

TEST_CASE("a cancelled acquire_many gives the permits set aside for it to the next waiter",
          "[semaphore][cancel-safety]") {
  sync::Semaphore s(2, "partial");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto mine = s.try_acquire_many(2);
    REQUIRE(mine);
    JoinHandle<void> big = spawn([&]() -> Task<void> {
      auto r = co_await timeout(5ms, s.acquire_many(2));
      log.push_back(std::string(r ? "big acquired" : "big gave up") + at_ms());
    });
    JoinHandle<void> small = spawn([&]() -> Task<void> {
      auto p = co_await s.acquire();
      log.push_back("small got 1" + at_ms() + ", " + std::to_string(s.available_permits()) + " left");
    });
    co_await sleep(1ms);
    auto one = mine->split(1);
    one.reset();  // set aside for `big` (the head), which still needs one more
    log.push_back("at 1 ms: " + std::to_string(s.available_permits()) + " available");
    (void)co_await big;
    (void)co_await small;
    log.push_back("after: " + std::to_string(s.available_permits()) + " available");
  });
  CHECK(log == Log{"at 1 ms: 0 available", "big gave up at 5 ms", "small got 1 at 5 ms, 0 left", "after: 1 available"});
  CHECK(s.available_permits() == 2);
}

TEST_CASE("permits granted to a waiter that is dropped before its next poll go to the next waiter",
          "[semaphore][cancel-safety]") {
  sync::Semaphore s(1, "granted");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::optional<sync::SemaphorePermit> mine;
    mine.emplace(std::move(*s.try_acquire()));
    JoinHandle<void> first = spawn([&]() -> Task<void> {
      auto r = co_await select_biased(sleep(4ms), s.acquire());
      log.push_back(r.index() == 0 ? "first: the sleep won" : "first: got the permit");
    });
    JoinHandle<void> second = spawn([&]() -> Task<void> {
      auto p = co_await s.acquire();
      log.push_back("second got it" + at_ms());
    });
    co_await sleep(4ms);  // wakes before the first worker's sleep, armed later for the same time
    mine.reset();         // granted to `first`, which the sleep branch then beats
    (void)co_await first;
    (void)co_await second;
  });
  CHECK(log == Log{"first: the sleep won", "second got it at 4 ms"});
  CHECK(s.available_permits() == 1);
}

TEST_CASE("close fails every waiter and every later acquire, while permits already out still come back",
          "[semaphore]") {
  sync::Semaphore s(1, "closing");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto mine = s.try_acquire();
    REQUIRE(mine);
    std::vector<JoinHandle<void>> waiters;
    for (int i = 0; i < 2; ++i)
      waiters.push_back(spawn([&, i]() -> Task<void> {
        auto p = co_await s.acquire_many(static_cast<std::uint32_t>(i + 1));
        log.push_back("waiter " + std::to_string(i) + (p ? " got a permit" : std::string(" failed: ") + p.error().message()) +
                      at_ms());
      }));
    co_await sleep(2ms);
    s.close();
    co_await join_all(waiters);
    auto later = co_await s.acquire();
    log.push_back(later ? "later acquire succeeded" : "later acquire failed");
    auto tried = s.try_acquire();
    log.push_back(!tried && tried.error() == sync::TryAcquireError::closed ? "try_acquire: closed" : "try_acquire: ?");
    mine = std::unexpected(sync::TryAcquireError::no_permits);  // drops the permit held
    log.push_back("after returning it: " + std::to_string(s.available_permits()) + " available");
  });
  CHECK(log == Log{"waiter 0 failed: semaphore closed at 2 ms", "waiter 1 failed: semaphore closed at 2 ms",
                   "later acquire failed", "try_acquire: closed", "after returning it: 1 available"});
  CHECK(s.is_closed());
}

TEST_CASE("add_permits serves waiters in the order they queued, each once its count is covered, Tokio wakes a batch "
          "newest first",
          "[semaphore]") {
  sync::Semaphore s(0, "refill");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> waiters;
    const std::uint32_t wants[] = {1, 2, 1};
    for (int i = 0; i < 3; ++i)
      waiters.push_back(spawn([&, i]() -> Task<void> {
        auto p = co_await s.acquire_many(wants[i]);
        log.push_back("waiter " + std::to_string(i) + " got " + std::to_string(p->num_permits()) + at_ms());
        p->forget();  // keep the count simple: these permits are used up
      }));
    co_await sleep(1ms);
    s.add_permits(2);  // 1 for waiter 0, 1 set aside for waiter 1 (which wants 2)
    co_await sleep(1ms);
    s.add_permits(2);  // 1 completes waiter 1, 1 for waiter 2
    co_await join_all(waiters);
  });
  // Waiters 1 and 2 are served by the same add_permits: the permits go in queue order, the wakes (Tokio's
  // WakeList) newest first.
  CHECK(log == Log{"waiter 0 got 1 at 1 ms", "waiter 2 got 1 at 2 ms", "waiter 1 got 2 at 2 ms"});
  CHECK(s.available_permits() == 0);
}

TEST_CASE("try_acquire takes what is free, forget removes permits for good, and the count is capped",
          "[semaphore]") {
  sync::Semaphore s(3, "counting");
  auto a = s.try_acquire_many(2);
  REQUIRE(a);
  CHECK(a->num_permits() == 2);
  CHECK(s.available_permits() == 1);
  auto b = s.try_acquire_many(2);
  REQUIRE_FALSE(b);
  CHECK(b.error() == sync::TryAcquireError::no_permits);
  a->forget();
  CHECK(a->num_permits() == 0);
  CHECK(s.available_permits() == 1);
  {
    auto c = s.try_acquire();
    REQUIRE(c);
    auto d = std::move(*c);
    CHECK(s.available_permits() == 0);
  }
  CHECK(s.available_permits() == 1);
  CHECK_THROWS_AS(s.add_permits(sync::Semaphore::MAX_PERMITS), std::length_error);
  CHECK_THROWS_AS(sync::Semaphore(sync::Semaphore::MAX_PERMITS + 1), std::length_error);
}

TEST_CASE("a semaphore's trace records its permits, the queue length, and permits left at each acquire and release",
          "[semaphore]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      sync::Semaphore s(2, "traced");
      std::vector<JoinHandle<void>> workers;
      for (int i = 0; i < 3; ++i)
        workers.push_back(spawn([&]() -> Task<void> {
          auto p = co_await s.acquire();
          co_await sleep(1ms);
        }));
      co_await join_all(workers);
    });
  }
  TraceQuery q(rec.trace());
  auto created = q.first(EventKind::resource_created);
  REQUIRE(created);
  CHECK(created->flags == static_cast<std::uint16_t>(trace::ResourceKind::semaphore));
  CHECK(rec.trace().string(created->b) == "traced");
  auto limits = q.first(EventKind::resource_limits);
  REQUIRE(limits);
  CHECK(limits->b == 2);
  std::vector<std::uint32_t> acquired_left, released_left, waiting;
  for (const auto& e : q.events(EventKind::lock_acquired)) acquired_left.push_back(e.b);
  for (const auto& e : q.events(EventKind::lock_released)) released_left.push_back(e.b);
  for (const auto& e : q.events(EventKind::lock_waiting)) waiting.push_back(e.b);
  // Two acquire at once (1, then 0 left); the third is handed the first release's permit and takes
  // it when it runs, after the second release left 1 free.
  CHECK(acquired_left == std::vector<std::uint32_t>{1, 0, 1});
  CHECK(waiting == std::vector<std::uint32_t>{1});
  // The first release hands its permit straight to the waiter (0 left); then 1, then 2.
  CHECK(released_left == std::vector<std::uint32_t>{0, 1, 2});
}

TEST_CASE("the stuck report names a semaphore's permit holders and says how many permits are free",
          "[semaphore][deadlock]") {
  sync::Semaphore s(3, "slots");
  sync::Notify never("never");
  std::vector<std::uint32_t> holder_ids;
  std::uint32_t latecomer_id = 0;
  auto rt = virtual_runtime();
  auto r = rt.try_block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> tasks;
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(spawn([&]() -> Task<void> {
        auto p = co_await s.acquire();
        co_await never.notified();  // nobody ever notifies
      }));
      holder_ids.push_back(tasks.back().id());
    }
    tasks.push_back(spawn([&]() -> Task<void> {
      co_await sleep(1ms);
      auto p = co_await s.acquire();
    }));
    latecomer_id = tasks.back().id();
    co_await join_all(tasks);
  });
  REQUIRE_FALSE(r.has_value());
  const auto& report = r.error().report();
  CHECK_FALSE(report.is_deadlock());  // the holders wait on a Notify nobody holds: no cycle
  const StuckTask* late = report.task(latecomer_id);
  REQUIRE(late);
  CHECK(late->waits_on == "semaphore \"slots\"");
  CHECK(late->resource_state == "0 of 3 permits free, 1 waiting");
  auto held_by = late->held_by;
  std::sort(held_by.begin(), held_by.end());
  CHECK(held_by == holder_ids);
  for (std::uint32_t id : holder_ids) {
    const StuckTask* h = report.task(id);
    REQUIRE(h);
    CHECK(h->waits_on == "notify \"never\"");
    CHECK(h->resource_state == "no permit stored, 3 waiting");
    CHECK(h->held_by.empty());
  }
}
