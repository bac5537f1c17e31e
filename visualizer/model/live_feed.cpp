// See live_feed.hpp.
#include "model/live_feed.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <utility>

namespace asynclab::vis {

namespace {
constexpr std::size_t batch_size = 4096;  // events read from the stream per pop
}  // namespace

LiveFeed::LiveFeed(LiveFeedLimits limits)
    : limits_(limits), stream_(limits.stream_capacity, limits.table_capacity), batch_(batch_size) {}

std::size_t LiveFeed::poll() {
  // Tables first: an entry is offered before the first event that uses it, so once the events are
  // read, every name they need has been read too.
  stream_.pop_tables([&](trace::LiveTableEntry&& entry) { pending_tables_.push_back(std::move(entry)); });
  std::size_t read = 0;
  for (;;) {
    const std::size_t n = stream_.pop(std::span<trace::Event>(batch_));
    if (n == 0) break;
    read += n;
    received_ += n;
    // Over the cap the events are still read (the runtime must not back up), only not kept.
    const std::size_t kept = received_ - n - skipped_;
    const std::size_t room = kept >= limits_.max_events ? 0 : limits_.max_events - kept;
    const std::size_t keep = std::min(n, room);
    pending_events_.insert(pending_events_.end(), batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(keep));
    skipped_ += n - keep;
  }
  return read;
}

bool LiveFeed::reindex_due(double now_s) const {
  if (pending_events_.empty() && pending_tables_.empty()) return false;
  if (!flushed_once_ || runtime_finished()) return true;
  const double wait = std::max(limits_.min_reindex_interval_s, limits_.reindex_budget * last_reindex_took_s_);
  return now_s - last_reindex_s_ >= wait;
}

void LiveFeed::add_table_entry(trace::Trace& trace, const trace::LiveTableEntry& entry) {
  using Table = trace::LiveTableEntry::Table;
  auto size_of = [&] {
    switch (entry.table) {
      case Table::string: return trace.strings().size();
      case Table::location: return trace.locations().size();
      case Table::site: return trace.sites().size();
    }
    return std::size_t{0};
  };
  // Entries arrive in id order; a gap is an entry the stream dropped: a placeholder keeps the ids aligned.
  for (std::size_t id = size_of(); id < entry.id; id = size_of()) {
    switch (entry.table) {
      case Table::string: trace.add_string("#" + std::to_string(id)); break;
      case Table::location: trace.add_location({}); break;
      case Table::site: trace.add_site({}); break;
    }
  }
  if (entry.id < size_of()) return;  // already there (a trace that was not empty when attached)
  switch (entry.table) {
    case Table::string: trace.add_string(entry.text); break;
    case Table::location: trace.add_location(entry.location); break;
    case Table::site: trace.add_site(entry.site); break;
  }
}

std::size_t LiveFeed::flush_into(trace::Trace& trace) {
  for (const trace::LiveTableEntry& entry : pending_tables_) add_table_entry(trace, entry);
  pending_tables_.clear();
  for (trace::Event e : pending_events_) {
    e.time_ns = std::max(e.time_ns, last_time_ns_);
    last_time_ns_ = e.time_ns;
    trace.push(e);
  }
  const std::size_t appended = pending_events_.size();
  pending_events_.clear();
  flushed_once_ = true;
  return appended;
}

void LiveFeed::reindexed(double now_s, double took_s) {
  last_reindex_s_ = now_s;
  last_reindex_took_s_ = took_s;
}

std::size_t LiveFeed::drain_into(trace::Trace& trace) {
  poll();
  return flush_into(trace);
}

bool LiveFeed::complete() const {
  return runtime_finished() && stream_.waiting() == 0 && pending_events_.empty() && pending_tables_.empty();
}

std::string LiveFeed::status() const {
  // The events count is what the trace holds, the playback's "of N": those read but not yet taken
  // into the trace (at most a quarter second's worth) are counted apart, so the two never disagree.
  std::string s = complete() ? "finished" : "live";
  s += " · " + std::to_string(received_ - skipped_ - pending_events_.size()) + " events";
  if (!pending_events_.empty()) s += " (" + std::to_string(pending_events_.size()) + " more arriving)";
  s += " · " + std::to_string(dropped()) + " dropped";
  if (capped())
    s += " · capped at " + std::to_string(limits_.max_events) + " events (" + std::to_string(skipped_) + " not kept)";
  if (tables_dropped() > 0) s += " · " + std::to_string(tables_dropped()) + " names lost";
  return s;
}

}  // namespace asynclab::vis
