// sync::Mutex (runtime/include/asynclab/sync/mutex.hpp): Tokio's fair async mutex — FIFO hand-off,
// RAII guards, mutual exclusion across awaits, cancel-safe lock futures, and its trace.
// Flavors (support/flavors.hpp): mutual exclusion across awaits and the guard's RAII run on
// current_thread and on multi_thread(2) and (4) (timers already due there); FIFO order as one thread
// queues the requests, hand-off at virtual instants, the trace and the deadlock report run on
// current_thread only (tests/sync/threaded_sync_test.cpp drives the Mutex from several threads).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

struct FifoRun {
  std::vector<int> requested;
  std::vector<int> acquired;
};

FifoRun run_fifo(std::uint64_t seed) {
  FifoRun run;
  sync::Mutex<int> m(0, "fifo");
  auto rt = exploring(seed);
  rt.block_on([&]() -> Task<void> {
    std::vector<JoinHandle<void>> workers;
    {
      auto held = co_await m.lock();  // every worker has to queue behind this
      for (int i = 0; i < 8; ++i) {
        workers.push_back(spawn(
            [&m, &run, i]() -> Task<void> {
              for (int k = 0; k < i % 3; ++k) co_await yield_now();
              for (int round = 0; round < 2; ++round) {
                // The lock future is first polled right after this line, in the same poll. The second
                // round asks again right after unlocking: it must queue behind everyone waiting.
                run.requested.push_back(10 * i + round);
                auto g = co_await m.lock();
                run.acquired.push_back(10 * i + round);
                *g += 1;
                co_await yield_now();  // hold it across an await
              }
            },
            "worker " + std::to_string(i)));
      }
      co_await yield_now();  // some workers queue now, the others after the unlock below
    }
    co_await join_all(workers);
  });
  return run;
}

}  // namespace

TEST_CASE("Mutex hands the lock to its waiters in the order they asked, under every explored schedule",
          "[mutex]") {
  std::set<std::vector<int>> orders;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    auto run = run_fifo(seed);
    REQUIRE(run.requested.size() == 16);
    CHECK(run.acquired == run.requested);
    orders.insert(run.requested);
  }
  // The seeds really did reorder the requests: FIFO is checked against many different orders.
  CHECK(orders.size() > 10);
}

TEST_CASE("a critical section spanning awaits never interleaves with another, under every explored schedule",
          "[mutex]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // the counters below are only touched under the lock
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    sync::Mutex<int> m(0, "counter");
    int inside = 0;
    int max_inside = 0;
    int lost_updates = 0;
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> workers;
      for (int i = 0; i < 6; ++i) {
        workers.push_back(spawn([&, i]() -> Task<void> {
          for (int round = 0; round < 3; ++round) {
            auto g = co_await m.lock();
            max_inside = std::max(max_inside, ++inside);
            const int before = *g;
            co_await yield_now();
            if (i % 2) co_await sleep(flavor.timer(1ms));
            if (*g != before) ++lost_updates;  // someone else wrote while we held the lock
            *g = before + 1;
            --inside;
          }
        }));
      }
      co_await join_all(workers);
    });
    CHECK(max_inside == 1);
    CHECK(lost_updates == 0);
    auto g = m.try_lock();
    REQUIRE(g);
    CHECK(**g == 18);
  }
}

TEST_CASE("a MutexGuard unlocks when dropped, once, and moving it moves the lock, not the value", "[mutex]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  counted::reset();
  {
    sync::Mutex<counted> m(counted{}, "guarded");
    const int moves_before = counted::move_constructions;
    CHECK(counted::alive() == 1);
    // Read inside the runtime, checked after it (Catch2's macros stay off the worker threads).
    int id_through_guard = -1, id_through_moved = -1;
    bool locked_while_held = false, locked_after_move = false, locked_across_await = false, free_after = false;
    auto rt = flavor.runtime();
    rt.block_on([&]() -> Task<void> {
      auto g = co_await m.lock();
      id_through_guard = g->id;
      locked_while_held = !m.try_lock();
      {
        auto moved = std::move(g);  // the lock goes with the guard
        id_through_moved = (*moved).id;
        locked_after_move = !m.try_lock();
        co_await yield_now();
        locked_across_await = !m.try_lock();
      }
      // `moved` is gone: unlocked; the moved-from `g` unlocks nothing when it goes.
      auto again = m.try_lock();
      free_after = again.has_value();
    });
    CHECK(id_through_guard == 0);
    CHECK(locked_while_held);
    CHECK(id_through_moved == 0);
    CHECK(locked_after_move);
    CHECK(locked_across_await);
    CHECK(free_after);
    CHECK(counted::move_constructions == moves_before);
    CHECK(counted::copy_constructions == 0);
    CHECK(counted::alive() == 1);  // the value lives in the Mutex, untouched by guards
    CHECK(m.try_lock().has_value());
  }
  CHECK(counted::alive() == 0);
}

TEST_CASE("try_lock fails while the lock is held and succeeds once the guard is gone", "[mutex]") {
  sync::Mutex<std::string> m("a", "text");
  {
    auto g = m.try_lock();  // outside any runtime: no task holds it, but it is held
    REQUIRE(g);
    **g += "b";
    CHECK_FALSE(m.try_lock());
  }
  auto g = m.try_lock();
  REQUIRE(g);
  CHECK(**g == "ab");
}

TEST_CASE("a lock handed to a waiter is not free: neither try_lock nor a newcomer can barge in before it",
          "[mutex]") {
  sync::Mutex<int> m(0, "fair");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinHandle<void> waiter = spawn([&]() -> Task<void> {
      auto g = co_await m.lock();
      log.push_back("waiter acquired" + at_ms());
    });
    std::optional<JoinHandle<void>> newcomer;
    {
      auto g = co_await m.lock();
      co_await sleep(1ms);  // the waiter queues
      newcomer.emplace(spawn([&]() -> Task<void> {
        auto g2 = co_await m.lock();
        log.push_back("newcomer acquired" + at_ms());
      }));
    }  // unlocked with the waiter queued: the lock is handed to it, not released
    log.push_back(m.try_lock() ? "try_lock barged in" : "try_lock: busy");
    (void)co_await waiter;
    (void)co_await *newcomer;
  });
  CHECK(log == Log{"try_lock: busy", "waiter acquired at 1 ms", "newcomer acquired at 1 ms"});
}

TEST_CASE("a lock future cancelled by a timeout gives up its place in the queue", "[mutex][cancel-safety]") {
  trace::Recorder rec;
  sync::Mutex<int> m(0, "queue");
  Log log;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> workers;
      {
        auto held = co_await m.lock();
        workers.push_back(spawn(
            [&]() -> Task<void> {
              auto r = co_await timeout(5ms, m.lock());
              log.push_back(std::string(r ? "impatient acquired" : "impatient gave up") + at_ms());
            },
            "impatient"));
        workers.push_back(spawn(
            [&]() -> Task<void> {
              auto g = co_await m.lock();
              log.push_back("patient acquired" + at_ms());
            },
            "patient"));
        workers.push_back(spawn(
            [&]() -> Task<void> {
              co_await sleep(7ms);
              auto g = co_await m.lock();
              log.push_back("late acquired" + at_ms());
            },
            "late"));
        co_await sleep(10ms);
      }
      co_await join_all(workers);
    });
  }
  CHECK(log == Log{"impatient gave up at 5 ms", "patient acquired at 10 ms", "late acquired at 10 ms"});
  TraceQuery q(rec.trace());
  auto waiting = q.events(EventKind::lock_waiting);
  REQUIRE(waiting.size() == 3);
  CHECK(waiting[0].task == q.task_named("impatient"));
  CHECK(waiting[0].b == 1);
  CHECK(waiting[1].b == 2);
  CHECK(waiting[2].task == q.task_named("late"));
  CHECK(waiting[2].b == 2);  // the impatient one left the queue at 5 ms: patient and late remain
  CHECK(q.count(EventKind::lock_acquired, q.task_named("impatient")) == 0);
}

TEST_CASE("a lock handed to a waiter that is dropped before its next poll passes on to the next waiter",
          "[mutex][cancel-safety]") {
  trace::Recorder rec;
  sync::Mutex<int> m(0, "baton");
  Log log;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      std::vector<JoinHandle<void>> workers;
      {
        auto held = co_await m.lock();
        workers.push_back(spawn(
            [&]() -> Task<void> {
              // Biased: at 10 ms the sleep is polled first and wins, so the lock future — to which
              // the lock was handed a moment earlier — is dropped without being polled again.
              auto r = co_await select_biased(sleep(10ms), m.lock());
              log.push_back(r.index() == 0 ? "first: the sleep won" : "first: took the lock");
            },
            "first"));
        workers.push_back(spawn(
            [&]() -> Task<void> {
              auto g = co_await m.lock();
              log.push_back("second acquired" + at_ms());
            },
            "second"));
        co_await sleep(10ms);  // armed before the first worker's sleep: this task wakes first
      }
      log.push_back(m.try_lock() ? "released: free" : "released: handed to the first waiter");
      co_await join_all(workers);
    });
  }
  CHECK(log == Log{"released: handed to the first waiter", "first: the sleep won", "second acquired at 10 ms"});
  CHECK(m.try_lock().has_value());
  TraceQuery q(rec.trace());
  CHECK(q.count(EventKind::lock_acquired, q.task_named("first")) == 0);
  CHECK(q.count(EventKind::lock_acquired, q.task_named("second")) == 1);
}

TEST_CASE("aborting a task whose lock was just handed to it passes the lock on", "[mutex][cancel-safety]") {
  sync::Mutex<int> m(0, "aborted");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinHandle<void> doomed = spawn([&]() -> Task<void> {
      auto g = co_await m.lock();
      log.push_back("doomed acquired");
    });
    JoinHandle<void> next = spawn([&]() -> Task<void> {
      auto g = co_await m.lock();
      log.push_back("next acquired" + at_ms());
    });
    {
      auto held = co_await m.lock();
      co_await sleep(2ms);
    }  // handed to `doomed`, which is woken but not polled yet
    doomed.abort();
    auto d = co_await doomed;
    (void)co_await next;
    log.push_back(!d && d.error().is_cancelled() ? "doomed cancelled" : "doomed finished");
  });
  CHECK(log == Log{"next acquired at 2 ms", "doomed cancelled"});
  CHECK(m.try_lock().has_value());
}

TEST_CASE("cancelling the task that holds a guard unlocks the mutex for the next waiter", "[mutex][cancel-safety]") {
  sync::Mutex<int> m(0, "raii");
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinHandle<void> holder = spawn([&]() -> Task<void> {
      auto g = co_await m.lock();
      co_await sleep(1h);  // never gets to unlock by itself
    });
    JoinHandle<void> waiter = spawn([&]() -> Task<void> {
      auto g = co_await m.lock();
      log.push_back("waiter acquired" + at_ms());
    });
    co_await sleep(3ms);
    holder.abort();
    (void)co_await holder;
    (void)co_await waiter;
  });
  CHECK(log == Log{"waiter acquired at 3 ms"});
}

TEST_CASE("a contended mutex records its creation, the queue length, each acquire and each release", "[mutex]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      sync::Mutex<int> m(0, "traced");  // created inside the runtime: joins it at once
      std::vector<JoinHandle<void>> workers;
      {
        auto g = co_await m.lock();
        for (int i = 0; i < 2; ++i)
          workers.push_back(spawn([&]() -> Task<void> {
            auto g2 = co_await m.lock();
            co_await yield_now();
          }));
        co_await sleep(1ms);
      }
      co_await join_all(workers);
    });
  }
  TraceQuery q(rec.trace());
  auto created = q.first(EventKind::resource_created);
  REQUIRE(created);
  CHECK(created->flags == static_cast<std::uint16_t>(trace::ResourceKind::mutex));
  CHECK(rec.trace().string(created->b) == "traced");
  const std::uint32_t id = created->a;
  auto limits = q.first(EventKind::resource_limits);
  REQUIRE(limits);
  CHECK(limits->a == id);
  CHECK(limits->b == 1);

  auto waiting = q.events(EventKind::lock_waiting);
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].a == id);
  CHECK(waiting[0].b == 1);
  CHECK(waiting[1].b == 2);
  CHECK(q.count(EventKind::lock_acquired) == 3);
  CHECK(q.count(EventKind::lock_released) == 3);
  // Each release comes before the wake it causes, and every task that acquired also released.
  auto main_task = q.task_named("main");
  auto first_release = q.first(EventKind::lock_released);
  REQUIRE(first_release);
  CHECK(first_release->task == main_task);
  for (const auto& e : q.events(EventKind::lock_acquired))
    CHECK(q.count(EventKind::lock_released, e.task) == 1);
  CHECK(q.count(EventKind::resource_dropped) == 1);
}

TEST_CASE("locking a mutex again in the task that holds it is reported as a deadlock of that one task",
          "[mutex][deadlock]") {
  sync::Mutex<int> m(0, "not reentrant");
  auto rt = virtual_runtime();
  auto r = rt.try_block_on([&]() -> Task<void> {
    auto g = co_await m.lock();
    auto again = co_await m.lock();
  });
  REQUIRE_FALSE(r.has_value());
  const auto& report = r.error().report();
  REQUIRE(report.tasks.size() == 1);
  const auto& t = report.tasks[0];
  CHECK(t.waits_on == "mutex \"not reentrant\"");
  CHECK(t.held_by == std::vector<std::uint32_t>{t.id});
  CHECK(t.resource_state == "held by task " + std::to_string(t.id) + ", 1 waiting");
  CHECK(report.is_deadlock());
  CHECK(report.cycle == std::vector<std::uint32_t>{t.id});
}
