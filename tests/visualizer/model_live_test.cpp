// model/live_feed.hpp: live mode's viewer side. A fake producer pushes into a LiveStream and the
// feed turns what arrives into a trace: drops and the cap are counted exactly, tables come before
// the events that use them, stamps never go back, re-indexing is paced; and a real runtime on
// worker threads feeds a Session that grows while it runs. No test sleeps: the threaded one spins
// on the feed until the runtime says it has finished.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "model/live_feed.hpp"
#include "model/session.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using trace::Event;
using trace::EventKind;
using trace::LiveTableEntry;

namespace {

Event numbered(std::uint32_t n, std::uint64_t time_ns = 0) {
  return Event{time_ns == 0 ? n : time_ns, EventKind::mark, 0, 0, 0, n, 0};
}

LiveFeedLimits small(std::size_t stream_capacity, std::size_t max_events = 2'000'000) {
  LiveFeedLimits limits;
  limits.stream_capacity = stream_capacity;
  limits.table_capacity = 16;
  limits.max_events = max_events;
  return limits;
}

Task<void> chatter(int rounds) {
  for (int i = 0; i < rounds; ++i) co_await yield_now();
}

Task<void> team(int members, int rounds) {
  std::vector<JoinHandle<void>> handles;
  for (int i = 0; i < members; ++i) handles.push_back(spawn(chatter(rounds), "member " + std::to_string(i)));
  for (auto& h : handles) {
    auto done = co_await h;
    (void)done;
  }
}

}  // namespace

TEST_CASE("a live feed that falls behind keeps the first events in order and counts the rest as dropped",
          "[vis][live]") {
  constexpr std::uint32_t offered = 1000;
  LiveFeed feed(small(64));
  for (std::uint32_t n = 0; n < offered; ++n) feed.stream().offer(numbered(n));
  trace::Trace t;
  CHECK(feed.drain_into(t) == 64);
  CHECK(feed.dropped() == offered - 64);
  CHECK(feed.received() == 64);
  REQUIRE(t.size() == 64);
  for (std::uint32_t n = 0; n < 64; ++n) REQUIRE(t[n].a == n);
  // Read, the stream has room again: later events go through, after the ones already kept.
  feed.stream().offer(numbered(5000));
  CHECK(feed.drain_into(t) == 1);
  CHECK(t[64].a == 5000);
  CHECK(feed.dropped() == offered - 64);
}

TEST_CASE("a live feed reads table entries before events, so a task is named as soon as it is spawned",
          "[vis][live]") {
  LiveFeed feed(small(64));
  trace::LiveStream& s = feed.stream();
  s.offer_table_entry({LiveTableEntry::Table::string, 1, "fetch", {}, {}});
  s.offer_table_entry({LiveTableEntry::Table::site, 1, {}, {}, trace::SpawnSite{1, 0}});
  s.offer(Event{5, EventKind::task_spawned, 0, 0, 7, 0, 1});
  trace::Trace t;
  REQUIRE(feed.drain_into(t) == 1);
  CHECK(t.task_name(7) == "fetch");
  // A string entry the stream lost leaves a placeholder, so later ids still line up.
  s.offer_table_entry({LiveTableEntry::Table::string, 3, "after the gap", {}, {}});
  feed.drain_into(t);
  REQUIRE(t.strings().size() == 4);
  CHECK(t.string(2) == "#2");
  CHECK(t.string(3) == "after the gap");
}

TEST_CASE("a live trace stops growing at its cap and counts what it skipped", "[vis][live]") {
  LiveFeed feed(small(1024, 100));
  for (std::uint32_t n = 0; n < 250; ++n) feed.stream().offer(numbered(n));
  trace::Trace t;
  CHECK(feed.drain_into(t) == 100);
  CHECK(t.size() == 100);
  CHECK(feed.received() == 250);
  CHECK(feed.skipped() == 150);
  CHECK(feed.capped());
  CHECK(feed.dropped() == 0);  // the stream itself kept up: the cap is the feed's own choice
  CHECK(t[99].a == 99);
}

TEST_CASE("a live feed never lets a stamp go back in time", "[vis][live]") {
  LiveFeed feed(small(64));
  for (std::uint64_t time : {10, 30, 25, 40}) feed.stream().offer(numbered(0, time));
  trace::Trace t;
  REQUIRE(feed.drain_into(t) == 4);
  CHECK(t[1].time_ns == 30);
  CHECK(t[2].time_ns == 30);
  CHECK(t[3].time_ns == 40);
}

TEST_CASE("a live feed re-indexes at most a few times a second, and at once when the runtime finishes",
          "[vis][live]") {
  LiveFeed feed(small(64));
  CHECK_FALSE(feed.reindex_due(0.0));  // nothing to show
  feed.stream().offer(numbered(1));
  feed.poll();
  CHECK(feed.reindex_due(0.0));  // the first events show at once
  trace::Trace t;
  feed.flush_into(t);
  feed.reindexed(0.0, 0.001);
  feed.stream().offer(numbered(2));
  feed.poll();
  CHECK_FALSE(feed.reindex_due(0.1));
  CHECK(feed.reindex_due(0.25));
  // A slow indexing (0.1 s) spaces the next ones out: at most a tenth of the time goes to indexing.
  feed.flush_into(t);
  feed.reindexed(0.25, 0.1);
  feed.stream().offer(numbered(3));
  feed.poll();
  CHECK_FALSE(feed.reindex_due(0.9));
  CHECK(feed.reindex_due(1.25));
  CHECK_FALSE(feed.complete());
  feed.mark_finished();
  CHECK(feed.runtime_finished());
  CHECK(feed.reindex_due(0.3));  // the last events are due at once
  feed.flush_into(t);
  CHECK(feed.complete());
  CHECK(t.size() == 3);
}

TEST_CASE("a runtime on two worker threads feeds a session that grows into the whole run", "[vis][live]") {
  LiveFeed feed;  // room for far more events than this run makes: nothing is dropped
  trace::Recorder recorder;
  recorder.attach(&feed.stream());
  std::thread runtime_thread([&] {
    {
      auto rt = Runtime::builder().multi_thread(2).trace(recorder).build();
      rt.block_on(team(4, 20));
    }
    feed.mark_finished();
  });
  Session session(trace::Trace{}, "live");
  std::size_t grown = 0;
  while (!feed.complete()) {
    feed.poll();
    grown += session.grow([&](trace::Trace& t) { feed.flush_into(t); });
    if (feed.pending() == 0) std::this_thread::yield();
  }
  runtime_thread.join();

  CHECK(feed.dropped() == 0);
  CHECK(feed.tables_dropped() == 0);
  CHECK(grown == recorder.trace().size());
  CHECK(session.trace().size() == recorder.trace().size());
  CHECK(feed.received() == recorder.trace().size());
  CHECK(session.index().run().workers == 2);
  std::size_t members = 0;
  for (const TaskInfo& task : session.index().tasks()) {
    if (task.name.starts_with("member ")) {
      ++members;
      CHECK(task.done());
    }
  }
  CHECK(members == 4);
  bool times_rise = true;
  for (std::size_t i = 1; i < session.trace().size(); ++i)
    times_rise = times_rise && session.trace()[i - 1].time_ns <= session.trace()[i].time_ns;
  CHECK(times_rise);
}

TEST_CASE("growing a session keeps its cursor where the learner left it", "[vis][live]") {
  LiveFeed feed(small(64));
  Session session(trace::Trace{}, "live");
  for (std::uint32_t n = 1; n <= 10; ++n) feed.stream().offer(numbered(n));
  feed.poll();
  session.grow([&](trace::Trace& t) { feed.flush_into(t); });
  session.playback().seek(4);
  for (std::uint32_t n = 11; n <= 20; ++n) feed.stream().offer(numbered(n));
  feed.poll();
  CHECK(session.grow([&](trace::Trace& t) { feed.flush_into(t); }) == 10);
  CHECK(session.trace().size() == 20);
  CHECK(session.playback().cursor() == 4);
  CHECK(session.state().cursor == 4);
}
