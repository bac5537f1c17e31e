#pragma once
// Trace: a recorded run — the events plus the tables they point into (strings, source locations,
// spawn sites). The same type is filled by a running runtime (through trace::Recorder) and by loading
// an .altrace file, so every consumer (exporters, the CLI, the visualizer's model) reads one shape.
//
// Rules:
// * Events live in fixed-size chunks that are never reallocated: appending never copies old events,
//   and a reference to an event stays valid while the Trace lives.
// * Index 0 of `strings` is the empty string and index 0 of `locations` / `sites` means "none", so a
//   zero in an event field is always safe to look up.
// * Every index stored in an event or a table is smaller than the table it points into (load()
//   checks this for files; the recorder guarantees it for live runs).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
  static constexpr std::size_t chunk_shift = 16;
  static constexpr std::size_t chunk_size = std::size_t{1} << chunk_shift;  // events per chunk

  Trace();
  Trace(Trace&&) noexcept = default;
  Trace& operator=(Trace&&) noexcept = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Event& operator[](std::size_t i) const { return chunks_[i >> chunk_shift][i & (chunk_size - 1)]; }

  // Appends one event. Writes into the current chunk; a new chunk is allocated only when it is full.
  void push(const Event& e) {
    if (size_ == capacity_) [[unlikely]]
      add_chunk();
    chunks_.back()[size_ & (chunk_size - 1)] = e;
    ++size_;
  }

  const std::vector<std::string>& strings() const { return strings_; }
  const std::vector<Location>& locations() const { return locations_; }
  const std::vector<SpawnSite>& sites() const { return sites_; }

  std::string_view string(std::uint32_t id) const { return id < strings_.size() ? strings_[id] : std::string_view{}; }
  const Location& location(std::uint32_t id) const { return locations_[id < locations_.size() ? id : 0]; }
  const SpawnSite& site(std::uint32_t id) const { return sites_[id < sites_.size() ? id : 0]; }

  // "file.cpp:42" for a location id, or "" for none. The file is shortened to its last two parts.
  std::string describe_location(std::uint32_t id) const;
  // The name a task was spawned with ("task 7" when it had none).
  std::string task_name(std::uint32_t task) const;

  // Table appenders, used by the recorder and by the loader. They return the new index.
  std::uint32_t add_string(std::string s);
  std::uint32_t add_location(const Location& l);
  std::uint32_t add_site(const SpawnSite& s);

  // Bytes held in memory by the events (chunks), for the "bytes per event" figure.
  std::size_t event_bytes_reserved() const { return chunks_.size() * chunk_size * sizeof(Event); }

  // Reserves room for n events up front (the loader knows the count before reading).
  void reserve(std::size_t n);

 private:
  void add_chunk();
  std::vector<std::unique_ptr<Event[]>> chunks_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::vector<std::string> strings_;
  std::vector<Location> locations_;
  std::vector<SpawnSite> sites_;
  mutable std::vector<std::uint32_t> task_site_cache_;  // task id -> site id, built on first task_name()
  mutable std::size_t task_site_cache_upto_ = 0;
};

}  // namespace asynclab::trace
