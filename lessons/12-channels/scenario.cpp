// Lesson 12 — channels: mpsc, oneshot, broadcast, watch.
//
// One run, four short acts, each the seed's table row brought to life:
//   1. mpsc      the seed's own example: producers (and main) send, main receives until every
//                sender is gone. Off `drop_sender`, main keeps its sender and waits for ever.
//   2. oneshot   one question, one answer: a worker replies exactly once.
//   3. broadcast a publisher and two subscribers; the slow one falls behind and is told it lagged.
//   4. watch     a config that changes faster than its watcher looks: it only sees the latest.
// Every channel is created with a name, so the Resources window and the directives can point at it.
#include <string>
#include <string_view>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;
namespace mpsc = sync::mpsc;
namespace oneshot = sync::oneshot;
namespace broadcast = sync::broadcast;
namespace watch = sync::watch;

// --- act 1: mpsc --------------------------------------------------------------------------------

// The seed's `tokio::spawn(async move { tx2.send(...).await.unwrap(); })`, sending a few messages.
// `tx` is this task's own clone of the sender: when the task ends, the clone is dropped with it.
Task<void> producer(mpsc::Sender<std::string> tx, int id, int messages) {
  for (int k = 1; k <= messages; ++k) {
    std::string msg = fmt::format("message {} from producer {}", k, id);
    auto sent = co_await tx.send(msg);
    if (!sent) co_return;  // the receiver is gone: nobody to talk to (Rust's unwrap would panic)
    say("sent: {}", msg);
  }
}

// Names from string literals, one per producer the slider allows. (Not fmt::format temporaries:
// the runtime recognises the name it recorded last by the address of its characters, and a
// temporary reusing the same buffer would give every producer the first one's name.)
constexpr std::string_view producer_names[] = {"producer 1", "producer 2", "producer 3", "producer 4"};

Task<void> mpsc_act(int producers, int messages, bool drop_sender) {
  // let (tx, mut rx) = mpsc::channel::<String>(100);
  auto [tx, rx] = mpsc::channel<std::string>(100, "messages");
  for (int id = 1; id <= producers; ++id) {
    // Passing `tx` by value copies it: that is tx.clone(), and the channel counts one sender more.
    (void)spawn(producer(tx, id, messages), producer_names[id - 1]);  // detached, as the seed's
  }
  // Send from main.
  auto sent = co_await tx.send("hello from main");
  if (sent) say("sent: hello from main");
  if (drop_sender) {
    // drop(tx): moving it into a scope that ends destroys it. main holds no sender any more.
    { auto gone = std::move(tx); }
    mark("main dropped its sender");
  }
  // while let Some(msg) = rx.recv().await { ... }: None (std::nullopt) comes once the buffer is
  // empty AND no sender is left. If main still holds `tx`, that never happens: main waits on itself.
  while (auto msg = co_await rx.recv()) say("received: {}", *msg);
  mark("mpsc: recv gave None");
}

// --- act 2: oneshot -----------------------------------------------------------------------------

// Answers one question, once. send() consumes the sender: there is no second answer.
Task<void> answer(oneshot::Sender<int> reply, int question) {
  co_await sleep(20ms);  // thinking about it
  (void)std::move(reply).send(question * 2);
}

Task<void> oneshot_act() {
  auto [reply_tx, reply_rx] = oneshot::channel<int>("answer");
  (void)spawn(answer(std::move(reply_tx), 21), "worker");
  auto got = co_await reply_rx;  // the Receiver itself is the future: rx.await
  if (got) {
    say("oneshot: the worker answered {}", *got);
  } else {
    say("oneshot: the worker dropped its sender without answering");
  }
}

// --- act 3: broadcast ---------------------------------------------------------------------------

// A subscriber that takes `pace` over each value. Falling more than the capacity behind costs it
// the oldest values: recv then answers Lagged(n) once and carries on from the oldest value kept.
Task<void> subscriber(broadcast::Receiver<int> rx, std::string who, Duration pace) {
  for (;;) {
    auto got = co_await rx.recv();
    if (got) {
      say("{} got news {}", who, *got);
      co_await sleep(pace);
    } else if (got.error().is_lagged()) {
      say("{} lagged: {} news overwritten before it read them", who, got.error().skipped());
    } else {
      break;  // closed: every sender is gone and everything kept has been read
    }
  }
}

Task<void> broadcast_act(int capacity, Duration slow_pace, int news) {
  auto [tx, fast_rx] = broadcast::channel<int>(static_cast<std::size_t>(capacity), "news");
  auto slow_rx = tx.subscribe();
  auto fast = spawn(subscriber(std::move(fast_rx), "fast reader", 0ms), "fast reader");
  auto slow = spawn(subscriber(std::move(slow_rx), "slow reader", slow_pace), "slow reader");
  for (int n = 1; n <= news; ++n) {
    co_await sleep(10ms);
    (void)tx.send(n);  // never waits: a slow subscriber cannot hold the publisher back
  }
  { auto gone = std::move(tx); }  // the last sender: subscribers see closed once they catch up
  (void)co_await fast;
  (void)co_await slow;
  mark("broadcast: both readers done");
}

// --- act 4: watch -------------------------------------------------------------------------------

// Looks at the config whenever it changed, then is busy for `busy`. Changes made meanwhile are not
// queued: the next look sees only the newest value.
Task<void> watcher(watch::Receiver<int> rx, Duration busy) {
  while (co_await rx.changed()) {
    int version = *rx.borrow_and_update();
    say("config watcher sees version {}", version);
    co_await sleep(busy);
  }
}

Task<void> watch_act(Duration busy, int versions) {
  auto [tx, rx] = watch::channel<int>(1, "config");
  auto w = spawn(watcher(std::move(rx), busy), "config watcher");
  for (int v = 2; v <= versions; ++v) {
    co_await sleep(10ms);
    (void)tx.send(v);
    say("config is now version {}", v);
  }
  { auto gone = std::move(tx); }
  (void)co_await w;
  mark("watch: watcher done");
}

struct Acts {
  int producers = 2;
  int messages = 3;
  bool drop_sender = true;
  int news_capacity = 2;
  Duration slow_pace{};
  Duration watcher_busy{};
};

Task<void> four_channels(Acts acts) {
  co_await mpsc_act(acts.producers, acts.messages, acts.drop_sender);
  co_await oneshot_act();
  co_await broadcast_act(acts.news_capacity, acts.slow_pace, 6);
  co_await watch_act(acts.watcher_busy, 6);
}

}  // namespace

void scenario_12_channels(ScenarioRun& run) {
  const auto& p = run.params();
  Acts acts;
  acts.producers = static_cast<int>(p.integer("producers"));
  acts.messages = static_cast<int>(p.integer("messages"));
  acts.drop_sender = p.flag("drop_sender");
  acts.news_capacity = static_cast<int>(p.integer("news_capacity"));
  acts.slow_pace = p.millis("slow_reader_ms");
  acts.watcher_busy = p.millis("watcher_busy_ms");
  run.block_on(four_channels(acts));
}

}  // namespace asynclab::lessons
