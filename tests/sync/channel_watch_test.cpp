// sync::watch (runtime/include/asynclab/sync/watch.hpp): only the latest value, the seen mark that
// changed() and borrow_and_update() move, and the ends of the channel.
// Flavors (support/flavors.hpp): changed() waiting for the next send, the unseen last value before
// the sender's end, RecvError when the sender goes, and Sender::closed() run on current_thread and on
// multi_thread(2) and (4) (timers already due there); what a busy receiver skips and the log of
// virtual instants run on current_thread only; the ones without a runtime on none.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
namespace watch = asynclab::sync::watch;

namespace {

Runtime explored(std::uint64_t seed) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).explore_schedules().build();
}

}  // namespace

TEST_CASE("a busy receiver sees only the latest value: the values sent in between are skipped", "[watch]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    std::vector<int> seen;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = watch::channel<int>(0, "config");
      auto reader = spawn([&seen, rx = std::move(rx)]() mutable -> Task<void> {
        while (co_await rx.changed()) {
          seen.push_back(*rx.borrow());
          co_await sleep(10ms);  // busy while the sender moves on
        }
      });
      for (int i = 1; i <= 9; ++i) {
        REQUIRE(tx.send(i));
        co_await sleep(3ms);
      }
      co_await sleep(20ms);
      { auto gone = std::move(tx); }
      (void)co_await reader;
    });
    // Value i is sent at 3·(i-1) ms (0 .. 24 ms); the reader looks at 0, 10, 20 and 30 ms (no tie with a
    // send, so no schedule can change what it sees) and finds the sender gone at 47 ms.
    CHECK(seen == std::vector<int>{1, 4, 7, 9});
  }
}

TEST_CASE("changed() completes at once when an unseen value exists, and marks it seen", "[watch]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = watch::channel<std::string>("a");
    log.push_back(*rx.has_changed() ? "changed at start" : "unchanged at start");
    REQUIRE(tx.send("b"));
    log.push_back(*rx.has_changed() ? "changed after send" : "unchanged after send");
    log.push_back(*rx.borrow() + (rx.borrow().has_changed() ? " (new)" : " (seen)"));
    log.push_back(*rx.has_changed() ? "borrow left it unseen" : "borrow marked it seen");
    (void)co_await rx.changed();
    log.push_back("changed() returned at " + std::to_string(elapsed() / 1ms) + " ms");
    log.push_back(*rx.has_changed() ? "still unseen" : "now seen");
  });
  CHECK(log == Log{"unchanged at start", "changed after send", "b (new)", "borrow left it unseen",
                   "changed() returned at 0 ms", "now seen"});
}

TEST_CASE("after borrow_and_update, changed() waits for the next send", "[watch]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    Duration waited{};
    int value = 0;
    bool sent = false, changed_ok = false;
    int borrowed = 0;
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = watch::channel<int>(0);
      sent = tx.send(1).has_value();
      borrowed = *rx.borrow_and_update();
      (void)spawn([tx = std::move(tx), d = flavor.timer(50ms)]() -> Task<void> {
        co_await sleep(d);
        tx.send_modify([](int& v) { v += 10; });
        co_await sleep(1s);  // keeps the sender alive; never waited for (cancelled when the runtime goes)
      });
      auto changed = co_await rx.changed();
      changed_ok = changed.has_value();
      if (!changed_ok) co_return;
      waited = elapsed();
      value = *rx.borrow();
    });
    REQUIRE(sent);
    CHECK(borrowed == 1);
    REQUIRE(changed_ok);
    if (!flavor.threaded()) CHECK(waited == 50ms);  // virtual time
    CHECK(value == 11);
  }
}

TEST_CASE("changed() reports an unseen last value before it reports that the sender is gone", "[watch]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  Log log;
  bool sent = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = watch::channel<int>(0);
    sent = tx.send(5).has_value();
    { auto gone = std::move(tx); }
    auto first = co_await rx.changed();
    log.push_back(first ? "changed: " + std::to_string(*rx.borrow()) : "error");
    auto second = co_await rx.changed();
    log.push_back(second ? "changed" : "error: sender dropped");
    log.push_back(rx.has_changed() ? "has_changed ok" : "has_changed error");
  });
  REQUIRE(sent);
  CHECK(log == Log{"changed: 5", "error: sender dropped", "has_changed error"});
}

TEST_CASE("a receiver waiting in changed() gets RecvError when the sender is dropped", "[watch]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<Duration> failed_at;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = watch::channel<int>(0);
    (void)spawn([tx = std::move(tx), d = flavor.timer(8ms)]() -> Task<void> { co_await sleep(d); });
    if (!co_await rx.changed()) failed_at = elapsed();
  });
  REQUIRE(failed_at);
  if (!flavor.threaded()) CHECK(*failed_at == 8ms);  // virtual time
}

TEST_CASE("send fails with the value back when every receiver is gone, send_replace stores it anyway", "[watch]") {
  auto [tx, rx] = watch::channel<std::string>("old");
  { auto gone = std::move(rx); }
  CHECK(tx.is_closed());
  auto r = tx.send("lost?");
  REQUIRE_FALSE(r);
  CHECK(r.error().value == "lost?");
  CHECK(*tx.borrow() == "old");
  CHECK(tx.send_replace("new") == "old");
  CHECK(*tx.borrow() == "new");
  auto late = tx.subscribe();
  CHECK_FALSE(*late.has_changed());  // a subscriber has seen the value current when it subscribed
  CHECK(*late.borrow() == "new");
}

TEST_CASE("send_if_modified notifies only when the edit says it changed something", "[watch]") {
  auto [tx, rx] = watch::channel<int>(1);
  CHECK_FALSE(tx.send_if_modified([](int& v) { return v > 5 ? (v = 0, true) : false; }));
  CHECK_FALSE(*rx.has_changed());
  CHECK(tx.send_if_modified([](int& v) { return v == 1 ? (v = 2, true) : false; }));
  CHECK(*rx.has_changed());
  CHECK(*rx.borrow() == 2);
}

TEST_CASE("sending while a borrow is alive throws instead of deadlocking as Tokio's read lock would", "[watch]") {
  auto [tx, rx] = watch::channel<int>(1);
  {
    auto held = rx.borrow();
    CHECK_THROWS_AS(tx.send(2), std::logic_error);
    CHECK(*held == 1);
  }
  CHECK(tx.send(2));
  CHECK(*rx.borrow() == 2);
}

TEST_CASE("a cloned receiver starts with the same seen mark and counts as a receiver", "[watch]") {
  auto [tx, rx] = watch::channel<int>(0);
  REQUIRE(tx.send(1));
  auto clone = rx;
  CHECK(tx.receiver_count() == 2);
  CHECK(*clone.has_changed());
  (void)clone.borrow_and_update();
  CHECK_FALSE(*clone.has_changed());
  CHECK(*rx.has_changed());  // each receiver keeps its own mark
}

TEST_CASE("a watch Sender's closed() completes when the last receiver is dropped", "[watch]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<Duration> closed_at;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = watch::channel<int>(0);
    auto rx2 = rx;
    (void)spawn([rx = std::move(rx), d = flavor.timer(10ms)]() -> Task<void> { co_await sleep(d); });
    (void)spawn([rx2 = std::move(rx2), d = flavor.timer(20ms)]() -> Task<void> { co_await sleep(d); });
    co_await tx.closed();
    closed_at = elapsed();
  });
  REQUIRE(closed_at);
  if (!flavor.threaded()) CHECK(*closed_at == 20ms);  // virtual time
}
