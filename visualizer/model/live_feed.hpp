#pragma once
// LiveFeed: the viewer's end of live mode — a running runtime's events, read from a LiveStream
// (trace/live_stream.hpp) on the GUI thread and turned into an ordinary, growing trace::Trace that a
// Session indexes like any other, so every window works on a live run.
//
//   LiveFeed feed;                              // owns the stream
//   recorder.attach(&feed.stream());            // before the runtime is built (real-time stamps in ns)
//   // runtime thread:  rt.block_on(...); feed.mark_finished();
//   // GUI thread, every frame:
//   feed.poll();                                // keeps the stream from filling up
//   if (feed.reindex_due(now_s)) session.grow([&](trace::Trace& t) { feed.flush_into(t); });
//
// Rules:
// * Threads: the runtime's threads touch only stream() (as the producer) and mark_finished();
//   everything else is the GUI thread's. No lock: the stream is lock-free and finished is atomic.
// * poll() drains the stream into the feed's own pending buffers, table entries first, then events,
//   so every event read can be named. flush_into() moves what is pending into a trace (tables
//   first); between flushes the trace a Session has indexed does not change under it.
// * Re-indexing the whole trace is what a flush costs the GUI (a 200k-event trace takes tens of
//   milliseconds to index), so reindex_due() lets it happen at most every `min_reindex_interval_s`,
//   and never more often than `reindex_budget` times the last indexing took: a big live trace
//   costs the GUI a bounded share of its frames. Once the runtime has finished, whatever is left
//   is due at once, so the last picture is complete.
// * Bounded: a live trace holds at most `max_events` (2M by default, ~44 MB of packed events plus
//   the index). Past that the feed keeps reading the stream (the runtime must not back up) but
//   appends nothing more; skipped() counts those events and capped() says so.
// * Times never decrease in a Trace. Worker threads stamp an event just before they hand it over
//   (a wake, before it takes effect), so two workers' events can arrive a little out of order,
//   nanoseconds to a lock wait's microseconds; the feed raises such a stamp to the previous event's.
// * A table entry the stream dropped leaves a hole: the feed fills it with a placeholder ("#17"
//   for a string, "no location" for a location), so ids still line up with their tables.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "asynclab/trace/live_stream.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::vis {

struct LiveFeedLimits {
  std::size_t stream_capacity = std::size_t{1} << 18;  // events in flight between runtime and GUI
  std::size_t table_capacity = std::size_t{1} << 14;   // table entries in flight
  std::size_t max_events = 2'000'000;                  // the live trace's cap
  double min_reindex_interval_s = 0.25;                // at most four re-indexings a second
  double reindex_budget = 10;                          // wait at least this many times the last indexing
};

class LiveFeed {
 public:
  explicit LiveFeed(LiveFeedLimits limits = {});
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // --- the runtime's side ------------------------------------------------------------------------
  // The stream to attach to the runtime's Recorder.
  trace::LiveStream& stream() { return stream_; }
  // The program is over and its runtime gone: nothing more will be offered.
  void mark_finished() { finished_.store(true, std::memory_order_release); }

  // --- the GUI thread's side -----------------------------------------------------------------------
  // Reads everything waiting in the stream into the pending buffers; returns the events read.
  std::size_t poll();
  // Whether the session should take what is pending now (and re-index): see the rules above.
  bool reindex_due(double now_s) const;
  // Appends what is pending to `trace` (tables, then events up to the cap); returns the events
  // appended. The trace must be the one this feed has been filling (or a fresh one).
  std::size_t flush_into(trace::Trace& trace);
  // Tells the feed when a re-indexing happened and how long it took, for reindex_due().
  void reindexed(double now_s, double took_s);
  // poll() then flush_into(): for callers that index on their own schedule (tests, the CLI).
  std::size_t drain_into(trace::Trace& trace);

  // --- what the status line shows ------------------------------------------------------------------
  std::uint64_t received() const { return received_; }         // events read from the stream
  std::uint64_t dropped() const { return stream_.dropped(); }  // events the stream dropped (viewer too slow)
  std::uint64_t tables_dropped() const { return stream_.tables_dropped(); }
  std::uint64_t skipped() const { return skipped_; }           // events read but not kept: over the cap
  bool capped() const { return skipped_ > 0; }
  std::size_t max_events() const { return limits_.max_events; }
  std::size_t pending() const { return pending_events_.size(); }
  // The runtime has finished (its events may still be pending).
  bool runtime_finished() const { return finished_.load(std::memory_order_acquire); }
  // The runtime has finished and every event it offered has been read and flushed: the trace is final.
  bool complete() const;
  // In words, for the playback bar and the status bar: "live · 1234 events (56 more arriving) · 0
  // dropped" (1234: what the trace holds, the playback's "of N"), then
  // "· finished" once complete, and what the cap skipped or the stream lost of the tables.
  std::string status() const;

 private:
  void add_table_entry(trace::Trace& trace, const trace::LiveTableEntry& entry);

  LiveFeedLimits limits_;
  trace::LiveStream stream_;
  std::atomic<bool> finished_{false};
  std::vector<trace::LiveTableEntry> pending_tables_;
  std::vector<trace::Event> pending_events_;
  std::vector<trace::Event> batch_;  // poll()'s buffer, kept so a warm poll allocates nothing
  std::uint64_t received_ = 0;
  std::uint64_t skipped_ = 0;
  std::uint64_t last_time_ns_ = 0;
  bool flushed_once_ = false;
  double last_reindex_s_ = 0;
  double last_reindex_took_s_ = 0;
};

}  // namespace asynclab::vis
