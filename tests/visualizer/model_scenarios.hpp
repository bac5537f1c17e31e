#pragma once
// Recorded runs the visualizer's model tests read: small programs on the virtual-time runtime that
// exercise every part of the model (tasks, wakes, timers, channels, locks, select, blocking lanes).
//
// Rules:
// * Each function runs its program to the end and returns the trace; the same seed gives the same
//   trace, so tests can name virtual times exactly.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"

namespace asynclab::testing {

// "main" spawns:
//  * "fetch a" (sleeps 30 ms) and "fetch b" (sleeps 10 ms), joined at the end;
//  * "producer" sending 4 values into an mpsc of capacity 1 named "jobs", and "consumer" draining it
//    with a 5 ms pause per value, so the producer waits on a full buffer;
//  * "worker 1" and "worker 2" taking the mutex "shared" in turn, each holding it across a 2 ms sleep;
//  * "racer": a select between a 50 ms sleep and a 20 ms sleep — the 50 ms branch is dropped;
//  * "blocking": a spawn_blocking job of 15 ms on a blocking lane.
// and marks "all spawned" once it has spawned them.
inline trace::Trace showcase_trace(std::uint64_t seed = 0) {
  using namespace std::chrono_literals;
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec, seed);
    rt.block_on([]() -> Task<void> {
      auto fetch = [](std::chrono::milliseconds d) -> Task<int> {
        co_await sleep(d);
        co_return static_cast<int>(d.count());
      };
      auto a = spawn(fetch(30ms), "fetch a");
      auto b = spawn(fetch(10ms), "fetch b");

      auto [tx, rx] = sync::mpsc::channel<int>(1, "jobs");
      auto producer = spawn(
          [](sync::mpsc::Sender<int> out) -> Task<void> {
            for (int i = 0; i < 4; ++i) (void)co_await out.send(i);
          }(std::move(tx)),
          "producer");
      auto consumer = spawn(
          [](sync::mpsc::Receiver<int> in) -> Task<int> {
            int sum = 0;
            while (auto v = co_await in.recv()) {
              sum += *v;
              co_await sleep(5ms);
            }
            co_return sum;
          }(std::move(rx)),
          "consumer");

      auto shared = std::make_shared<sync::Mutex<int>>(0, "shared");
      auto worker = [](std::shared_ptr<sync::Mutex<int>> m) -> Task<void> {
        auto guard = co_await m->lock();
        co_await sleep(2ms);
        *guard += 1;
      };
      auto w1 = spawn(worker(shared), "worker 1");
      auto w2 = spawn(worker(shared), "worker 2");

      auto racer = spawn(
          []() -> Task<int> {
            auto won = co_await select(sleep(50ms), sleep(20ms));
            co_return static_cast<int>(won.index());
          }(),
          "racer");
      auto blocking = spawn_blocking([] { sim::block_for(15ms); }, "blocking");
      mark("all spawned");

      (void)co_await a;
      (void)co_await b;
      (void)co_await producer;
      (void)co_await consumer;
      (void)co_await w1;
      (void)co_await w2;
      (void)co_await racer;
      (void)co_await blocking;
    }());
  }
  return rec.take();
}

// What the channels hold, value by value (channel_value events), all in "main":
//  * mpsc<std::string> "orders" of capacity 2: try_send "order 1", "order 2"; recv; try_send
//    "order 3"; recv twice;
//  * unbounded mpsc<Opaque> "opaque" (a type with no label): one send;
//  * watch<int> "setting" from 0: send 1, send 2;
//  * broadcast<int> "ticks" of capacity 2: send 1, 2, 3;
//  * oneshot<std::string> "reply": send "done", then receive it.
struct Opaque {
  int value;
};
inline trace::Trace channel_values_trace() {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      auto [tx, rx] = sync::mpsc::channel<std::string>(2, "orders");
      (void)tx.try_send("order 1");
      (void)tx.try_send("order 2");
      (void)co_await rx.recv();
      (void)tx.try_send("order 3");
      (void)co_await rx.recv();
      (void)co_await rx.recv();
      auto [otx, orx] = sync::mpsc::unbounded_channel<Opaque>("opaque");
      (void)otx.send(Opaque{1});
      auto [wtx, wrx] = sync::watch::channel<int>(0, "setting");
      (void)wtx.send(1);
      (void)wtx.send(2);
      auto [btx, brx] = sync::broadcast::channel<int>(2, "ticks");
      for (int i = 1; i <= 3; ++i) (void)btx.send(i);
      auto [reply_tx, reply_rx] = sync::oneshot::channel<std::string>("reply");
      (void)std::move(reply_tx).send("done");
      (void)co_await reply_rx;
    }());
  }
  return rec.take();
}

// Five spawns recorded with ids 1, 2, 5, 3, 4: on worker threads each worker stamps its own events,
// so a spawn on one worker may sort before an earlier id's on another.
inline trace::Trace spawns_out_of_id_order_trace() {
  const auto event = [](trace::EventKind kind, std::uint32_t task, std::uint32_t parent = 0) {
    return trace::Event{0, kind, 0, 0, task, parent, 0};
  };
  trace::Trace t;
  t.add_site(trace::SpawnSite{});
  t.push(event(trace::EventKind::runtime_started, 0));
  t.push(event(trace::EventKind::task_spawned, 1));
  for (std::uint32_t id : {2u, 5u, 3u, 4u}) t.push(event(trace::EventKind::task_spawned, id, 1));
  return t;
}

}  // namespace asynclab::testing
