// Lesson 10 — select! and cancellation.
//
// Three scenes, one after another in main (and a fourth, alone, when `part` = patterns):
// 1. A race: the same file from two mirrors. select takes the first answer and drops the other
//    request on the spot, mid-flight; its destructors run before main uses the winner's value.
// 2. Cancel safety: a consumer loop selects between "the next message" and a heartbeat tick. When
//    the tick wins, the message branch is dropped. With `cancel_safe` off that branch has already
//    taken a message out of the channel and is decoding it, so the message is lost (seed A's
//    "misusing select!"); on, the branch is `recv()` alone, which loses nothing when dropped.
// 3. Seed B's cancellation example: a spawned task raced against a timeout and aborted. Losing the
//    race does not stop a task (select only drops its borrow of the handle); abort() does.
// 4. (part = patterns, the last step) Patterns and else: two feeds read with `Some(v) = rx.recv()` branches until both have closed. A
//    closed feed's None disables its branch (the visualizer draws ∅) and the other races on alone.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;

constexpr int messages = 8;
constexpr Duration message_every = 40ms;
constexpr Duration decode_time = 25ms;

// --- 1. the race ---------------------------------------------------------------------------------

// A download that says so when it is dropped before it finished: the "partially-acquired
// resource" of seed C's gotcha (here: an open connection) is released by a destructor.
Task<std::size_t> download(std::string mirror, std::string url) {
  struct Connection {
    std::string mirror;
    bool finished = false;
    ~Connection() {
      if (finished) return;
      say("{}: dropped mid-flight; its connection is closed by the destructor", mirror);
      mark("loser dropped");
    }
  } connection{mirror};
  auto response = co_await sim::http::get(url);
  connection.finished = true;
  co_return response ? response->body.size() : 0;
}

Task<void> race_mirrors() {
  auto raced = co_await select(download("mirror a", "https://a.mirror.example/big.iso"),
                               download("mirror b", "https://b.mirror.example/big.iso"));
  // By now the loser is gone: select dropped it before handing us the winner's value.
  say("mirror {} won with {} bytes", raced.index() == 0 ? "a" : "b",
      raced.index() == 0 ? std::get<0>(raced) : std::get<1>(raced));
  mark("winner used");
}

// --- 2. cancel safety ----------------------------------------------------------------------------

Task<void> decode(int message) {
  co_await sleep(decode_time);  // parsing, checking, ...: it takes a while
  say("message {} decoded", message);
}

// NOT cancel-safe: once recv() has taken the message out of the channel, it lives only in this
// future's frame until decode is done. Dropped in between, the message goes with it.
Task<std::optional<int>> next_decoded(sync::mpsc::Receiver<int>& rx) {
  auto message = co_await rx.recv();
  if (!message) co_return std::nullopt;
  struct Holding {
    int message;
    bool done = false;
    ~Holding() {
      if (done) return;
      say("message {} was out of the channel and half decoded when select dropped it: lost",
          message);
      mark("message lost");
    }
  } holding{*message};
  co_await decode(*message);
  holding.done = true;
  co_return message;
}

Task<void> produce(sync::mpsc::Sender<int> tx) {
  for (int k = 1; k <= messages; ++k) {
    co_await sleep(message_every);
    (void)co_await tx.send(k);
  }
}  // tx is dropped here: the channel closes once it is drained

Task<void> consume(bool cancel_safe, Duration heartbeat_every) {
  auto [tx, rx] = sync::mpsc::channel<int>(16, "messages");
  auto producer = spawn(produce(std::move(tx)), "producer");
  auto heartbeat = interval(heartbeat_every);
  co_await heartbeat.tick();  // the first tick completes at once
  std::vector<int> handled;
  while (true) {
    if (cancel_safe) {
      // recv() alone is cancel-safe: dropped, it has taken nothing. Decoding happens in the arm,
      // after select has finished racing, where nothing can drop it halfway.
      auto next = co_await select(rx.recv(), heartbeat.tick());
      if (next.index() == 1) {
        say("heartbeat");
        continue;
      }
      auto message = std::get<0>(next);
      if (!message) break;
      co_await decode(*message);
      handled.push_back(*message);
    } else {
      auto next = co_await select(next_decoded(rx), heartbeat.tick());
      if (next.index() == 1) {
        say("heartbeat");
        continue;
      }
      auto message = std::get<0>(next);
      if (!message) break;
      handled.push_back(*message);
    }
  }
  (void)co_await producer;
  say("handled {} of {} messages", handled.size(), messages);
  mark("consumer done");
}

// --- 3. aborting a task --------------------------------------------------------------------------

Task<void> my_task() {
  co_await sleep(10s);  // simulate a long-running operation
  say("Task completed");
}

Task<void> abort_on_timeout() {
  auto task = spawn(my_task(), "my_task");
  co_await sleep(2s);
  // borrow(task) is `&mut task`: losing the race drops only the borrow; the task keeps running.
  auto raced = co_await select(borrow(task), sleep(1s));
  if (raced.index() == 0) {
    say("Task completed successfully.");
  } else {
    say("Timeout reached, cancelling task.");
    task.abort();
    mark("timeout reached");
  }
  auto outcome = co_await task;
  if (outcome) {
    say("my_task finished");
  } else {
    say("awaiting the aborted task gives an error: {}", outcome.error().to_string());
  }
}

// --- 4. patterns and else -----------------------------------------------------------------------

Task<void> feed(sync::mpsc::Sender<int> tx, std::vector<int> values, Duration every) {
  for (int v : values) {
    co_await sleep(every);
    (void)co_await tx.send(v);
  }
}  // tx is dropped here: its channel closes

// tokio's `Some(v) = rx.recv()` branches with `else => break`: a closed channel's None does not win,
// it disables its branch and the select races on with the other; once both have closed, else.
Task<void> read_two_feeds() {
  auto [news_tx, news] = sync::mpsc::channel<int>(4, "news");
  auto [sport_tx, sport] = sync::mpsc::channel<int>(4, "sport");
  (void)spawn(feed(std::move(news_tx), {1, 2}, 30ms), "news feed");
  (void)spawn(feed(std::move(sport_tx), {10, 20, 30, 40}, 25ms), "sport feed");
  for (;;) {
    auto next = co_await select(some(news.recv()), some(sport.recv()), otherwise);
    if (next.index() == 0) say("news {}", std::get<0>(next));
    if (next.index() == 1) say("sport {}", std::get<1>(next));
    if (next.index() == 2) {
      say("else: both feeds have closed");
      mark("both closed");
      break;
    }
  }
}

Task<void> three_scenes(bool cancel_safe, Duration heartbeat_every) {
  co_await race_mirrors();
  co_await consume(cancel_safe, heartbeat_every);
  co_await abort_on_timeout();
}

}  // namespace

void scenario_10_select(ScenarioRun& run) {
  const auto& p = run.params();
  if (p.choice("part") == "patterns") {
    run.block_on(read_two_feeds());
    return;
  }
  sim::Network net;
  net.host("a.mirror.example").latency(p.millis("latency_a")).body_size(4096);
  net.host("b.mirror.example").latency(p.millis("latency_b")).body_size(4096);
  run.block_on(run.builder().network(net),
               three_scenes(p.flag("cancel_safe"), p.millis("heartbeat")));
}

}  // namespace asynclab::lessons
