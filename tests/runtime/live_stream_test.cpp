// Live mode's producer side (runtime/include/asynclab/trace/live_stream.hpp): a bounded lock-free
// stream from a running runtime to a viewer on another thread. What these tests prove: the stream
// never holds more than its capacity; when full it drops new events and counts them, so every event
// offered is either read once, in order, or counted; the runtime never waits for a viewer (a run with
// no viewer at all completes); and a viewer can name what it reads from the table entries.
// Built into concurrency_tests, which CI also runs under ThreadSanitizer.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/live_stream.hpp"

using namespace asynclab;
using trace::Event;
using trace::EventKind;
using trace::LiveStream;

namespace {

Event numbered(std::uint32_t n) { return Event{n, EventKind::mark, 0, 0, 0, n, 0}; }

Task<void> ping_pong(int rounds) {
  for (int i = 0; i < rounds; ++i) co_await yield_now();
}

Task<void> workers(int tasks, int rounds) {
  std::vector<JoinHandle<void>> handles;
  for (int i = 0; i < tasks; ++i) handles.push_back(spawn(ping_pong(rounds), "worker " + std::to_string(i)));
  for (auto& h : handles) {
    auto done = co_await h;
    (void)done;
  }
}

}  // namespace

TEST_CASE("a live stream holds at most its capacity and counts what it drops when no one reads",
          "[live]") {
  LiveStream live(1000);  // rounded up to 1024
  REQUIRE(live.capacity() == 1024);
  for (std::uint32_t n = 0; n < 10'000; ++n) {
    live.offer(numbered(n));
    REQUIRE(live.waiting() <= live.capacity());
  }
  CHECK(live.offered() == 10'000);
  CHECK(live.waiting() == 1024);
  CHECK(live.dropped() == 10'000 - 1024);
  // What was kept is the oldest: a full stream drops the new event, never one not yet read.
  std::vector<Event> out(4096);
  REQUIRE(live.pop(out) == 1024);
  for (std::uint32_t n = 0; n < 1024; ++n) REQUIRE(out[n].a == n);
  // Room again: the next events go through.
  CHECK(live.offer(numbered(77'777)));
  REQUIRE(live.pop(out) == 1);
  CHECK(out[0].a == 77'777);
}

TEST_CASE("with a viewer on another thread, every event is read once in order or counted as dropped",
          "[live]") {
  constexpr std::uint32_t total = 200'000;
  LiveStream live(256);
  std::atomic<bool> producer_done{false};
  std::vector<std::uint32_t> received;
  std::thread viewer([&] {
    std::vector<Event> batch(64);
    for (;;) {
      const bool done = producer_done.load(std::memory_order_acquire);
      const std::size_t n = live.pop(batch);
      for (std::size_t i = 0; i < n; ++i) received.push_back(batch[i].a);
      if (done && n == 0 && live.waiting() == 0) break;
    }
  });
  for (std::uint32_t n = 0; n < total; ++n) live.offer(numbered(n));
  producer_done.store(true, std::memory_order_release);
  viewer.join();

  CHECK(live.offered() == total);
  CHECK(received.size() + live.dropped() == total);
  bool in_order = true;
  for (std::size_t i = 1; i < received.size(); ++i) in_order = in_order && received[i - 1] < received[i];
  CHECK(in_order);
  CHECK_FALSE(received.empty());
  CHECK(received.front() == 0);  // the first events always fit
}

TEST_CASE("a real-time runtime streams every event live, in nanoseconds, with the names to read them",
          "[live]") {
  trace::Recorder recorder;
  LiveStream live(1 << 16);
  recorder.attach(&live);
  {
    auto rt = Runtime::builder().current_thread().trace(recorder).build();
    rt.block_on(workers(3, 5));
  }
  const auto& recorded = recorder.trace();
  REQUIRE(live.dropped() == 0);
  REQUIRE(live.offered() == recorded.size());

  std::map<std::uint32_t, std::string> strings;
  std::map<std::uint32_t, trace::SpawnSite> sites;
  live.pop_tables([&](trace::LiveTableEntry&& e) {
    if (e.table == trace::LiveTableEntry::Table::string) strings[e.id] = e.text;
    if (e.table == trace::LiveTableEntry::Table::site) sites[e.id] = e.site;
  });
  std::vector<Event> events(recorded.size() + 1);
  REQUIRE(live.pop(events) == recorded.size());

  std::vector<std::string> spawned;
  std::uint64_t last = 0;
  bool same = true, times_rise = true;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const Event r = recorded[i];
    const Event e = events[i];
    same = same && e.kind == r.kind && e.task == r.task && e.a == r.a && e.b == r.b && e.time_ns == r.time_ns;
    times_rise = times_rise && e.time_ns >= last;
    last = e.time_ns;
    if (e.kind == EventKind::task_spawned) spawned.push_back(strings[sites[e.b].name]);
  }
  CHECK(same);        // the live events are the recorded events, already in their final times
  CHECK(times_rise);
  CHECK(spawned == std::vector<std::string>{"main", "worker 0", "worker 1", "worker 2"});
}

TEST_CASE("a runtime with a full live stream and no viewer runs on: it drops, counts, never waits",
          "[live]") {
  trace::Recorder recorder;
  LiveStream live(16);
  recorder.attach(&live);
  {
    auto rt = Runtime::builder().current_thread().trace(recorder).build();
    rt.block_on(workers(4, 50));
  }
  const std::size_t recorded = recorder.trace().size();
  REQUIRE(recorded > 400);  // 4 tasks x 50 rounds: hundreds of events through a 16-event stream
  CHECK(live.waiting() == 16);
  CHECK(live.dropped() == recorded - 16);
  CHECK(recorder.trace().size() == recorded);  // the recorded trace itself is whole
}
