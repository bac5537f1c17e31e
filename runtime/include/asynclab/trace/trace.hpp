#pragma once
// Trace: a recorded run — the events plus the tables they point into (strings, source locations,
// spawn sites). The same type is filled by a running runtime (through trace::Recorder) and by loading
// an .altrace file, so every consumer (exporters, the CLI, the visualizer's model) reads one shape.
//
// Rules:
// * Events live in fixed-size chunks that are never reallocated: appending never copies old events.
//   Reading gives each event by value (they are stored packed, see below).
// * Index 0 of `strings` is the empty string and index 0 of `locations` / `sites` means "none", so a
//   zero in an event field is always safe to look up.
// * Every index stored in an event or a table is smaller than the table it points into (load()
//   checks this for files; the recorder guarantees it for live runs).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "asynclab/trace/event.hpp"

namespace asynclab::trace {

struct Location {
  std::uint32_t file = 0;      // string id
  std::uint32_t function = 0;  // string id
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct SpawnSite {
  std::uint32_t name = 0;      // string id of the task's name
  std::uint32_t location = 0;  // location id of the spawn call
};

class Trace {
 public:
  static constexpr std::size_t chunk_shift = 14;
  static constexpr std::size_t chunk_size = std::size_t{1} << chunk_shift;  // events per chunk
  // In memory an event is packed into 22 bytes (a 48-bit time: 78 hours of nanoseconds), so a
  // trace of millions of events stays small; readers always get the plain 24-byte Event.
  static constexpr std::size_t packed_event_size = 22;
  static constexpr std::size_t chunk_bytes = chunk_size * packed_event_size;
  static constexpr std::uint64_t max_time_ns = (std::uint64_t{1} << 48) - 1;

  Trace();
  Trace(Trace&&) noexcept = default;
  Trace& operator=(Trace&&) noexcept = default;
  // Not copyable by accident (a trace can hold millions of events); clone() when a copy is meant.
  Trace clone() const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Event operator[](std::size_t i) const {
    Event e = unpack(chunks_[i >> chunk_shift].get() + (i & (chunk_size - 1)) * packed_event_size);
    if (!tick_spans_.empty()) [[unlikely]]
      e.time_ns = ticks_to_ns(i, e.time_ns);
    return e;
  }

  // push without a call on its path: false, and nothing written, when the current chunk is full
  // (push() then). A caller that tries this first keeps its arguments in registers.
  [[gnu::always_inline]] bool try_push(const Event& e) {
    if (size_ == capacity_) [[unlikely]]
      return false;
    pack(e, chunks_[size_ >> chunk_shift].get() + (size_ & (chunk_size - 1)) * packed_event_size);
    ++size_;
    return true;
  }
  // The last event pushed, as stored (stamps not converted).
  Event back_stored() const {
    const std::size_t i = size_ - 1;
    return unpack(chunks_[i >> chunk_shift].get() + (i & (chunk_size - 1)) * packed_event_size);
  }
  // Appends one event. Writes into the current chunk; a new chunk is allocated only when it is full.
  void push(const Event& e) {
    if (size_ == capacity_) [[unlikely]]
      add_chunk();
    // By index, not back(): reserve() may have allocated chunks beyond the current one.
    pack(e, chunks_[size_ >> chunk_shift].get() + (size_ & (chunk_size - 1)) * packed_event_size);
    ++size_;
  }
  // Real-time runs stamp events with raw CPU counter ticks, the cheapest clock there is, and convert
  // only when the trace is read (as Tracy does): when a run ends, the runtime declares that events
  // [begin, end) carry ticks to be scaled by ns_per_tick, never reading earlier than the event
  // before them.
  void declare_ticks(std::size_t begin, std::size_t end, double ns_per_tick) {
    const std::uint64_t floor = begin > 0 ? (*this)[begin - 1].time_ns : 0;
    tick_spans_.push_back(TickSpan{begin, end, ns_per_tick, floor});
  }

  const std::vector<std::string>& strings() const { return strings_; }
  const std::vector<Location>& locations() const { return locations_; }
  const std::vector<SpawnSite>& sites() const { return sites_; }

  std::string_view string(std::uint32_t id) const { return id < strings_.size() ? strings_[id] : std::string_view{}; }
  const Location& location(std::uint32_t id) const { return locations_[id < locations_.size() ? id : 0]; }
  const SpawnSite& site(std::uint32_t id) const { return sites_[id < sites_.size() ? id : 0]; }

  // The label of the value a channel_value event records, as text: its string, or its integer
  // written out (ValueForm). "" for any other event.
  std::string value_label(const Event& e) const;
  // "folder/file.cpp:42" for a location id, or "" for none.
  std::string describe_location(std::uint32_t id) const;
  // The name a task was spawned with ("task 7" when it had none).
  std::string task_name(std::uint32_t task) const;

  // Table appenders, used by the recorder and by the loader. They return the new index.
  std::uint32_t add_string(std::string s);
  std::uint32_t add_location(const Location& l);
  std::uint32_t add_site(const SpawnSite& s);

  // Bytes held in memory by the events (whole chunks, used or not), for the "bytes per event" figure.
  std::size_t event_bytes_reserved() const { return chunks_.size() * chunk_size * packed_event_size; }

  // Reserves room for n events up front (the loader knows the count before reading).
  void reserve(std::size_t n);

  // Gives the trace a block of chunk_bytes bytes to hold its next new chunk instead of allocating
  // one: a recorder that buffered events elsewhere (detail/worker_event_log.hpp) hands back each
  // buffer it has moved out, so those pages are not faulted in twice. Spares not used by the time
  // drop_spare_chunks() is called are freed then.
  void give_spare_chunk(std::unique_ptr<std::uint8_t[]> block) { spare_chunks_.push_back(std::move(block)); }
  void drop_spare_chunks() { spare_chunks_.clear(); }
  // A block of chunk_bytes bytes for events, its pages mapped in already (see trace.cpp for why).
  static std::unique_ptr<std::uint8_t[]> allocate_chunk();

 private:
  struct TickSpan {
    std::size_t begin, end;
    double ns_per_tick;
    std::uint64_t floor_ns;
  };
  std::uint64_t ticks_to_ns(std::size_t i, std::uint64_t ticks) const {
    for (const TickSpan& span : tick_spans_) {
      if (i < span.begin || i >= span.end) continue;
      auto ns = static_cast<std::uint64_t>(static_cast<double>(ticks) * span.ns_per_tick);
      return ns < span.floor_ns ? span.floor_ns : ns;
    }
    return ticks;
  }

  static void write_time(std::uint8_t* p, std::uint64_t t) {
    if (t > max_time_ns) t = max_time_ns;
    std::uint32_t lo = static_cast<std::uint32_t>(t);
    std::uint16_t hi = static_cast<std::uint16_t>(t >> 32);
    std::memcpy(p, &lo, 4);
    std::memcpy(p + 4, &hi, 2);
  }
  static void pack(const Event& e, std::uint8_t* p) {
    write_time(p, e.time_ns);
    p[6] = static_cast<std::uint8_t>(e.kind);
    p[7] = e.worker;
    std::memcpy(p + 8, &e.flags, 2);
    std::memcpy(p + 10, &e.task, 4);
    std::memcpy(p + 14, &e.a, 4);
    std::memcpy(p + 18, &e.b, 4);
  }
  static Event unpack(const std::uint8_t* p) {
    Event e;
    std::uint32_t lo;
    std::uint16_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 2);
    e.time_ns = (std::uint64_t{hi} << 32) | lo;
    e.kind = static_cast<EventKind>(p[6]);
    e.worker = p[7];
    std::memcpy(&e.flags, p + 8, 2);
    std::memcpy(&e.task, p + 10, 4);
    std::memcpy(&e.a, p + 14, 4);
    std::memcpy(&e.b, p + 18, 4);
    return e;
  }

  void add_chunk();
  std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
  std::vector<std::unique_ptr<std::uint8_t[]>> spare_chunks_;  // see give_spare_chunk
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::vector<std::string> strings_;
  std::vector<Location> locations_;
  std::vector<SpawnSite> sites_;
  mutable std::vector<std::uint32_t> task_site_cache_;  // task id -> site id, built on first task_name()
  mutable std::unordered_map<std::uint32_t, std::uint32_t> task_site_sparse_;
  std::vector<TickSpan> tick_spans_;  // usually none (virtual time, loaded files) or one
  mutable std::size_t task_site_cache_upto_ = 0;
};

}  // namespace asynclab::trace
