// The sync primitives used from several threads at once (runtime/include/asynclab/sync/): there is
// no multi-threaded runtime here, so each thread drives its futures by hand with block_on_thread —
// poll with a Waker that raises a flag, sleep on the flag until woken, poll again. Outside any
// runtime the primitives record nothing. This target runs under ThreadSanitizer in CI: a missing
// lock shows up as a data race report even when the counts below happen to come out right.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;
namespace mpsc = asynclab::sync::mpsc;
namespace oneshot = asynclab::sync::oneshot;

namespace {

// The waker of a thread blocked in block_on_thread: reference counted (a primitive may keep a clone
// after the future that stored it is gone), waking raises the flag and wakes the thread.
struct ThreadSignal {
  std::atomic<std::uint32_t> refs{1};
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;

  static void* clone(void* p) {
    static_cast<ThreadSignal*>(p)->refs.fetch_add(1, std::memory_order_relaxed);
    return p;
  }
  static void wake_by_ref(void* p) {
    auto* s = static_cast<ThreadSignal*>(p);
    std::lock_guard g(s->mu);
    s->woken = true;
    s->cv.notify_one();
  }
  static void drop(void* p) {
    auto* s = static_cast<ThreadSignal*>(p);
    if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
  }
  static void wake(void* p) {
    wake_by_ref(p);
    drop(p);
  }
};
constexpr WakerVTable thread_signal_vtable{&ThreadSignal::clone, &ThreadSignal::wake, &ThreadSignal::wake_by_ref,
                                           &ThreadSignal::drop};

// Polls f on this thread until it is ready, sleeping between polls until its waker is woken. A wake
// that never comes (a lost wake-up) fails the test after a generous bound instead of hanging it.
template <class F>
typename std::remove_cvref_t<F>::Output block_on_thread(F&& f) {
  using Output = typename std::remove_cvref_t<F>::Output;
  auto* signal = new ThreadSignal;
  Waker waker(&thread_signal_vtable, signal);  // owns the first reference
  Context cx(waker);
  for (;;) {
    {
      std::lock_guard g(signal->mu);
      signal->woken = false;
    }
    auto p = f.poll(cx);
    if (p.is_ready()) {
      if constexpr (std::is_void_v<Output>) {
        return;
      } else {
        return std::move(p).value();
      }
    }
    std::unique_lock g(signal->mu);
    if (!signal->cv.wait_for(g, std::chrono::seconds(60), [&] { return signal->woken; }))
      throw std::runtime_error("block_on_thread: the future was never woken (a lost wake-up)");
  }
}

// Starts all threads at once (so they really race) and joins them.
class Gate {
 public:
  void wait() {
    while (!open_.load(std::memory_order_acquire)) std::this_thread::yield();
  }
  void open() { open_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> open_{false};
};

void join_all(std::vector<std::thread>& threads) {
  for (auto& t : threads) t.join();
}

// --- mpsc ------------------------------------------------------------------------------------------

void mpsc_many_producers(std::size_t capacity) {
  constexpr std::uint64_t producers = 4, per = 20'000;
  auto [tx, rx] = mpsc::channel<std::uint64_t>(capacity);
  std::vector<std::thread> threads;
  Gate gate;
  for (std::uint64_t p = 0; p < producers; ++p) {
    threads.emplace_back([&gate, p, mine = tx]() mutable {
      gate.wait();
      for (std::uint64_t i = 0; i < per; ++i) {
        auto sent = block_on_thread(mine.send(p * per + i));
        if (!sent) throw std::runtime_error("send failed on an open channel");
      }
      // `mine` is dropped here: the last producer to finish ends the channel.
    });
  }
  { auto drop = std::move(tx); }
  std::vector<std::uint64_t> next(producers, 0);
  std::uint64_t received = 0;
  bool in_order = true;
  std::thread consumer([&] {
    gate.wait();
    while (auto v = block_on_thread(rx.recv())) {
      const std::uint64_t p = *v / per, i = *v % per;
      if (p >= producers || i != next[p]) in_order = false;
      if (p < producers) next[p] = i + 1;
      ++received;
    }
  });
  gate.open();
  join_all(threads);
  consumer.join();
  CHECK(in_order);
  CHECK(received == producers * per);
  for (std::uint64_t p = 0; p < producers; ++p) CHECK(next[p] == per);
}

}  // namespace

TEST_CASE("threads: 4 producer threads x 20,000 sends into a bounded mpsc of capacity 16", "[threads][mpsc]") {
  mpsc_many_producers(16);
}

TEST_CASE("threads: 4 producer threads x 20,000 sends into a bounded mpsc of capacity 1", "[threads][mpsc]") {
  mpsc_many_producers(1);
}

TEST_CASE("threads: unbounded mpsc, try_send/try_recv and reserve from several threads", "[threads][mpsc]") {
  constexpr std::uint64_t producers = 3, per = 10'000;
  SECTION("unbounded") {
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    std::vector<std::thread> threads;
    Gate gate;
    for (std::uint64_t p = 0; p < producers; ++p) {
      threads.emplace_back([&gate, p, mine = tx]() {
        gate.wait();
        for (std::uint64_t i = 0; i < per; ++i) (void)mine.send(p * per + i);
      });
    }
    { auto drop = std::move(tx); }
    std::uint64_t received = 0, sum = 0;
    std::thread consumer([&] {
      gate.wait();
      while (auto v = block_on_thread(rx.recv())) {
        ++received;
        sum += *v;
      }
    });
    gate.open();
    join_all(threads);
    consumer.join();
    CHECK(received == producers * per);
    CHECK(sum == producers * per * (producers * per - 1) / 2);
  }
  SECTION("reserve and permits, try_recv polling") {
    auto [tx, rx] = mpsc::channel<std::uint64_t>(4);
    std::vector<std::thread> threads;
    Gate gate;
    for (std::uint64_t p = 0; p < producers; ++p) {
      threads.emplace_back([&gate, p, mine = tx]() {
        gate.wait();
        for (std::uint64_t i = 0; i < per; ++i) {
          if (i % 2 == 0) {
            auto permit = block_on_thread(mine.reserve());
            if (!permit) throw std::runtime_error("reserve failed on an open channel");
            permit->send(p * per + i);
          } else {
            auto v = p * per + i;
            for (;;) {
              auto r = mine.try_send(v);
              if (r) break;
              v = std::move(r.error()).into_inner();
              std::this_thread::yield();
            }
          }
        }
      });
    }
    { auto drop = std::move(tx); }
    std::uint64_t received = 0;
    std::thread consumer([&] {
      gate.wait();
      for (;;) {
        auto v = rx.try_recv();
        if (v) {
          ++received;
        } else if (v.error().is_disconnected()) {
          break;
        } else {
          std::this_thread::yield();
        }
      }
    });
    gate.open();
    join_all(threads);
    consumer.join();
    CHECK(received == producers * per);
  }
}

TEST_CASE("threads: dropping the mpsc receiver while senders wait hands every value back", "[threads][mpsc]") {
  for (int round = 0; round < 200; ++round) {
    auto [tx, rx] = mpsc::channel<std::uint64_t>(2);
    std::atomic<std::uint64_t> sent{0}, refused{0};
    std::vector<std::thread> threads;
    Gate gate;
    for (int p = 0; p < 2; ++p) {
      threads.emplace_back([&, mine = tx]() {
        gate.wait();
        for (std::uint64_t i = 0; i < 50; ++i) {
          if (block_on_thread(mine.send(i))) {
            sent.fetch_add(1);
          } else {
            refused.fetch_add(1);
          }
        }
      });
    }
    { auto drop = std::move(tx); }
    std::uint64_t received = 0;
    std::thread consumer([&, r = std::move(rx)]() mutable {
      gate.wait();
      for (int i = 0; i < 10; ++i) {
        if (block_on_thread(r.recv())) ++received;
      }
      // r is dropped here, with up to 2 values buffered, while senders may wait.
    });
    gate.open();
    join_all(threads);
    consumer.join();
    CHECK(sent + refused == 100);
    CHECK(received == 10);
    CHECK(sent >= 10);
    CHECK(sent <= 12);  // 10 received + at most 2 buffered when the receiver went away
  }
}

// --- oneshot ---------------------------------------------------------------------------------------

TEST_CASE("threads: oneshot send racing the receiver's await / drop / close, 10,000 rounds", "[threads][oneshot]") {
  constexpr int rounds = 10'000;
  int received = 0, handed_back = 0, dropped_unread = 0, errors = 0;
  for (int round = 0; round < rounds; ++round) {
    auto [tx, rx] = oneshot::channel<int>();
    const int mode = round % 4;  // 0: await, 1: drop, 2: close then await, 3: sender dropped unsent
    std::optional<bool> sent;    // the sender's outcome
    std::optional<std::expected<int, oneshot::RecvError>> got;
    Gate gate;
    std::thread sender([&, t = std::move(tx)]() mutable {
      gate.wait();
      if (mode == 3) {
        auto drop = std::move(t);
        return;
      }
      auto r = std::move(t).send(round);
      if (!r && r.error() != round) throw std::runtime_error("a different value came back");
      sent = r.has_value();
    });
    std::thread receiver([&, r = std::move(rx)]() mutable {
      gate.wait();
      if (mode == 1) {
        auto drop = std::move(r);
        return;
      }
      if (mode == 2) r.close();
      got = block_on_thread(r);
    });
    gate.open();
    sender.join();
    receiver.join();
    const bool value_received = got && got->has_value();
    if (value_received) {
      REQUIRE(**got == round);
      ++received;
    }
    if (mode == 3) {
      REQUIRE(!value_received);
      ++errors;
      continue;
    }
    REQUIRE(sent.has_value());
    if (!*sent) ++handed_back;
    if (mode == 1) {
      if (*sent) ++dropped_unread;  // sent before the drop: dropped with the receiver, as documented
      continue;
    }
    // await (and close then await): the value is received exactly when the send succeeded.
    REQUIRE(*sent == value_received);
    if (mode == 0) REQUIRE(value_received);
  }
  CHECK(received + handed_back + dropped_unread + errors == rounds);
}

TEST_CASE("threads: oneshot Sender::closed wakes when the receiver goes away on another thread", "[threads][oneshot]") {
  for (int round = 0; round < 2'000; ++round) {
    auto [tx, rx] = oneshot::channel<int>();
    std::thread receiver([r = std::move(rx)]() mutable {
      auto drop = std::move(r);
    });
    block_on_thread(tx.closed());
    CHECK(tx.is_closed());
    receiver.join();
  }
}

// --- Mutex, Semaphore, Notify --------------------------------------------------------------------

TEST_CASE("threads: Mutex, 4 threads x 10,000 lock/increment/unlock of a plain counter", "[threads][mutex]") {
  constexpr int threads_n = 4, per = 10'000;
  sync::Mutex<std::uint64_t> m(0);
  std::vector<std::thread> threads;
  Gate gate;
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&, t] {
      gate.wait();
      for (int i = 0; i < per; ++i) {
        if (t == 0 && i % 3 == 0) {  // one thread mixes in try_lock
          if (auto g = m.try_lock()) {
            ++**g;
            continue;
          }
        }
        auto g = block_on_thread(m.lock());
        ++*g;
      }
    });
  }
  gate.open();
  join_all(threads);
  auto g = m.try_lock();
  REQUIRE(g);
  CHECK(**g == std::uint64_t{threads_n} * per);
}

TEST_CASE("threads: Semaphore, permits held never exceed the limit", "[threads][semaphore]") {
  constexpr std::size_t limit = 3;
  constexpr int threads_n = 4, per = 5'000;
  sync::Semaphore sem(limit);
  std::atomic<std::size_t> held{0}, high_water{0};
  std::atomic<std::uint64_t> acquired{0};
  auto note = [&](std::size_t n) {
    const std::size_t now = held.fetch_add(n) + n;
    std::size_t hw = high_water.load();
    while (now > hw && !high_water.compare_exchange_weak(hw, now)) {
    }
    acquired.fetch_add(1);
  };
  std::vector<std::thread> threads;
  Gate gate;
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&, t] {
      gate.wait();
      for (int i = 0; i < per; ++i) {
        const std::uint32_t n = (t == 1 && i % 2 == 0) ? 2 : 1;  // one thread mixes in acquire_many(2)
        auto permit = block_on_thread(sem.acquire_many(n));
        if (!permit) throw std::runtime_error("acquire failed on an open semaphore");
        note(n);
        held.fetch_sub(n);
      }
    });
  }
  gate.open();
  join_all(threads);
  CHECK(acquired == std::uint64_t{threads_n} * per);
  CHECK(high_water <= limit);
  CHECK(high_water >= 1);
  CHECK(sem.available_permits() == limit);
}

TEST_CASE("threads: Semaphore, close wakes waiters on other threads with an error", "[threads][semaphore]") {
  for (int round = 0; round < 500; ++round) {
    sync::Semaphore sem(0);
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&] {
        auto r = block_on_thread(sem.acquire());
        if (!r) failed.fetch_add(1);
      });
    }
    sem.close();
    join_all(threads);
    CHECK(failed == 2);
  }
}

TEST_CASE("threads: Notify, notify_one racing notified() loses no notification", "[threads][notify]") {
  constexpr int rounds = 10'000;
  sync::Notify ping, pong;
  std::thread waiter([&] {
    for (int i = 0; i < rounds; ++i) {
      block_on_thread(ping.notified());  // a permit stored before the first poll counts too
      pong.notify_one();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    ping.notify_one();
    block_on_thread(pong.notified());
  }
  waiter.join();
  SUCCEED("every notify_one reached its waiter");
}

TEST_CASE("threads: Notify, notify_waiters and dropped Notified futures on other threads", "[threads][notify]") {
  for (int round = 0; round < 1'000; ++round) {
    sync::Notify n;
    std::atomic<int> registered{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&] {
        auto f = n.notified();
        f.enable();
        registered.fetch_add(1);
        block_on_thread(f);
      });
    }
    while (registered.load() != 2) std::this_thread::yield();
    n.notify_waiters();
    join_all(threads);
  }
  // notify_one handed to a Notified that is dropped unpolled passes on to the next waiter.
  for (int round = 0; round < 1'000; ++round) {
    sync::Notify n;
    std::atomic<bool> enabled{false};
    std::thread other([&] {
      auto f = n.notified();
      f.enable();
      enabled = true;
      // dropped here, perhaps after the notification reached it: it must move on
    });
    while (!enabled) std::this_thread::yield();
    n.notify_one();
    other.join();
    block_on_thread(n.notified());  // the notification (or the permit it became) is still there
  }
}

// --- watch, broadcast ----------------------------------------------------------------------------

TEST_CASE("threads: watch, a sender thread and receiver threads see values in order, none invented", "[threads][watch]") {
  constexpr std::uint64_t sends = 20'000;
  auto [tx, rx] = sync::watch::channel<std::uint64_t>(0);
  constexpr int receivers_n = 3;
  std::vector<sync::watch::Receiver<std::uint64_t>> receivers;
  for (int r = 0; r < receivers_n; ++r) receivers.push_back(rx);
  { auto drop = std::move(rx); }
  std::vector<std::uint64_t> seen_last(receivers_n, 0), seen_count(receivers_n, 0);
  std::vector<int> bad(receivers_n, 0);
  std::vector<std::thread> threads;
  Gate gate;
  for (int r = 0; r < receivers_n; ++r) {
    threads.emplace_back([&, r, mine = std::move(receivers[static_cast<std::size_t>(r)])]() mutable {
      gate.wait();
      std::uint64_t last = 0;
      for (;;) {
        auto changed = block_on_thread(mine.changed());
        if (!changed) break;  // the sender is gone and the last value was seen
        std::uint64_t v;
        {
          auto ref = mine.borrow_and_update();  // a Ref alive here makes the sender wait, not throw
          v = *ref;
        }
        if (v <= last || v > sends) ++bad[static_cast<std::size_t>(r)];
        last = v;
        ++seen_count[static_cast<std::size_t>(r)];
      }
      seen_last[static_cast<std::size_t>(r)] = last;
    });
  }
  threads.emplace_back([&, t = std::move(tx)]() mutable {
    gate.wait();
    for (std::uint64_t i = 1; i <= sends; ++i) {
      if (i % 3 == 0) {
        t.send_modify([i](std::uint64_t& v) { v = i; });
      } else {
        (void)t.send_replace(i);
      }
    }
    // t is dropped here: every receiver ends after seeing the last value.
  });
  gate.open();
  join_all(threads);
  for (int r = 0; r < receivers_n; ++r) {
    CAPTURE(r);
    CHECK(bad[static_cast<std::size_t>(r)] == 0);
    CHECK(seen_last[static_cast<std::size_t>(r)] == sends);
    CHECK(seen_count[static_cast<std::size_t>(r)] >= 1);
  }
}

TEST_CASE("threads: broadcast, a sender thread and receiver threads see values in order, none invented", "[threads][broadcast]") {
  constexpr std::uint64_t sends = 20'000;
  SECTION("a channel large enough that nobody lags: every receiver sees every value") {
    auto [tx, rx] = sync::broadcast::channel<std::uint64_t>(sends);
    std::vector<sync::broadcast::Receiver<std::uint64_t>> receivers;
    receivers.push_back(std::move(rx));
    receivers.push_back(tx.subscribe());
    receivers.push_back(tx.subscribe());
    std::vector<std::uint64_t> got(receivers.size(), 0);
    std::vector<int> bad(receivers.size(), 0);
    std::vector<std::thread> threads;
    Gate gate;
    for (std::size_t r = 0; r < receivers.size(); ++r) {
      threads.emplace_back([&, r, mine = std::move(receivers[r])]() mutable {
        gate.wait();
        std::uint64_t expect = 1;
        for (;;) {
          auto v = block_on_thread(mine.recv());
          if (!v) break;
          if (*v != expect) ++bad[r];
          expect = *v + 1;
          ++got[r];
        }
      });
    }
    threads.emplace_back([&, t = std::move(tx)]() mutable {
      gate.wait();
      for (std::uint64_t i = 1; i <= sends; ++i) (void)t.send(i);
    });
    gate.open();
    join_all(threads);
    for (std::size_t r = 0; r < got.size(); ++r) {
      CHECK(bad[r] == 0);
      CHECK(got[r] == sends);
    }
  }
  SECTION("a small channel: receivers lag, but what they see is increasing and was sent") {
    auto [tx, rx] = sync::broadcast::channel<std::uint64_t>(4);
    std::vector<sync::broadcast::Receiver<std::uint64_t>> receivers;
    receivers.push_back(std::move(rx));
    receivers.push_back(tx.subscribe());
    std::vector<int> bad(receivers.size(), 0);
    std::vector<std::uint64_t> last_seen(receivers.size(), 0);
    std::vector<std::thread> threads;
    Gate gate;
    for (std::size_t r = 0; r < receivers.size(); ++r) {
      threads.emplace_back([&, r, mine = std::move(receivers[r])]() mutable {
        gate.wait();
        std::uint64_t last = 0;
        for (;;) {
          auto v = block_on_thread(mine.recv());
          if (!v) {
            if (v.error().is_closed()) break;
            continue;  // lagged: the next recv returns the oldest value still kept
          }
          if (*v <= last || *v > sends) ++bad[r];
          last = *v;
        }
        last_seen[r] = last;
      });
    }
    threads.emplace_back([&, t = std::move(tx)]() mutable {
      gate.wait();
      for (std::uint64_t i = 1; i <= sends; ++i) (void)t.send(i);
    });
    gate.open();
    join_all(threads);
    for (std::size_t r = 0; r < bad.size(); ++r) {
      CHECK(bad[r] == 0);
      CHECK(last_seen[r] == sends);
    }
  }
}
