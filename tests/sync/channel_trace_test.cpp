// What the channels record (trace/event.hpp: resource_created, channel_send, channel_recv,
// channel_closed) and what the deadlock report says of a task stuck on one.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;
namespace mpsc = asynclab::sync::mpsc;
namespace oneshot = asynclab::sync::oneshot;
namespace broadcast = asynclab::sync::broadcast;
namespace watch = asynclab::sync::watch;

namespace {

// The channel events of one resource as readable lines: "send 2 full", "recv 0 empty", "closed senders_dropped".
std::vector<std::string> channel_events(const TraceQuery& q, std::uint32_t id) {
  static const char* send_names[] = {"sent", "full", "closed"};
  static const char* recv_names[] = {"received", "empty", "closed", "lagged"};
  static const char* close_names[] = {"receiver_closed", "senders_dropped", "receiver_dropped"};
  std::vector<std::string> out;
  for (const auto& e : q.events_if([&](const trace::Event& ev) { return ev.a == id; })) {
    switch (e.kind) {
      case EventKind::channel_send: out.push_back("send " + std::to_string(e.b) + " " + send_names[e.flags]); break;
      case EventKind::channel_recv: out.push_back("recv " + std::to_string(e.b) + " " + recv_names[e.flags]); break;
      case EventKind::channel_closed: out.push_back(std::string("closed ") + close_names[e.flags]); break;
      default: break;
    }
  }
  return out;
}

Task<void> wait_for_go(mpsc::Sender<int> tx, oneshot::Receiver<int> go) {
  (void)co_await go;  // never answered
  (void)co_await tx.send(1);
}

Task<void> send_one(mpsc::Sender<int> tx) { (void)co_await tx.send(1); }

}  // namespace

TEST_CASE("an mpsc channel records its capacity, each send and recv with the values buffered after it, and its end",
          "[mpsc][trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(2, "jobs");
      REQUIRE(tx.try_send(1));
      REQUIRE(tx.try_send(2));
      REQUIRE_FALSE(tx.try_send(3));
      auto waiter = spawn(send_one(tx));  // its send finds the channel full and waits
      co_await sleep(1ms);
      (void)co_await rx.recv();  // the freed slot goes to the waiter
      (void)co_await rx.recv();
      (void)co_await rx.recv();  // empty until the waiter runs and sends
      (void)co_await waiter;
      { auto gone = std::move(tx); }
      auto end = co_await rx.recv();
      CHECK_FALSE(end);
    });
  }
  TraceQuery q(rec.trace());
  const auto id = q.resource_named("jobs");
  REQUIRE(id != 0);
  auto created = q.first([&](const trace::Event& e) { return e.kind == EventKind::resource_created && e.a == id; });
  CHECK(created->flags == static_cast<std::uint16_t>(trace::ResourceKind::mpsc));
  auto limits = q.first([&](const trace::Event& e) { return e.kind == EventKind::resource_limits && e.a == id; });
  REQUIRE(limits);
  CHECK(limits->b == 2);
  CHECK(channel_events(q, id) == std::vector<std::string>{
                                     "send 1 sent", "send 2 sent", "send 2 full",  // try_send(3)
                                     "send 2 full",                                 // the waiter starts waiting
                                     "recv 1 received", "recv 0 received", "recv 0 empty",
                                     "send 1 sent",  // the waiter uses its granted slot
                                     "recv 0 received", "closed senders_dropped", "recv 0 closed",
                                     "closed receiver_dropped"});
  CHECK(q.count_if([&](const trace::Event& e) { return e.kind == EventKind::resource_dropped && e.a == id; }) == 1);
}

TEST_CASE("an unbounded channel is recorded with limit 0", "[mpsc][trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<int>("log lines");
      REQUIRE(tx.send(1));
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  const auto id = q.resource_named("log lines");
  REQUIRE(id != 0);
  auto created = q.first([&](const trace::Event& e) { return e.kind == EventKind::resource_created && e.a == id; });
  CHECK(created->flags == static_cast<std::uint16_t>(trace::ResourceKind::unbounded_mpsc));
  auto limits = q.first([&](const trace::Event& e) { return e.kind == EventKind::resource_limits && e.a == id; });
  CHECK(limits->b == 0);
  CHECK(channel_events(q, id) ==
        std::vector<std::string>{"send 1 sent", "closed receiver_dropped", "closed senders_dropped"});
}

TEST_CASE("a broadcast receiver that lags records the number of values it skipped", "[broadcast][trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = broadcast::channel<int>(2, "ticks");
      for (int i = 0; i < 5; ++i) REQUIRE(tx.send(i));
      auto lagged = co_await rx.recv();
      auto oldest = co_await rx.recv();
      CHECK(lagged.error() == broadcast::RecvError::lagged(3));
      CHECK(oldest == 3);
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  const auto id = q.resource_named("ticks");
  CHECK(channel_events(q, id) == std::vector<std::string>{"send 1 sent", "send 2 sent", "send 2 sent", "send 2 sent",
                                                          "send 2 sent", "recv 3 lagged", "recv 1 received",
                                                          "closed receiver_dropped", "closed senders_dropped"});
}

TEST_CASE("oneshot and watch channels record their sends, receives and ends", "[oneshot][watch][trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [otx, orx] = oneshot::channel<int>("reply");
      auto [wtx, wrx] = watch::channel<int>(0, "setting");
      auto replier = spawn([otx = std::move(otx)]() mutable -> Task<void> {
        co_await sleep(1ms);
        (void)std::move(otx).send(5);
      });
      (void)co_await orx;
      (void)co_await replier;
      auto [dead_tx, dead_rx] = oneshot::channel<int>("abandoned");
      { auto gone = std::move(dead_tx); }
      REQUIRE(wtx.send(1));
      (void)co_await wrx.changed();
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  CHECK(channel_events(q, q.resource_named("reply")) == std::vector<std::string>{"recv 0 empty", "send 1 sent", "recv 0 received"});
  CHECK(channel_events(q, q.resource_named("abandoned")) ==
        std::vector<std::string>{"closed senders_dropped", "closed receiver_dropped"});
  CHECK(channel_events(q, q.resource_named("setting")) ==
        std::vector<std::string>{"send 1 sent", "recv 0 received", "closed receiver_dropped", "closed senders_dropped"});
}

TEST_CASE("a receiver whose every sender is held by a stuck task is reported as waiting on the channel", "[mpsc][stuck]") {
  std::optional<StuckError> error;
  auto rt = virtual_runtime();
  try {
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(1, "jobs");
      auto [go_tx, go_rx] = oneshot::channel<int>("go");
      (void)spawn(wait_for_go(std::move(tx), std::move(go_rx)), "producer");
      (void)co_await rx.recv();  // the only sender is in the producer, which waits for a "go" never given
      (void)std::move(go_tx).send(1);
    });
  } catch (const StuckError& e) {
    error.emplace(e);
  }
  REQUIRE(error);
  const auto& report = error->report();
  REQUIRE(report.tasks.size() == 2);
  CHECK(report.tasks[0].name == "main");
  CHECK(report.tasks[0].waits_on == "mpsc channel \"jobs\"");
  CHECK(report.tasks[0].resource_state == "buffer 0/1, 1 sender alive, receiver waiting");
  CHECK(report.tasks[1].name == "producer");
  CHECK(report.tasks[1].waits_on == "oneshot channel \"go\"");
  CHECK(report.lost_wakers() == 0);
  CHECK_THAT(std::string(error->what()), Catch::Contains("waits on mpsc channel \"jobs\""));
}

TEST_CASE("a sender stuck on a full channel is reported with the buffer, the senders and the waiters", "[mpsc][stuck]") {
  std::optional<StuckError> error;
  auto rt = virtual_runtime();
  try {
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<int>(1, "jobs");
      auto [never_tx, never_rx] = oneshot::channel<int>("never");
      REQUIRE(tx.try_send(0));
      (void)spawn(send_one(tx), "blocked sender");
      (void)co_await never_rx;  // main keeps the receiver and never reads
    });
  } catch (const StuckError& e) {
    error.emplace(e);
  }
  REQUIRE(error);
  const auto& report = error->report();
  REQUIRE(report.tasks.size() == 2);
  CHECK(report.tasks[1].name == "blocked sender");
  CHECK(report.tasks[1].waits_on == "mpsc channel \"jobs\"");
  CHECK(report.tasks[1].resource_state == "buffer 1/1 full, 2 senders alive, 1 sender waiting");
}

TEST_CASE("a send that wakes a waiting receiver is recorded as a channel wake caused by the sender", "[mpsc][trace]") {
  trace::Recorder rec;
  auto rt = Runtime::builder().current_thread().virtual_time().trace(rec).build();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1, "jobs");
    auto consumer = spawn(
        [rx = std::move(rx)]() mutable -> Task<void> {
          auto v = co_await rx.recv();
          (void)v;
        },
        "consumer");
    co_await yield_now();  // the consumer runs and waits on the empty channel
    auto sent = co_await tx.send(7);
    (void)sent;
    auto done = co_await consumer;
    (void)done;
  });
  TraceQuery q(rec.trace());
  const std::uint32_t consumer = q.task_named("consumer");
  const std::uint32_t main = q.task_named("main");
  auto channel_wakes = q.events_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::wake && e.task == consumer &&
           (e.flags & trace::wake_flag::source_mask) == static_cast<std::uint16_t>(trace::WakeSource::channel);
  });
  REQUIRE(channel_wakes.size() == 1);
  CHECK(channel_wakes[0].a == main);
}
