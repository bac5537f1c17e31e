// sync::broadcast (runtime/include/asynclab/sync/broadcast.hpp): every receiver sees every value sent
// after it subscribed; slow receivers lag by an exact count; the channel ends when the senders do.
// Flavors (support/flavors.hpp): every receiver seeing every value, a late subscriber, and one send
// waking every receiver run on current_thread and on multi_thread(2) and (4) (timers already due
// there); the slow receiver's exact lag needs one thread's order and runs on current_thread only;
// the ones without a runtime on none.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
namespace broadcast = asynclab::sync::broadcast;

namespace {

// Receives until closed; each value or error becomes a line.
Task<void> drain(broadcast::Receiver<int> rx, Log& log) {
  for (;;) {
    auto r = co_await rx.recv();
    if (r) {
      log.push_back(std::to_string(*r));
    } else if (r.error().is_lagged()) {
      log.push_back("lagged " + std::to_string(r.error().skipped()));
    } else {
      log.push_back("closed");
      co_return;
    }
  }
}

struct kept_tag {};
using kept = basic_counted<kept_tag>;

}  // namespace

TEST_CASE("every receiver sees every value sent after it subscribed", "[broadcast]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    Log a, b;
    std::size_t receivers = 0;
    std::vector<std::size_t> seen_by;  // what each send answered
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = broadcast::channel<int>(16);
      auto first = spawn(drain(std::move(rx), a));
      auto second = spawn(drain(tx.subscribe(), b));
      receivers = tx.receiver_count();
      for (int i = 1; i <= 5; ++i) {
        seen_by.push_back(tx.send(i).value_or(0));
        co_await sleep(flavor.timer(1ms));
      }
      { auto gone = std::move(tx); }
      (void)co_await first;
      (void)co_await second;
    });
    CHECK(receivers == 2);
    CHECK(seen_by == std::vector<std::size_t>(5, 2u));  // each seen by two receivers
    CHECK(a == Log{"1", "2", "3", "4", "5", "closed"});
    CHECK(b == a);
  }
}

TEST_CASE("a subscriber sees only the values sent after it subscribed", "[broadcast]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  Log late;
  int sent = 0;
  bool empty_when_subscribed = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = broadcast::channel<int>(8);
    if (tx.send(1)) ++sent;
    if (tx.send(2)) ++sent;
    auto subscriber = tx.subscribe();
    empty_when_subscribed = subscriber.is_empty();
    if (tx.send(3)) ++sent;
    { auto gone = std::move(tx); }
    co_await drain(std::move(subscriber), late);
  });
  CHECK(sent == 3);
  CHECK(empty_when_subscribed);
  CHECK(late == Log{"3", "closed"});
}

TEST_CASE("a slow receiver gets lagged with the exact number of values it missed, once, then the oldest kept value",
          "[broadcast]") {
  Log fast, slow;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto fast_reader = spawn(drain(tx.subscribe(), fast));
    for (int i = 0; i < 10; ++i) {
      REQUIRE(tx.send(i));
      co_await sleep(1ms);  // the fast reader keeps up
    }
    { auto gone = std::move(tx); }
    // The slow receiver read nothing: of 10 values the ring of 4 kept 6..9, so 0..5 are gone.
    CHECK(rx.len() == 4);
    co_await drain(std::move(rx), slow);
    (void)co_await fast_reader;
  });
  CHECK(fast == Log{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "closed"});
  CHECK(slow == Log{"lagged 6", "6", "7", "8", "9", "closed"});
}

TEST_CASE("a receiver that lags twice is told each time how many values it missed since it last caught up",
          "[broadcast]") {
  auto [tx, rx] = broadcast::channel<int>(3);
  for (int i = 0; i < 5; ++i) REQUIRE(tx.send(i));
  auto first = rx.try_recv();
  REQUIRE_FALSE(first);
  CHECK(first.error() == broadcast::TryRecvError::lagged(2));
  CHECK(rx.try_recv() == 2);
  for (int i = 5; i < 12; ++i) REQUIRE(tx.send(i));  // the receiver's next is 3; the ring keeps 9, 10, 11
  CHECK(rx.try_recv().error() == broadcast::TryRecvError::lagged(6));
  CHECK(rx.try_recv() == 9);
  CHECK(rx.try_recv() == 10);
  CHECK(rx.try_recv() == 11);
  CHECK(rx.try_recv().error() == broadcast::TryRecvError::empty());
}

TEST_CASE("recv answers closed once every sender is gone and the values still kept have been read", "[broadcast]") {
  auto [tx, rx] = broadcast::channel<int>(4);
  auto tx2 = tx;
  REQUIRE(tx.send(1));
  { auto gone = std::move(tx); }
  CHECK(rx.try_recv() == 1);
  CHECK(rx.try_recv().error() == broadcast::TryRecvError::empty());  // one sender is still alive
  REQUIRE(tx2.send(2));
  { auto gone = std::move(tx2); }
  CHECK(rx.try_recv() == 2);
  CHECK(rx.try_recv().error() == broadcast::TryRecvError::closed());
}

TEST_CASE("send with no receiver fails and gives the value back, a new subscriber reopens the channel",
          "[broadcast]") {
  auto [tx, rx] = broadcast::channel<std::string>(2);
  { auto gone = std::move(rx); }
  CHECK(tx.receiver_count() == 0);
  auto r = tx.send("into the void");
  REQUIRE_FALSE(r);
  CHECK(r.error().value == "into the void");
  auto again = tx.subscribe();
  CHECK(tx.send("heard") == 1u);
  CHECK(again.try_recv() == std::string("heard"));
}

TEST_CASE("a value is released as soon as every receiver has read it", "[broadcast]") {
  kept::reset();
  auto [tx, rx1] = broadcast::channel<kept>(4);
  auto rx2 = tx.subscribe();
  REQUIRE(tx.send(kept{}));
  CHECK(kept::alive() == 1);
  auto a = rx1.try_recv();  // a copy
  CHECK(kept::alive() == 2);
  auto b = rx2.try_recv();  // the last reader takes the value itself
  CHECK(kept::alive() == 2);
  CHECK(kept::copy_constructions == 1);
  { auto gone = std::move(rx1); }
  REQUIRE(tx.send(kept{}));
  { auto gone = std::move(rx2); }  // the only receiver left that had not read it
  CHECK(kept::alive() == 2);        // just a and b
}

TEST_CASE("one send wakes every receiver waiting for it", "[broadcast]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // on worker threads some readers may not be waiting yet: all still get it
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    std::atomic<int> woken{0};
    std::size_t seen_by = 0;
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = broadcast::channel<int>(1);
      std::vector<JoinHandle<void>> readers;
      for (int i = 0; i < 4; ++i) {
        readers.push_back(spawn([&woken, rx = tx.subscribe()]() mutable -> Task<void> {
          if ((co_await rx.recv()) == 7) ++woken;
        }));
      }
      co_await sleep(flavor.timer(5ms));
      seen_by = tx.send(7).value_or(0);
      for (auto& h : readers) (void)co_await h;
    });
    CHECK(seen_by == 5u);
    CHECK(woken.load() == 4);
  }
}
