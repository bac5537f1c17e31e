// The multi_thread flavor on real worker threads (runtime.hpp; detail/scheduler.hpp "Worker
// threads"): the runtime's answers do not change with 2 or 4 workers, tasks really run in parallel,
// wakes from any thread are never lost, a task is never polled on two workers at once, and the
// merged trace is in order. Runs under ThreadSanitizer in CI (the ci-tsan preset). No test waits on
// a real clock: timers here are already due when armed, and every loop is bounded by a count.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

Runtime threaded(std::uint32_t n) { return Runtime::builder().multi_thread(n).build(); }
Runtime threaded(std::uint32_t n, trace::Recorder& rec) { return Runtime::builder().multi_thread(n).trace(rec).build(); }

Task<std::uint64_t> square(std::uint64_t i) { co_return i * i; }

// Never ready, and keeps no waker: what a forgotten wake looks like.
struct Forever {
  using Output = int;
  Poll<int> poll(Context&) { return Poll<int>::pending(); }
};

Task<std::uint64_t> yielder(std::uint32_t yields) {
  for (std::uint32_t k = 0; k < yields; ++k) co_await yield_now();
  co_return yields;
}

// Spins (bounded) until `other` is set, after setting `mine`: both can only finish when two workers
// poll them at the same time.
Task<bool> rendezvous(std::atomic<bool>* mine, std::atomic<bool>* other) {
  mine->store(true);
  for (std::uint64_t spins = 0; spins < 2'000'000'000ull; ++spins) {
    if (other->load()) co_return true;
    std::this_thread::yield();
  }
  co_return false;
}

// A future completed by a thread of the test's own: it stores its waker under a lock, and the
// thread sets the value and wakes it. Wakes from outside the runtime go to the inject queue.
struct OutsideSlot {
  std::mutex m;
  Waker waker;
  std::optional<int> value;
};
class OutsideValue {
 public:
  using Output = int;
  explicit OutsideValue(OutsideSlot* slot) : slot_(slot) {}
  Poll<int> poll(Context& cx) {
    std::lock_guard lock(slot_->m);
    if (slot_->value) return Poll<int>::ready(*slot_->value);
    if (!slot_->waker.will_wake(cx.waker())) slot_->waker = cx.waker();
    return Poll<int>::pending();
  }

 private:
  OutsideSlot* slot_;
};

// Polled many times while other tasks keep waking it: checks that no two polls overlap.
struct Guarded {
  std::atomic<bool> in_poll{false};
  std::atomic<bool> overlapped{false};
  std::atomic<std::uint32_t> polls{0};
  std::mutex m;
  Waker waker;  // the latest, for the wakers below
};
class GuardedFuture {
 public:
  using Output = std::uint32_t;
  GuardedFuture(Guarded* g, std::uint32_t needed) : g_(g), needed_(needed) {}
  Poll<std::uint32_t> poll(Context& cx) {
    if (g_->in_poll.exchange(true)) g_->overlapped.store(true);
    const std::uint32_t n = g_->polls.fetch_add(1) + 1;
    {
      std::lock_guard lock(g_->m);
      if (!g_->waker.will_wake(cx.waker())) g_->waker = cx.waker();
    }
    if (n % 3 == 0) cx.waker().wake_by_ref();  // sometimes wake itself too, while running
    g_->in_poll.store(false);
    if (n >= needed_) return Poll<std::uint32_t>::ready(n);
    return Poll<std::uint32_t>::pending();
  }

 private:
  Guarded* g_;
  std::uint32_t needed_;
};

// Wakes the guarded future until it is done. Most wakes find it queued already and do nothing:
// while the worker whose LIFO slot holds it is off its core, none reaches it. So the count is not
// what ends the loop — `done` is; the bound only keeps a broken runtime from spinning for ever. (With
// a bound of 200,000 the wakers ran out first about once in 30 runs, the future stayed short of its
// 20,000 polls with nobody left to wake it, and the test hung.)
Task<void> keep_waking(Guarded* g, const std::atomic<bool>* done) {
  for (std::uint32_t k = 0; k < 50'000'000 && !done->load(); ++k) {
    Waker w;
    {
      std::lock_guard lock(g->m);
      w = g->waker;
    }
    w.wake();
    co_await yield_now();
  }
}

}  // namespace

TEST_CASE("worker threads: the same answers on 2 and 4 workers as on one thread", "[worker_threads]") {
  for (std::uint32_t workers : {1u, 2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    auto sum = rt.block_on([]() -> Task<std::uint64_t> {
      std::vector<JoinHandle<std::uint64_t>> hs;
      for (std::uint64_t i = 0; i < 2000; ++i) hs.push_back(spawn(square(i)));
      std::uint64_t s = 0;
      for (auto& h : hs) s += (co_await h).value();
      // join, select and a yield loop, each inside tasks on any worker
      auto [a, b] = co_await join(square(3), square(4));
      s += a + b;
      auto raced = co_await select(yielder(50), yielder(5));
      s += raced.index() == 1 ? 1 : 0;
      co_return s;
    });
    std::uint64_t expected = 0;
    for (std::uint64_t i = 0; i < 2000; ++i) expected += i * i;
    CHECK(sum == expected + 25 + 1);
  }
}

TEST_CASE("worker threads: two tasks really run at the same time", "[worker_threads]") {
  for (std::uint32_t workers : {2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    std::atomic<bool> a{false}, b{false};
    auto both = rt.block_on([&]() -> Task<bool> {
      auto ha = spawn(rendezvous(&a, &b));
      auto hb = spawn(rendezvous(&b, &a));
      const bool ra = (co_await ha).value();
      const bool rb = (co_await hb).value();
      co_return ra && rb;
    });
    CHECK(both);
  }
}

TEST_CASE("worker threads: yields, spawn chains and nested joins lose nothing", "[worker_threads]") {
  auto rt = threaded(4);
  auto total = rt.block_on([]() -> Task<std::uint64_t> {
    std::vector<JoinHandle<std::uint64_t>> hs;
    for (int t = 0; t < 200; ++t) hs.push_back(spawn(yielder(200)));
    // A chain: each task spawns the next and awaits it.
    struct Chain {
      static Task<std::uint64_t> link(std::uint32_t left) {
        if (left == 0) co_return 0;
        auto next = spawn(link(left - 1));
        auto r = co_await next;
        co_return r.value() + 1;
      }
    };
    auto chain = spawn(Chain::link(2000));
    std::uint64_t s = 0;
    for (auto& h : hs) s += (co_await h).value();
    s += (co_await chain).value();
    co_return s;
  });
  CHECK(total == 200u * 200u + 2000u);
}

TEST_CASE("worker threads: a task yielding when block_on returns runs on in the next block_on", "[worker_threads]") {
  // A yield's task waits in its worker's hands until the worker picks its next task (see
  // detail/scheduler.hpp); a worker stopped in between must hand it to its queue, or the next
  // run would find it in no queue and report the runtime stuck.
  for (std::uint32_t workers : {2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    for (int round = 0; round < 40; ++round) {
      CAPTURE(round);
      auto h = rt.block_on([]() -> Task<JoinHandle<std::uint64_t>> {
        auto busy = spawn(yielder(5000));
        for (int k = 0; k < 20; ++k) co_await yield_now();  // the yielder is mid-flight when main ends
        co_return busy;
      });
      const auto answer = rt.block_on([&]() -> Task<std::uint64_t> { co_return (co_await h).value(); });
      CHECK(answer == 5000u);
    }
  }
}

TEST_CASE("worker threads: wakes from threads outside the runtime reach their tasks", "[worker_threads]") {
  constexpr int n = 200;
  std::vector<OutsideSlot> slots(n);
  auto rt = threaded(2);
  std::atomic<int> started{0};
  std::vector<std::thread> outside;
  auto sum = rt.block_on([&]() -> Task<int> {
    std::vector<JoinHandle<int>> hs;
    for (int i = 0; i < n; ++i) hs.push_back(spawn(OutsideValue(&slots[i])));
    // Four threads of the program's own complete them, in an order of their own.
    for (int t = 0; t < 4; ++t)
      outside.emplace_back([&slots, t] {
        for (int i = t; i < n; i += 4) {
          Waker w;
          {
            std::lock_guard lock(slots[i].m);
            slots[i].value = i;
            w = std::move(slots[i].waker);
          }
          w.wake();
        }
      });
    started.store(1);
    int s = 0;
    for (auto& h : hs) s += (co_await h).value();
    co_return s;
  });
  for (auto& t : outside) t.join();
  CHECK(started.load() == 1);
  CHECK(sum == n * (n - 1) / 2);
}

TEST_CASE("worker threads: a task is never polled on two workers at once", "[worker_threads]") {
  auto rt = threaded(4);
  Guarded g;
  std::atomic<bool> done{false};
  auto polls = rt.block_on([&]() -> Task<std::uint32_t> {
    auto target = spawn(GuardedFuture(&g, 20'000));
    std::vector<JoinHandle<void>> wakers;
    for (int k = 0; k < 3; ++k) wakers.push_back(spawn(keep_waking(&g, &done)));
    auto r = co_await target;
    done.store(true);
    for (auto& h : wakers) (void)co_await h;
    co_return r.value();
  });
  CHECK(polls >= 20'000u);
  CHECK_FALSE(g.overlapped.load());
}

TEST_CASE("worker threads: abort racing completion gives every handle one answer", "[worker_threads]") {
  auto rt = threaded(4);
  auto [ok, cancelled] = rt.block_on([]() -> Task<std::pair<int, int>> {
    std::vector<JoinHandle<std::uint64_t>> hs;
    for (std::uint32_t i = 0; i < 2000; ++i) hs.push_back(spawn(yielder(i % 7)));
    // Abort every other one at once, while workers are running them.
    for (std::size_t i = 0; i < hs.size(); i += 2) hs[i].abort();
    int done = 0, aborted = 0;
    for (auto& h : hs) {
      auto r = co_await h;
      if (r) ++done;
      else if (r.error().is_cancelled()) ++aborted;
    }
    co_return std::pair{done, aborted};
  });
  CHECK(ok + cancelled == 2000);
  CHECK(ok >= 1000);  // the odd ones were never aborted
}

TEST_CASE("worker threads: panics, spawn_blocking and timers that are already due", "[worker_threads]") {
  auto rt = threaded(2);
  auto out = rt.block_on([]() -> Task<std::string> {
    std::string s;
    auto bad = spawn([]() -> Task<int> {
      throw std::runtime_error("boom");
      co_return 1;
    });
    auto r = co_await bad;
    s += r ? "no panic;" : (r.error().is_panic() ? "panic;" : "other;");
    auto job = spawn_blocking([] { return 41 + 1; });
    s += std::to_string((co_await job).value()) + ";";
    co_await sleep(0ms);
    s += "slept;";
    auto t = co_await timeout(0ms, Forever{});
    s += t ? "value;" : "elapsed;";
    auto quick = co_await timeout(1h, square(5));
    s += quick ? std::to_string(*quick) : "elapsed";
    co_return s;
  });
  CHECK(out == "panic;42;slept;elapsed;25");
}

TEST_CASE("worker threads: a task woken by a timer as its worker goes idle runs, and is not reported stuck",
          "[worker_threads]") {
  // A timer of a microsecond is not due when armed but is by the time the worker, with nothing
  // else to do, looks at the timers on its way to park: the wake puts the sleeper in that worker's
  // LIFO slot, which the worker must run rather than park beside (where no other worker may take
  // it, and the deadlock check saw every worker idle and no waker alive). The whole test waits
  // a few hundred microseconds of timers, never a real sleep of its own.
  for (std::uint32_t workers : {1u, 2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    auto r = rt.try_block_on([]() -> Task<int> {
      int woken = 0;
      for (int i = 0; i < 200; ++i) {
        co_await sleep(1us);
        ++woken;
      }
      co_return woken;
    });
    INFO((r ? std::string() : std::string(r.error().what())));
    REQUIRE(r.has_value());
    CHECK(*r == 200);
  }
}

TEST_CASE("worker threads: a runtime where nothing can progress says so instead of hanging", "[worker_threads]") {
  auto rt = threaded(2);
  auto r = rt.try_block_on([]() -> Task<void> {
    auto forever = spawn(Forever{}, "waits forever");
    (void)co_await forever;
  });
  REQUIRE_FALSE(r.has_value());
  std::set<std::string> names;
  std::uint32_t forever_id = 0, main_joins = 0;
  for (const auto& t : r.error().report().tasks) {
    names.insert(t.name);
    if (t.name == "waits forever") forever_id = t.id;
    if (t.name == "main") main_joins = t.joins;
  }
  CHECK(names.count("waits forever") == 1);
  CHECK(names.count("main") == 1);
  CHECK(main_joins == forever_id);  // named as awaiting that JoinHandle, not "waits on nothing"
}

TEST_CASE("worker threads: the merged trace has both workers, in time order", "[worker_threads]") {
  trace::Recorder rec;
  {
    auto rt = threaded(2, rec);
    std::atomic<bool> a{false}, b{false};
    rt.block_on([&]() -> Task<void> {
      auto ha = spawn(rendezvous(&a, &b), "left");
      auto hb = spawn(rendezvous(&b, &a), "right");
      std::vector<JoinHandle<std::uint64_t>> hs;
      for (int i = 0; i < 50; ++i) hs.push_back(spawn(yielder(20)));
      (void)co_await ha;
      (void)co_await hb;
      for (auto& h : hs) (void)co_await h;
    });
  }
  const auto& t = rec.trace();
  REQUIRE(t.size() > 100);
  CHECK(t[0].kind == EventKind::runtime_started);
  CHECK(t[0].worker == 1);           // workers − 1
  CHECK((t[0].flags >> 1) == 1);     // flavor: multi_thread
  std::set<std::uint8_t> workers_polling;
  std::map<std::uint32_t, std::uint8_t> in_poll;  // task → the worker polling it
  std::map<std::uint8_t, std::uint32_t> worker_busy;  // worker → the task it polls
  std::uint64_t last = 0;
  bool ordered = true, nested = true;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    ordered = ordered && e.time_ns >= last;
    last = e.time_ns;
    if (e.kind == EventKind::poll_begin) {
      workers_polling.insert(e.worker);
      nested = nested && !in_poll.count(e.task) && !worker_busy.count(e.worker);
      in_poll[e.task] = e.worker;
      worker_busy[e.worker] = e.task;
    } else if (e.kind == EventKind::poll_end) {
      nested = nested && in_poll.count(e.task) && in_poll[e.task] == e.worker;
      in_poll.erase(e.task);
      worker_busy.erase(e.worker);
    }
  }
  CHECK(ordered);
  CHECK(nested);
  CHECK(workers_polling == std::set<std::uint8_t>{0, 1});
  CHECK(t[t.size() - 1].kind == EventKind::runtime_stopped);
}

TEST_CASE("worker threads: tasks left when block_on returns are cancelled when the runtime is dropped", "[worker_threads]") {
  std::atomic<int> dropped{0};
  struct Drop {
    std::atomic<int>* n;
    ~Drop() { n->fetch_add(1); }
  };
  {
    auto rt = threaded(2);
    rt.block_on([&]() -> Task<void> {
      for (int i = 0; i < 10; ++i) {
        auto keeps = [d = std::make_shared<Drop>(&dropped)]() -> Task<void> { (void)co_await Forever{}; };
        (void)spawn(std::move(keeps));  // detached: still alive when main returns
      }
      co_return;
    });
  }
  CHECK(dropped.load() == 10);
}

TEST_CASE("worker threads: a JoinSet collects every result while its tasks finish on other workers", "[worker_threads]") {
  for (std::uint32_t workers : {2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    auto [count, sum] = rt.block_on([]() -> Task<std::pair<int, std::uint64_t>> {
      JoinSet<std::uint64_t> set;
      for (std::uint32_t i = 0; i < 1000; ++i) set.spawn(yielder(i % 5));
      int n = 0;
      std::uint64_t total = 0;
      while (auto r = co_await set.join_next()) {
        ++n;
        total += r->value();
      }
      co_return std::pair{n, total};
    });
    CHECK(count == 1000);
    CHECK(sum == 200u * (0 + 1 + 2 + 3 + 4));
  }
}

TEST_CASE("worker threads: dropping a JoinSet while its tasks run aborts them", "[worker_threads]") {
  std::atomic<int> dropped{0};
  struct Drop {
    std::atomic<int>* n;
    ~Drop() { n->fetch_add(1); }
  };
  std::size_t left = 0;
  {
    auto rt = threaded(4);
    left = rt.block_on([&]() -> Task<std::size_t> {
      std::size_t before;
      {
        JoinSet<std::uint64_t> set;
        for (int i = 0; i < 300; ++i) {
          auto spin = [d = std::make_shared<Drop>(&dropped)]() -> Task<std::uint64_t> { co_return co_await yielder(1'000'000); };
          set.spawn(std::move(spin));
        }
        before = set.len();
        co_await yield_now();
      }  // dropped here, its tasks mid-run on other workers
      co_return before;
    });
  }  // the runtime drops whatever the workers had not reached yet
  CHECK(left == 300);
  CHECK(dropped.load() == 300);
}

namespace {

Task<void> echo_plus_one(sync::mpsc::Receiver<std::uint64_t> rx, sync::mpsc::Sender<std::uint64_t> tx) {
  while (auto v = co_await rx.recv()) {
    if (!co_await tx.send(*v + 1)) break;
  }
}

Task<void> produce(sync::mpsc::Sender<std::uint64_t> tx, std::uint64_t first, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) {
    auto sent = co_await tx.send(first + i);
    if (!sent) co_return;
  }
}

Task<void> respond(sync::oneshot::Receiver<std::uint64_t> rx, sync::oneshot::Sender<std::uint64_t> tx) {
  auto v = co_await rx;
  if (v) (void)std::move(tx).send(*v + 1);
}

}  // namespace

TEST_CASE("worker threads: channels carry every value across workers", "[worker_threads][channels]") {
  for (std::uint32_t workers : {2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    auto summary = rt.block_on([]() -> Task<std::string> {
      std::string out;
      // Ping-pong over two capacity-1 channels: each round trip crosses from one task to the other.
      auto [tx1, rx1] = sync::mpsc::channel<std::uint64_t>(1);
      auto [tx2, rx2] = sync::mpsc::channel<std::uint64_t>(1);
      auto echoer = spawn(echo_plus_one(std::move(rx1), std::move(tx2)));
      std::uint64_t v = 0;
      for (int i = 0; i < 20'000; ++i) {
        auto sent = co_await tx1.send(v);
        if (!sent) break;
        auto got = co_await rx2.recv();
        if (!got) break;
        v = *got;
      }
      { auto closing = std::move(tx1); }
      (void)co_await echoer;
      out += "pingpong " + std::to_string(v) + ";";

      // Five producers on any worker into one channel: every value once, each producer in order.
      auto [tx, rx] = sync::mpsc::channel<std::uint64_t>(16);
      for (std::uint64_t p = 0; p < 5; ++p) (void)spawn(produce(tx, p * 100'000, 20'000));
      { auto closing = std::move(tx); }
      std::vector<std::uint64_t> next(5, 0);
      std::uint64_t count = 0;
      bool in_order = true;
      while (auto got = co_await rx.recv()) {
        const std::uint64_t p = *got / 100'000, i = *got % 100'000;
        in_order = in_order && p < 5 && i == next[p];
        if (p < 5) next[p] = i + 1;
        ++count;
      }
      out += "received " + std::to_string(count) + (in_order ? " in order;" : " OUT OF ORDER;");

      // Oneshots answered by a freshly spawned task, which may run on another worker.
      std::uint64_t answered = 0;
      for (std::uint64_t i = 0; i < 5'000; ++i) {
        auto [q_tx, q_rx] = sync::oneshot::channel<std::uint64_t>();
        auto [a_tx, a_rx] = sync::oneshot::channel<std::uint64_t>();
        (void)spawn(respond(std::move(q_rx), std::move(a_tx)));
        (void)std::move(q_tx).send(i);
        auto a = co_await a_rx;
        if (a && *a == i + 1) ++answered;
      }
      out += "answered " + std::to_string(answered);
      co_return out;
    });
    CHECK(summary == "pingpong 20000;received 100000 in order;answered 5000");
  }
}

TEST_CASE("worker threads: a lock-order deadlock between workers is reported, not hung", "[worker_threads][channels]") {
  auto rt = threaded(2);
  auto r = rt.try_block_on([]() -> Task<void> {
    auto a = std::make_shared<sync::Mutex<int>>(0, "a");
    auto b = std::make_shared<sync::Mutex<int>>(0, "b");
    // Each task takes its first lock, tells the other, and waits to hear that the other holds its
    // own before reaching for the second: the deadlock happens every time, whatever the schedule.
    auto [first_has_tx, first_has_rx] = sync::oneshot::channel<int>();
    auto [second_has_tx, second_has_rx] = sync::oneshot::channel<int>();
    auto first = spawn(
        [a, b, tell = std::move(first_has_tx), hear = std::move(second_has_rx)]() mutable -> Task<void> {
          auto ga = co_await a->lock();
          (void)std::move(tell).send(1);
          (void)co_await hear;
          auto gb = co_await b->lock();
        },
        "a then b");
    auto second = spawn(
        [a, b, tell = std::move(second_has_tx), hear = std::move(first_has_rx)]() mutable -> Task<void> {
          auto gb = co_await b->lock();
          (void)std::move(tell).send(1);
          (void)co_await hear;
          auto ga = co_await a->lock();
        },
        "b then a");
    (void)co_await first;
    (void)co_await second;
  });
  REQUIRE_FALSE(r.has_value());
  const auto& report = r.error().report();
  CHECK(report.cycle.size() == 2);
  std::set<std::string> waits;
  for (const auto& t : report.tasks)
    if (!t.waits_on.empty()) waits.insert(t.name + " waits on " + t.waits_on);
  CHECK(waits.count("a then b waits on mutex \"b\"") == 1);
  CHECK(waits.count("b then a waits on mutex \"a\"") == 1);
  // main awaits the first task's JoinHandle, and the report says so, as on one thread.
  std::uint32_t first_id = 0;
  for (const auto& t : report.tasks)
    if (t.name == "a then b") first_id = t.id;
  for (const auto& t : report.tasks)
    if (t.name == "main") CHECK(t.joins == first_id);
  CHECK_THAT(std::string(r.error().what()), Catch::Contains("main") && Catch::Contains("awaits the JoinHandle of \"a then b\""));
}

TEST_CASE("worker threads: semaphores, notify, watch, broadcast and unbounded channels across workers", "[worker_threads][channels]") {
  for (std::uint32_t workers : {2u, 4u}) {
    CAPTURE(workers);
    auto rt = threaded(workers);
    std::atomic<int> holding{0}, most{0};
    auto summary = rt.block_on([&]() -> Task<std::string> {
      std::string out;
      // A semaphore of 3 permits shared by 40 tasks on every worker: never more than 3 inside.
      auto permits = std::make_shared<sync::Semaphore>(3, "permits");
      std::vector<JoinHandle<void>> hs;
      for (int i = 0; i < 40; ++i) {
        auto worker = [permits, &holding, &most]() -> Task<void> {
          for (int k = 0; k < 50; ++k) {
            auto permit = co_await permits->acquire();
            const int now = holding.fetch_add(1) + 1;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            co_await yield_now();
            holding.fetch_sub(1);
          }
        };
        hs.push_back(spawn(std::move(worker)));
      }
      for (auto& h : hs) (void)co_await h;
      out += "most " + std::to_string(most.load()) + ";";

      // Notify: a waiter on another worker is woken (or finds the stored permit).
      auto note = std::make_shared<sync::Notify>();
      auto waiter = spawn([note]() -> Task<int> {
        co_await note->notified();
        co_return 1;
      });
      note->notify_one();
      out += "notified " + std::to_string((co_await waiter).value()) + ";";

      // Watch: the receiver sees the last value, never one that was not sent.
      auto [wtx, wrx] = sync::watch::channel<int>(0);
      auto watcher = spawn([rx = std::move(wrx)]() mutable -> Task<int> {
        int last = 0;
        while (co_await rx.changed()) last = *rx.borrow_and_update();
        co_return last;
      });
      for (int v = 1; v <= 1000; ++v) (void)wtx.send(v);
      { auto closing = std::move(wtx); }
      out += "watched " + std::to_string((co_await watcher).value()) + ";";

      // Broadcast with room for everything: three receivers each see all 500 values in order.
      auto [btx, brx] = sync::broadcast::channel<int>(512);
      std::vector<JoinHandle<int>> readers;
      for (int r = 0; r < 3; ++r) {
        auto reader = [rx = r == 0 ? std::move(brx) : btx.subscribe()]() mutable -> Task<int> {
          int expected = 0;
          while (auto v = co_await rx.recv()) {
            if (*v != expected) co_return -1;
            ++expected;
          }
          co_return expected;
        };
        readers.push_back(spawn(std::move(reader)));
      }
      for (int v = 0; v < 500; ++v) (void)btx.send(v);
      { auto closing = std::move(btx); }
      int total = 0;
      for (auto& h : readers) total += (co_await h).value();
      out += "broadcast " + std::to_string(total) + ";";

      // Unbounded mpsc from four producers.
      auto [utx, urx] = sync::mpsc::unbounded_channel<int>();
      for (int p = 0; p < 4; ++p) {
        auto producer = [tx = utx]() -> Task<void> {
          for (int i = 0; i < 5000; ++i) (void)tx.send(i);
          co_return;
        };
        (void)spawn(std::move(producer));
      }
      { auto closing = std::move(utx); }
      int got = 0;
      while (co_await urx.recv()) ++got;
      out += "unbounded " + std::to_string(got);
      co_return out;
    });
    CHECK(summary == "most 3;notified 1;watched 1000;broadcast 1500;unbounded 20000");
  }
}

// Only some events read the clock on worker threads (see "Which events read the clock" in
// detail/scheduler.hpp). Whatever the stamps, the merged order must keep cause before effect across
// workers: a value is received after it was sent, and a task polled again was woken since its last
// poll began.
TEST_CASE("worker threads: the merged trace puts every cause before its effect across workers", "[worker_threads]") {
  trace::Recorder rec;
  {
    auto rt = threaded(2, rec);
    std::atomic<bool> left{false}, right{false};
    rt.block_on([&]() -> Task<void> {
      // Two tasks that finish only once both run at the same time: both workers poll.
      auto hl = spawn(rendezvous(&left, &right));
      auto hr = spawn(rendezvous(&right, &left));
      auto [tx1, rx1] = sync::mpsc::channel<std::uint64_t>(1);
      auto [tx2, rx2] = sync::mpsc::channel<std::uint64_t>(1);
      auto echoer = spawn(echo_plus_one(std::move(rx1), std::move(tx2)));
      std::vector<JoinHandle<std::uint64_t>> busy;  // keeps both workers polling meanwhile
      for (int i = 0; i < 20; ++i) busy.push_back(spawn(yielder(200)));
      std::uint64_t v = 0;
      for (int i = 0; i < 3'000; ++i) {
        if (!co_await tx1.send(v)) break;
        auto got = co_await rx2.recv();
        if (!got) break;
        v = *got;
      }
      { auto closing = std::move(tx1); }
      (void)co_await echoer;
      for (auto& h : busy) (void)co_await h;
      (void)co_await hl;
      (void)co_await hr;
    });
  }
  const auto& t = rec.trace();
  std::map<std::uint32_t, std::int64_t> buffered;  // channel → values sent and not yet received
  std::map<std::uint32_t, bool> woken_since_poll;   // task → a wake since its last poll began
  std::set<std::uint32_t> polled;
  std::set<std::uint8_t> workers;
  std::size_t recv_before_send = 0, poll_without_wake = 0, recvs = 0, polls = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.kind == EventKind::channel_send && e.flags == static_cast<std::uint16_t>(trace::SendResult::sent)) {
      ++buffered[e.a];
    } else if (e.kind == EventKind::channel_recv && e.flags == static_cast<std::uint16_t>(trace::RecvResult::received)) {
      ++recvs;
      if (--buffered[e.a] < 0) ++recv_before_send;
    } else if (e.kind == EventKind::wake) {
      woken_since_poll[e.task] = true;
    } else if (e.kind == EventKind::poll_begin) {
      ++polls;
      workers.insert(e.worker);
      if (polled.count(e.task) && !woken_since_poll[e.task]) ++poll_without_wake;
      polled.insert(e.task);
      woken_since_poll[e.task] = false;
    }
  }
  CHECK(workers == std::set<std::uint8_t>{0, 1});
  CHECK(recvs >= 6'000);
  CHECK(polls > 10'000);
  CHECK(recv_before_send == 0);
  CHECK(poll_without_wake == 0);
}

namespace {
// A hand-made handoff between two tasks: `parker` leaves its waker in the slot and waits; `waker`
// is already inside one long poll when it finds the waker there and wakes it. No channel, so no
// other event of the waking poll reads the clock before the wake does.
struct Handoff {
  std::mutex m;
  std::optional<Waker> parked;
  std::atomic<bool> waking_poll_began{false};
  std::atomic<bool> woken{false};
};
class ParkInSlot {
 public:
  using Output = bool;
  explicit ParkInSlot(Handoff* h) : h_(h) {}
  Poll<bool> poll(Context& cx) {
    if (h_->woken.load()) return Poll<bool>::ready(true);
    if (!h_->waking_poll_began.load()) {  // wait (politely) until the other poll is under way
      cx.waker().wake_by_ref();
      return Poll<bool>::pending();
    }
    std::lock_guard lock(h_->m);
    if (!h_->parked) h_->parked = cx.waker();
    return Poll<bool>::pending();
  }

 private:
  Handoff* h_;
};
class WakeFromLongPoll {
 public:
  using Output = bool;
  explicit WakeFromLongPoll(Handoff* h) : h_(h) {}
  Poll<bool> poll(Context&) {
    h_->waking_poll_began.store(true);
    for (std::uint64_t spins = 0; spins < 2'000'000'000ull; ++spins) {
      std::optional<Waker> w;
      {
        std::lock_guard lock(h_->m);
        w.swap(h_->parked);
      }
      if (w) {
        h_->woken.store(true);
        w->wake();
        return Poll<bool>::ready(true);
      }
      std::this_thread::yield();
    }
    return Poll<bool>::ready(false);
  }

 private:
  Handoff* h_;
};
}  // namespace

TEST_CASE("worker threads: a wake from a poll that began earlier still sorts after the woken task's poll",
          "[worker_threads]") {
  trace::Recorder rec;
  std::uint32_t parker_id = 0;
  {
    auto rt = threaded(2, rec);
    Handoff h;
    rt.block_on([&]() -> Task<void> {
      auto waking = spawn(WakeFromLongPoll(&h));
      auto parker = spawn(ParkInSlot(&h));
      parker_id = parker.id();
      CHECK(*co_await waking);
      CHECK(*co_await parker);
    });
  }
  // The parker's last poll began after its waker was parked; the wake that let it finish must
  // come between its last two polls.
  const auto& t = rec.trace();
  std::vector<std::size_t> polls, wakes;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.task != parker_id) continue;
    if (e.kind == EventKind::poll_begin) polls.push_back(i);
    if (e.kind == EventKind::wake && !(e.flags & trace::wake_flag::self)) wakes.push_back(i);
  }
  REQUIRE(polls.size() >= 2);
  REQUIRE(wakes.size() == 1);
  CHECK(wakes[0] > polls[polls.size() - 2]);
  CHECK(wakes[0] < polls.back());
}

// Timer slots pass between workers: one worker cancels a sleep, another arms a new one in the
// same slot. The trace matches a timer's events by slot, so in the merged order each slot's
// events must alternate: armed, then fired or cancelled, then armed again.
TEST_CASE("worker threads: a timer slot's events alternate in the merged trace whichever worker used it",
          "[worker_threads]") {
  trace::Recorder rec;
  {
    auto rt = threaded(2, rec);
    std::atomic<bool> left{false}, right{false};
    rt.block_on([&]() -> Task<void> {
      auto hl = spawn(rendezvous(&left, &right));
      auto hr = spawn(rendezvous(&right, &left));
      std::vector<JoinHandle<void>> hs;
      // Each poll cancels the sleep its last poll armed (the yield inside the timeout is done), does
      // some work, and arms a new one: slots freed on one worker are taken on the other while its
      // poll is under way. Now and then a 0 ms sleep is armed and fired instead.
      for (int t = 0; t < 20; ++t)
        hs.push_back(spawn([]() -> Task<void> {
          for (int round = 0; round < 600; ++round) {
            std::atomic<std::uint64_t> work{0};
            for (int k = 0; k < 200; ++k) work.fetch_add(static_cast<std::uint64_t>(k), std::memory_order_relaxed);
            (void)co_await timeout(1h, yield_now());
            if (round % 100 == 0) co_await sleep(1ms);
          }
        }()));
      for (auto& h : hs) (void)co_await h;
      (void)co_await hl;
      (void)co_await hr;
    });
  }
  const auto& t = rec.trace();
  std::map<std::uint32_t, bool> armed;  // slot → armed and not yet fired or cancelled
  std::size_t arms = 0, out_of_turn = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.kind == EventKind::timer_armed) {
      ++arms;
      if (armed[e.a]) ++out_of_turn;
      armed[e.a] = true;
    } else if (e.kind == EventKind::timer_fired || e.kind == EventKind::timer_cancelled) {
      if (!armed[e.a]) ++out_of_turn;
      armed[e.a] = false;
    }
  }
  CHECK(arms >= 12'000);
  CHECK(out_of_turn == 0);
}
