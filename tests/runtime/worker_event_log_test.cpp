// WorkerEventLog: a worker's trace events in fixed blocks, read back once in order, each block given
// to the Trace as it is read to the end (detail/worker_event_log.hpp).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "asynclab/detail/worker_event_log.hpp"
#include "asynclab/trace/trace.hpp"

using asynclab::detail::WorkerEventLog;
using asynclab::trace::Event;
using asynclab::trace::EventKind;
using asynclab::trace::Trace;

namespace {

Event numbered(std::uint64_t i) {
  return Event{i * 3, EventKind::wake, static_cast<std::uint8_t>(i % 7), static_cast<std::uint16_t>(i % 5),
               static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i * 2), static_cast<std::uint32_t>(~i)};
}

bool same_event(const Event& x, const Event& y) {
  return x.time_ns == y.time_ns && x.kind == y.kind && x.worker == y.worker && x.flags == y.flags &&
         x.task == y.task && x.a == y.a && x.b == y.b;
}

// Reads the whole log into `into`, as the merge does, and returns the events read.
std::vector<Event> read_all(WorkerEventLog& log, Trace& into) {
  std::vector<Event> out;
  for (WorkerEventLog::Reader r(log, into); !r.done(); r.advance()) {
    out.push_back(r.head());
    into.push(r.head());
  }
  return out;
}

}  // namespace

TEST_CASE("worker event log: events come back in order, across blocks, and the log can be reused",
          "[trace][worker_threads]") {
  // Two and a half blocks: the reader crosses block ends and stops in the middle of the last one.
  const std::uint64_t n = WorkerEventLog::per_block * 2 + WorkerEventLog::per_block / 2;
  WorkerEventLog log;
  CHECK(log.empty());
  for (std::uint64_t i = 0; i < n; ++i) log.push(numbered(i));
  CHECK(log.size() == n);

  Trace t;
  const std::vector<Event> got = read_all(log, t);
  REQUIRE(got.size() == n);
  bool same = true;
  for (std::uint64_t i = 0; i < n; ++i) same = same && same_event(got[i], numbered(i));
  CHECK(same);
  CHECK(log.empty());
  CHECK(log.size() == 0);
  // The trace holds them too, packed, in its own chunks: some of which were the log's blocks.
  REQUIRE(t.size() == n);
  CHECK(same_event(t[n - 1], numbered(n - 1)));
  CHECK(same_event(t[WorkerEventLog::per_block], numbered(WorkerEventLog::per_block)));

  // Appending after a read starts a new, independent log.
  log.push(numbered(42));
  CHECK(log.size() == 1);
  Trace t2;
  const std::vector<Event> again = read_all(log, t2);
  REQUIRE(again.size() == 1);
  CHECK(same_event(again[0], numbered(42)));
}

TEST_CASE("worker event log: the blocks a read gives back hold the trace's next chunks", "[trace][worker_threads]") {
  // Whole blocks of 24-byte events repacked to 22 bytes need fewer chunks than the blocks given
  // back, so once the trace has its first chunk it allocates nothing more: every later chunk is a
  // block the reader finished. The trace's bytes reserved count only the chunks it uses.
  const std::uint64_t n = WorkerEventLog::per_block * 6;
  WorkerEventLog log;
  for (std::uint64_t i = 0; i < n; ++i) log.push(numbered(i));
  Trace t;
  (void)read_all(log, t);
  const std::size_t chunks_needed = (n + Trace::chunk_size - 1) / Trace::chunk_size;
  CHECK(t.event_bytes_reserved() == chunks_needed * Trace::chunk_bytes);
  bool same = true;
  for (std::uint64_t i = 0; i < n; i += 997) same = same && same_event(t[i], numbered(i));
  CHECK(same);
  t.drop_spare_chunks();  // the blocks not needed are freed; what the trace holds stays
  CHECK(same_event(t[n - 1], numbered(n - 1)));
}

TEST_CASE("worker event log: a reader abandoned half way leaves an empty log", "[trace][worker_threads]") {
  WorkerEventLog log;
  for (std::uint64_t i = 0; i < WorkerEventLog::per_block + 10; ++i) log.push(numbered(i));
  Trace t;
  {
    WorkerEventLog::Reader r(log, t);
    for (std::uint64_t i = 0; i < WorkerEventLog::per_block + 3; ++i) r.advance();
    CHECK(same_event(r.head(), numbered(WorkerEventLog::per_block + 3)));
  }
  CHECK(log.empty());
  log.push(numbered(7));
  CHECK(log.size() == 1);
}
