// sync::mpsc (runtime/include/asynclab/sync/mpsc.hpp): backpressure, the end of the stream, close(),
// FIFO service of waiting senders, try_send, permits and the unbounded flavour.
// Flavors (support/flavors.hpp): the end of the stream, buffered values before None, try_send's
// errors, permits, close() waiting for a permit, the unbounded channel and Sender::closed() run on
// current_thread and on multi_thread(2) and (4) (timers already due there); the claims about when a
// sender or receiver resumes (virtual instants, waiters served in the order one thread queued them)
// run on current_thread only; the ones without a runtime on none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
namespace mpsc = asynclab::sync::mpsc;

namespace {

// Virtual time, and the seed also reorders the ready queue: the claims below hold under every schedule.
Runtime explored(std::uint64_t seed) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).explore_schedules().build();
}

std::string at(const std::string& what) { return what + " at " + std::to_string(elapsed() / 1ms) + " ms"; }

struct buffered_tag {};
using buffered = basic_counted<buffered_tag>;

}  // namespace

TEST_CASE("on a capacity-1 channel the second send waits until the receiver takes the first", "[mpsc]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    Log log;
    bool full_while_waiting = false;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      auto producer = spawn([&log, tx = std::move(tx)]() -> Task<void> {
        (void)co_await tx.send(1);
        log.push_back(at("sent 1"));
        (void)co_await tx.send(2);
        log.push_back(at("sent 2"));
      });
      co_await sleep(100ms);
      full_while_waiting = rx.len() == 1;
      auto first = co_await rx.recv();
      log.push_back(at("received " + std::to_string(first.value_or(-1))));
      auto second = co_await rx.recv();
      log.push_back(at("received " + std::to_string(second.value_or(-1))));
      (void)co_await producer;
    });
    CHECK(full_while_waiting);
    CHECK(log == Log{"sent 1 at 0 ms", "received 1 at 100 ms", "sent 2 at 100 ms", "received 2 at 100 ms"});
  }
}

TEST_CASE("recv answers None only once every sender is dropped and the buffer is drained", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // on worker threads the timers are already due: the senders race
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    std::vector<int> got;
    std::optional<Duration> none_at;
    bool closed_early = true;
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(4);
      auto tx2 = tx;  // a clone: the channel now counts two senders
      (void)spawn([tx = std::move(tx), d = flavor.timer(10ms)]() -> Task<void> {
        co_await sleep(d);
        (void)co_await tx.send(1);
        (void)co_await tx.send(2);
      });
      (void)spawn([tx2 = std::move(tx2), d = flavor.timer(30ms)]() -> Task<void> {
        co_await sleep(d);
        (void)co_await tx2.send(3);
      });
      co_await sleep(flavor.timer(20ms));
      closed_early = rx.is_closed();  // the first sender is gone, the second is not
      while (auto v = co_await rx.recv()) got.push_back(*v);
      none_at = elapsed();
    });
    if (flavor.threaded()) {
      // One sender's values stay in its order (FIFO); the two senders interleave as the threads ran.
      CHECK(std::find(got.begin(), got.end(), 1) < std::find(got.begin(), got.end(), 2));
      std::sort(got.begin(), got.end());
    } else {
      CHECK_FALSE(closed_early);  // virtual time: the second sender is still asleep
    }
    CHECK(got == std::vector<int>{1, 2, 3});
    REQUIRE(none_at);
    if (!flavor.threaded()) CHECK(*none_at == 30ms);
  }
}

TEST_CASE("values buffered before the last sender dropped are all received before None", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<int> got;
  bool closed_before_draining = false;
  int buffered_ok = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(3);
    {
      auto sender = std::move(tx);
      for (int i = 1; i <= 3; ++i)
        if (sender.try_send(i)) ++buffered_ok;
    }
    closed_before_draining = rx.is_closed();
    while (auto v = co_await rx.recv()) got.push_back(*v);
  });
  CHECK(buffered_ok == 3);
  CHECK(closed_before_draining);
  CHECK(got == std::vector<int>{1, 2, 3});
}

TEST_CASE("close() keeps buffered values readable and makes every later or waiting send fail with its value back",
          "[mpsc]") {
  Log log;
  std::vector<int> got;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(2);
    REQUIRE(tx.try_send(1));
    REQUIRE(tx.try_send(2));
    auto waiter = spawn([&log, tx = tx]() -> Task<void> {
      auto r = co_await tx.send(3);  // waits: the buffer is full
      log.push_back(r ? "send 3 succeeded" : at("send 3 failed, " + std::to_string(r.error().value) + " came back"));
    });
    co_await sleep(5ms);
    rx.close();
    auto tried = tx.try_send(4);
    log.push_back(!tried && tried.error().is_closed() ? "try_send 4: closed, " + std::to_string(tried.error().value()) + " came back"
                                                      : "try_send 4 did not fail as closed");
    auto sent = co_await tx.send(5);
    log.push_back(!sent ? "send 5 failed, " + std::to_string(sent.error().value) + " came back" : "send 5 succeeded");
    log.push_back(tx.is_closed() ? "sender sees closed" : "sender sees open");
    (void)co_await waiter;
    while (auto v = co_await rx.recv()) got.push_back(*v);
  });
  // main goes on until it awaits the waiter; only then does the waiter run and see its failed send.
  CHECK(log == Log{"try_send 4: closed, 4 came back", "send 5 failed, 5 came back", "sender sees closed",
                   "send 3 failed, 3 came back at 5 ms"});
  CHECK(got == std::vector<int>{1, 2});
}

TEST_CASE("senders waiting on a full channel are served in the order they started waiting", "[mpsc]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    std::vector<int> queued;  // the order in which the senders started their send
    std::vector<int> got;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      REQUIRE(tx.try_send(0));
      std::vector<JoinHandle<void>> senders;
      for (int i = 1; i <= 5; ++i) {
        senders.push_back(spawn([&queued, i, tx = tx]() -> Task<void> {
          queued.push_back(i);  // the send below is polled at once, in this same poll: it queues now
          (void)co_await tx.send(i);
        }));
      }
      co_await sleep(10ms);
      for (int k = 0; k <= 5; ++k) got.push_back((co_await rx.recv()).value_or(-1));
      for (auto& h : senders) (void)co_await h;
    });
    REQUIRE(queued.size() == 5);
    std::vector<int> expected{0};
    expected.insert(expected.end(), queued.begin(), queued.end());
    CHECK(got == expected);
  }
}

TEST_CASE("try_send does not jump the queue: a slot freed by recv goes to the waiting sender", "[mpsc]") {
  std::vector<int> got;
  bool jumped = true;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    REQUIRE(tx.try_send(1));
    auto waiter = spawn([tx = tx]() -> Task<void> { (void)co_await tx.send(2); });
    co_await sleep(1ms);
    got.push_back(*co_await rx.recv());  // frees the slot: it is granted to the waiting send
    auto barged = tx.try_send(99);
    jumped = barged.has_value() || !barged.error().is_full();
    (void)co_await waiter;
    got.push_back(*co_await rx.recv());
  });
  CHECK_FALSE(jumped);
  CHECK(got == std::vector<int>{1, 2});
}

TEST_CASE("try_send reports full when no slot is free and closed when the receiver is gone, with the value back",
          "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  // Read inside the runtime, checked after it (Catch2's macros stay off the worker threads).
  bool first_sent = false;
  std::size_t capacity_after_first = 99;
  bool full_failed = false, full_is_full = false, closed_failed = false, closed_is_closed = false;
  std::string full_value, full_message, closed_value;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<std::string>(1);
    first_sent = tx.try_send("first").has_value();
    capacity_after_first = tx.capacity();
    auto full = tx.try_send("second");
    full_failed = !full;
    if (!full) {
      full_is_full = full.error().is_full();
      full_value = full.error().value();
      full_message = full.error().message();
    }
    { auto gone = std::move(rx); }
    auto closed = tx.try_send("third");
    closed_failed = !closed;
    if (!closed) {
      closed_is_closed = closed.error().is_closed();
      closed_value = std::move(closed.error()).into_inner();
    }
    co_return;
  });
  CHECK(first_sent);
  CHECK(capacity_after_first == 0);
  REQUIRE(full_failed);
  CHECK(full_is_full);
  CHECK(full_value == "second");
  CHECK(full_message == "no available capacity");
  REQUIRE(closed_failed);
  CHECK(closed_is_closed);
  CHECK(closed_value == "third");
}

TEST_CASE("try_recv answers empty while senders live and disconnected once they are gone and the buffer is drained",
          "[mpsc]") {
  auto [tx, rx] = mpsc::channel<int>(2);
  CHECK(rx.try_recv().error() == mpsc::TryRecvError::empty());
  REQUIRE(tx.try_send(7));
  { auto gone = std::move(tx); }
  CHECK(rx.try_recv() == 7);
  CHECK(rx.try_recv().error() == mpsc::TryRecvError::disconnected());
}

TEST_CASE("a Permit holds a slot: its send never waits, and dropping it unused returns the slot", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<int> got;
  bool full_while_held = false, free_after_drop = false;
  int permits = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    {
      auto permit = co_await tx.reserve();
      if (!permit) co_return;
      ++permits;
      auto tried = tx.try_send(1);
      full_while_held = !tried && tried.error().is_full();
    }  // dropped unused
    free_after_drop = tx.capacity() == 1;
    auto permit = co_await tx.reserve();
    if (!permit) co_return;
    ++permits;
    permit->send(2);
    got.push_back(*co_await rx.recv());
  });
  REQUIRE(permits == 2);
  CHECK(full_while_held);
  CHECK(free_after_drop);
  CHECK(got == std::vector<int>{2});
}

TEST_CASE("a Permit dropped unused hands its slot to the sender waiting behind it", "[mpsc]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    auto permit = tx.try_reserve();
    REQUIRE(permit);
    auto waiter = spawn([&log, tx = tx]() -> Task<void> {
      (void)co_await tx.send(5);
      log.push_back(at("sent 5"));
    });
    co_await sleep(20ms);
    { auto dropped = std::move(*permit); }
    (void)co_await waiter;
    log.push_back(at("received " + std::to_string((co_await rx.recv()).value_or(-1))));
  });
  CHECK(log == Log{"sent 5 at 20 ms", "received 5 at 20 ms"});
}

TEST_CASE("sends and reserves wait in one queue, one granted a slot fails if the receiving side closes "
          "before it runs, a send with its value back, as in Tokio",
          "[mpsc]") {
  // Two slots, both full; then a send, a reserve and a send queue in that order. The receiver takes
  // the two values, which grants the two slots to the first two waiters (woken, not yet run), and
  // closes or drops its side at once: Tokio's closed semaphore fails even an acquire it had granted.
  const bool drop_receiver = GENERATE(false, true);
  CAPTURE(drop_receiver);
  Log log;
  std::optional<int> after_close;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(2);
    (void)co_await tx.send(10);
    (void)co_await tx.send(11);
    auto first = spawn([&log, tx = tx]() -> Task<void> {
      auto sent = co_await tx.send(1);
      log.push_back(sent ? "send 1 sent" : "send 1 failed, " + std::to_string(sent.error().value) + " back");
    });
    co_await sleep(1ms);
    auto second = spawn([&log, tx = tx]() -> Task<void> {
      auto permit = co_await tx.reserve();
      log.push_back(permit ? "reserve got a permit" : "reserve failed");
    });
    co_await sleep(1ms);
    auto third = spawn([&log, tx = tx]() -> Task<void> {
      auto sent = co_await tx.send(3);
      log.push_back(sent ? "send 3 sent" : "send 3 failed, " + std::to_string(sent.error().value) + " back");
    });
    co_await sleep(1ms);
    log.push_back("received " + std::to_string((co_await rx.recv()).value_or(-1)));
    log.push_back("received " + std::to_string((co_await rx.recv()).value_or(-1)));
    if (drop_receiver) {
      auto gone = std::move(rx);
    } else {
      rx.close();
    }
    (void)co_await first;
    (void)co_await second;
    (void)co_await third;
    if (!drop_receiver) after_close = (co_await rx.recv()).value_or(-1);
  });
  CHECK(log ==
        Log{"received 10", "received 11", "send 1 failed, 1 back", "reserve failed", "send 3 failed, 3 back"});
  if (!drop_receiver) CHECK(after_close == -1);  // nothing was sent after close(), and recv does not wait
}

TEST_CASE("a send and a reserve queued behind one another are served in turn", "[mpsc]") {
  Log log;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    (void)co_await tx.send(0);
    auto reserving = spawn([&log, tx = tx]() -> Task<void> {
      auto permit = co_await tx.reserve();
      log.push_back(at("reserved"));
      co_await sleep(5ms);
      if (permit) permit->send(1);
    });
    co_await sleep(1ms);
    auto sending = spawn([&log, tx = tx]() -> Task<void> {
      (void)co_await tx.send(2);
      log.push_back(at("sent 2"));
    });
    co_await sleep(1ms);
    for (int i = 0; i < 3; ++i)
      log.push_back(at("received " + std::to_string((co_await rx.recv()).value_or(-1))));
    (void)co_await reserving;
    (void)co_await sending;
  });
  CHECK(log == Log{"received 0 at 2 ms", "reserved at 2 ms", "received 1 at 7 ms", "sent 2 at 7 ms",
                   "received 2 at 7 ms"});
}

TEST_CASE("after close(), recv keeps waiting for an outstanding Permit before it answers None", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<int> got;
  bool reserved = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto permit = tx.try_reserve();
    reserved = permit.has_value();
    if (!reserved) co_return;
    rx.close();
    auto late = spawn([permit = std::move(*permit), d = flavor.timer(10ms)]() mutable -> Task<void> {
      co_await sleep(d);
      permit.send(42);  // Tokio's rule: a permit taken before close() may still send
    });
    while (auto v = co_await rx.recv()) got.push_back(*v);
    (void)co_await late;
  });
  REQUIRE(reserved);
  CHECK(got == std::vector<int>{42});
}

TEST_CASE("an unbounded channel never makes a sender wait", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<int> got;
  Duration sent_by{1s};
  int sent = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::unbounded_channel<int>("firehose");
    for (int i = 0; i < 5000; ++i)
      if (tx.send(i)) ++sent;
    sent_by = elapsed();
    { auto gone = std::move(tx); }
    while (auto v = co_await rx.recv()) got.push_back(*v);
  });
  CHECK(sent == 5000);
  if (!flavor.threaded()) CHECK(sent_by == 0ms);  // virtual time
  REQUIRE(got.size() == 5000);
  bool in_order = true;
  for (int i = 0; i < 5000; ++i) in_order = in_order && got[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
}

TEST_CASE("an unbounded send fails with the value back once the receiver is gone", "[mpsc]") {
  auto [tx, rx] = mpsc::unbounded_channel<std::string>();
  { auto gone = std::move(rx); }
  auto r = tx.send("nobody listens");
  REQUIRE_FALSE(r);
  CHECK(r.error().value == "nobody listens");
  CHECK(tx.is_closed());
}

TEST_CASE("dropping the receiver drops every buffered value at once", "[mpsc]") {
  buffered::reset();
  int alive_buffered = -1;
  {
    auto [tx, rx] = mpsc::channel<buffered>(4);
    for (int i = 0; i < 3; ++i) REQUIRE(tx.try_send(buffered{}));
    alive_buffered = buffered::alive();
    { auto gone = std::move(rx); }
    CHECK(buffered::alive() == 0);
    CHECK(tx.is_closed());
  }
  CHECK(alive_buffered == 3);
  CHECK(buffered::alive() == 0);
}

TEST_CASE("an mpsc Sender's closed() completes when the receiver closes the channel", "[mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<Duration> closed_at;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    auto watcher = spawn([&closed_at, tx = tx]() -> Task<void> {
      co_await tx.closed();
      closed_at = elapsed();
    });
    co_await sleep(flavor.timer(40ms));
    rx.close();
    (void)co_await watcher;
  });
  REQUIRE(closed_at);
  if (!flavor.threaded()) CHECK(*closed_at == 40ms);  // virtual time
}

TEST_CASE("a receiver waiting on an empty channel is woken by the next send", "[mpsc]") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    Log log;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<int>();
      auto consumer = spawn([&log, rx = std::move(rx)]() mutable -> Task<void> {
        while (auto v = co_await rx.recv()) log.push_back(at("got " + std::to_string(*v)));
        log.push_back(at("end"));
      });
      co_await sleep(10ms);
      REQUIRE(tx.send(1));
      co_await sleep(10ms);
      REQUIRE(tx.send(2));
      { auto gone = std::move(tx); }
      (void)co_await consumer;
    });
    CHECK(log == Log{"got 1 at 10 ms", "got 2 at 20 ms", "end at 20 ms"});
  }
}

TEST_CASE("a bounded channel of capacity 0 is refused, as Tokio refuses it", "[mpsc]") {
  CHECK_THROWS_AS(mpsc::channel<int>(0), std::invalid_argument);
}
