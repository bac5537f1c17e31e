// Cancel safety of the channels (runtime/include/asynclab/sync/{mpsc,oneshot,broadcast,watch}.hpp):
// what dropping a pending operation loses, and that the channel stays consistent afterwards.
//
//   operation            cancel safe?  what a cancelled one loses
//   mpsc recv            yes           nothing: every value stays for the next recv
//   mpsc send            no            its value (dropped with the future) and its place in the queue
//   mpsc reserve         yes           its place in the queue; a slot already granted goes to the next waiter
//   broadcast recv       yes           nothing: the cursor moves only when recv completes
//   watch changed        yes           nothing: no value is marked seen
//   oneshot receive      yes           nothing while the Receiver survives; a dropped Receiver closes the channel
//
// Flavors (support/flavors.hpp): the cancelled send on a full channel, the recv cancelled by timeout
// or select, and the oneshot receiver losing a select run on current_thread and on multi_thread(2)
// and (4) (their timers already due there: the consumer cancelling its recv in a loop never waits,
// and the cooperative budget is what lets the producers it spawned run). The others need virtual
// time's pacing (a producer cancelling its own sends by deadline) or one thread's order (a task
// woken, then aborted before it runs), and run on current_thread only.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
namespace mpsc = asynclab::sync::mpsc;
namespace oneshot = asynclab::sync::oneshot;
namespace broadcast = asynclab::sync::broadcast;
namespace watch = asynclab::sync::watch;

namespace {

Runtime explored(std::uint64_t seed) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).explore_schedules().build();
}

struct lost_tag {};
using lost_value = basic_counted<lost_tag>;

// Three producers, each sending its own numbered values at its own pace, over a small channel.
Task<void> produce(mpsc::Sender<int> tx, int producer, Duration pace) {
  for (int i = 0; i < 15; ++i) {
    co_await sleep(pace);
    (void)co_await tx.send(producer * 100 + i);
  }
}

// Sends 15 numbered values, each with a 2 ms deadline; records which sends completed and which were
// cancelled by their timeout.
Task<void> produce_impatiently(mpsc::Sender<int> tx, int producer, std::set<int>& completed, std::set<int>& cancelled) {
  for (int i = 0; i < 15; ++i) {
    co_await sleep(1ms);
    const int v = producer * 100 + i;
    auto r = co_await timeout(2ms, tx.send(v));
    (r ? completed : cancelled).insert(v);
  }
}

}  // namespace

TEST_CASE("under every schedule exactly the values whose send completed are received: a cancelled send's value never arrives",
          "[cancel-safety][mpsc]") {
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    CAPTURE(seed);
    std::set<int> completed, cancelled;
    std::vector<int> got;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(1);
      for (int p = 1; p <= 3; ++p) (void)spawn(produce_impatiently(tx, p, completed, cancelled));
      { auto gone = std::move(tx); }
      for (;;) {
        co_await sleep(3ms);  // a slow consumer: the channel is full most of the time
        auto v = co_await rx.recv();
        if (!v) break;
        got.push_back(*v);
      }
    });
    CHECK(completed.size() + cancelled.size() == 45);
    CHECK_FALSE(cancelled.empty());
    CHECK(std::set<int>(got.begin(), got.end()) == completed);  // nothing cancelled, nothing twice
    CHECK(got.size() == completed.size());
  }
}

TEST_CASE("a send cancelled while waiting on a full channel loses its value, and the channel stays consistent",
          "[cancel-safety][mpsc]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // one task: on worker threads the deadlines are already due
  lost_value::reset();
  int lost_alive_after_cancel = -1;
  std::vector<int> got;
  // Read inside the runtime, checked after it (Catch2's macros stay off the worker threads).
  int try_sends_ok = 0;
  std::size_t select_index = 99, len_after_cancel = 99, capacity_after_recv = 99;
  bool send_2_timed_out = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    auto [ltx, lrx] = mpsc::channel<lost_value>(1);
    if (ltx.try_send(lost_value{})) ++try_sends_ok;
    // The send waits (the channel is full) and loses the race: it is dropped, and its value with it.
    auto r = co_await select(ltx.send(lost_value{}), sleep(flavor.timer(10ms)));
    select_index = r.index();
    lost_alive_after_cancel = lost_value::alive();  // only the buffered one is left
    len_after_cancel = lrx.len();
    (void)co_await lrx.recv();
    capacity_after_recv = ltx.capacity();  // the cancelled send held no slot: none leaked

    if (tx.try_send(1)) ++try_sends_ok;
    auto lost = co_await timeout(flavor.timer(5ms), tx.send(2));
    send_2_timed_out = !lost.has_value();
    got.push_back(*co_await rx.recv());
    if (tx.try_send(3)) ++try_sends_ok;
    { auto gone = std::move(tx); }
    while (auto v = co_await rx.recv()) got.push_back(*v);
  });
  CHECK(try_sends_ok == 3);
  CHECK(select_index == 1);
  CHECK(len_after_cancel == 1);
  CHECK(capacity_after_recv == 1);
  CHECK(send_2_timed_out);
  CHECK(lost_alive_after_cancel == 1);
  CHECK(lost_value::alive() == 0);
  CHECK(got == std::vector<int>{1, 3});  // 2 was never sent
}

TEST_CASE("a recv cancelled by timeout or select loses nothing: every value sent is received exactly once",
          "[cancel-safety][mpsc]") {
  // On worker threads every deadline is already due, so the consumer's loop never waits: only the
  // cooperative budget (asynclab/coop.hpp) makes it yield, and lets the producers it spawned run.
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    CAPTURE(seed);
    std::vector<int> got;
    int cancelled = 0;
    auto rt = flavor.threaded() ? flavor.exploring(seed) : explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(2);
      (void)spawn(produce(tx, 1, flavor.timer(3ms)));
      (void)spawn(produce(tx, 2, flavor.timer(5ms)));
      (void)spawn(produce(std::move(tx), 3, flavor.timer(7ms)));
      for (bool use_select = false;; use_select = !use_select) {
        std::optional<int> v;
        if (use_select) {
          auto r = co_await select(rx.recv(), sleep(flavor.timer(2ms)));
          if (r.index() == 1) {
            ++cancelled;
            continue;
          }
          v = std::get<0>(std::move(r));
        } else {
          auto r = co_await timeout(flavor.timer(1ms), rx.recv());
          if (!r) {
            ++cancelled;
            continue;
          }
          v = *r;
        }
        if (!v) break;
        got.push_back(*v);
      }
    });
    CHECK(cancelled > 10);  // plenty of recvs were dropped mid-wait
    std::map<int, int> times;
    for (int v : got) ++times[v];
    bool exactly_once = times.size() == 45;
    for (int p = 1; p <= 3; ++p)
      for (int i = 0; i < 15; ++i) exactly_once = exactly_once && times[p * 100 + i] == 1;
    CHECK(exactly_once);
    for (int p = 1; p <= 3; ++p) {  // and each producer's values arrive in the order it sent them
      std::vector<int> mine;
      std::copy_if(got.begin(), got.end(), std::back_inserter(mine), [p](int v) { return v / 100 == p; });
      CHECK(std::is_sorted(mine.begin(), mine.end()));
    }
  }
}

TEST_CASE("a reserve cancelled while queued only loses its place: the next waiter is served", "[cancel-safety][mpsc]") {
  Log log;
  std::vector<int> got;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    REQUIRE(tx.try_send(0));
    auto impatient = spawn([&log, tx = tx]() -> Task<void> {
      auto r = co_await timeout(5ms, tx.reserve());
      log.push_back(r ? "reserved" : "reserve timed out at " + std::to_string(elapsed() / 1ms) + " ms");
    });
    auto patient = spawn([&log, tx = tx]() -> Task<void> {
      co_await sleep(1ms);  // queues behind the reserve
      (void)co_await tx.send(2);
      log.push_back("sent 2 at " + std::to_string(elapsed() / 1ms) + " ms");
    });
    co_await sleep(10ms);
    got.push_back(*co_await rx.recv());
    (void)co_await impatient;
    (void)co_await patient;
    got.push_back(*co_await rx.recv());
    CHECK(tx.capacity() == 1);
  });
  CHECK(log == Log{"reserve timed out at 5 ms", "sent 2 at 10 ms"});
  CHECK(got == std::vector<int>{0, 2});
}

TEST_CASE("a send cancelled after it was granted a slot hands the slot on to the next waiting sender",
          "[cancel-safety][mpsc]") {
  std::vector<int> got;
  std::optional<bool> first_cancelled;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    REQUIRE(tx.try_send(0));
    auto first = spawn([tx = tx]() -> Task<void> { (void)co_await tx.send(1); });
    auto second = spawn([tx = tx]() -> Task<void> {
      co_await sleep(1ms);
      (void)co_await tx.send(2);
    });
    co_await sleep(5ms);
    got.push_back(*co_await rx.recv());  // frees the slot: granted to `first`, which is woken...
    first.abort();                        // ...but cancelled before it runs
    first_cancelled = !(co_await first).has_value();
    (void)co_await second;
    got.push_back(*co_await rx.recv());
    CHECK(rx.try_recv().error() == mpsc::TryRecvError::empty());
    CHECK(tx.capacity() == 1);
  });
  CHECK(first_cancelled == true);
  CHECK(got == std::vector<int>{0, 2});
}

// mpsc futures borrow their handle's pointer and count a reference only once they wait
// (sync/detail/channel_state.hpp): a waiting recv, send or closed() must still find its channel after
// every Sender and Receiver is gone, answer as the end of the channel says, and unlink cleanly.
// (Under AddressSanitizer, a waiting future that did not keep the state would read freed memory.)
TEST_CASE("waiting mpsc futures keep their channel alive after every handle is dropped", "[cancel-safety][mpsc]") {
  bool all_waited = false;
  std::optional<int> received = 99;
  std::optional<int> send_gave_back;
  bool closed_completed = false;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    std::optional<mpsc::Sender<int>> empty_tx, full_tx;
    std::optional<mpsc::Receiver<int>> empty_rx, full_rx;
    {
      auto [tx, rx] = mpsc::channel<int>(1, "empty");
      empty_tx.emplace(std::move(tx));
      empty_rx.emplace(std::move(rx));
    }
    {
      auto [tx, rx] = mpsc::channel<int>(1, "full");
      full_tx.emplace(std::move(tx));
      full_rx.emplace(std::move(rx));
    }
    REQUIRE(full_tx->try_send(1));  // its only slot is taken
    auto recv = empty_rx->recv();
    auto send = full_tx->send(2);
    auto closed = full_tx->closed();
    auto poll_recv = poll_once(recv);
    auto poll_send = poll_once(send);
    auto poll_closed = poll_once(closed);
    const bool recv_ready = co_await poll_recv;
    const bool send_ready = co_await poll_send;
    const bool closed_ready = co_await poll_closed;
    all_waited = !recv_ready && !send_ready && !closed_ready;
    // Every handle of both channels goes; only the three waiting futures are left.
    empty_tx.reset();
    empty_rx.reset();
    full_tx.reset();
    full_rx.reset();
    received = co_await recv;  // no sender and nothing buffered: None
    auto sent = co_await send;  // the receiver is gone: the value comes back
    if (!sent) send_gave_back = sent.error().value;
    co_await closed;
    closed_completed = true;
  });
  CHECK(all_waited);
  CHECK(received == std::nullopt);
  CHECK(send_gave_back == 2);
  CHECK(closed_completed);
}

TEST_CASE("a broadcast recv cancelled mid-wait loses nothing: each value is received exactly once",
          "[cancel-safety][broadcast]") {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    std::vector<int> got;
    int cancelled = 0;
    auto rt = explored(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = broadcast::channel<int>(8);
      (void)spawn([tx = std::move(tx)]() -> Task<void> {
        for (int i = 0; i < 20; ++i) {
          co_await sleep(3ms);
          (void)tx.send(i);
        }
      });
      for (;;) {
        auto r = co_await select(rx.recv(), sleep(2ms));
        if (r.index() == 1) {
          ++cancelled;
          continue;
        }
        auto v = std::get<0>(std::move(r));
        if (!v) break;
        got.push_back(*v);
      }
    });
    CHECK(cancelled > 5);
    std::vector<int> expected(20);
    for (int i = 0; i < 20; ++i) expected[static_cast<std::size_t>(i)] = i;
    CHECK(got == expected);
  }
}

TEST_CASE("a watch changed() cancelled after the value arrived marks nothing seen", "[cancel-safety][watch]") {
  std::optional<bool> still_unseen;
  bool noticed = false;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = watch::channel<int>(0);
    auto waiter = spawn([&rx]() -> Task<void> { (void)co_await rx.changed(); });
    co_await sleep(1ms);  // the waiter is parked in changed()
    REQUIRE(tx.send(1));  // wakes it...
    waiter.abort();       // ...but it is cancelled before it runs
    (void)co_await waiter;
    still_unseen = *rx.has_changed();
    noticed = (co_await rx.changed()).has_value();  // and the value is still there to be noticed
  });
  CHECK(still_unseen == true);
  CHECK(noticed);
}

TEST_CASE("a oneshot receiver that loses a select is dropped, so the sender gets its value back",
          "[cancel-safety][oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<std::string> came_back;
  std::size_t select_index = 99;
  bool closed = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = oneshot::channel<std::string>();
    auto r = co_await select(std::move(rx), sleep(flavor.timer(5ms)));
    select_index = r.index();
    closed = tx.is_closed();
    auto sent = std::move(tx).send("too late");
    if (!sent) came_back = sent.error();
  });
  CHECK(select_index == 1);
  CHECK(closed);
  CHECK(came_back == "too late");
}
