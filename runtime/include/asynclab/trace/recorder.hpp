#pragma once
// Recorder: what a runtime writes its events into while it runs (`Runtime::builder().trace(rec)`).
//
// Rules:
// * Recording is opt-in. A runtime without a recorder tests one pointer per would-be event and does
//   nothing else — "a learner should never pay for seeing".
// * Strings, source locations and spawn sites are interned: the first use adds a table entry, every
//   later use is a hash lookup (source locations are keyed by their address, which is unique per
//   call site, so the common case never hashes a string).
// * One recorder serves one runtime at a time. A runtime with worker threads calls share(true): the
//   tables are then looked up under the recorder's own lock, from any worker (the events themselves
//   are buffered per worker by the scheduler and merged into the trace when a run ends).
// * The recorded Trace is read through trace(); take() moves it out and leaves the recorder empty.
// * Value labels (channel_value, trace/value_label.hpp) are strings like any other, but a program
//   can send millions of distinct values: intern_label adds at most max_distinct_labels new strings
//   per trace and answers 0 ("record no label") after that, so the string table stays bounded. A
//   label already in the table is still found.
// * Live mode: with a LiveStream attached, every event and every new table entry is also offered to
//   it (trace/live_stream.hpp) — the trace itself is recorded exactly as without.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "asynclab/detail/spin_lock.hpp"
#include "asynclab/trace/live_stream.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

class Recorder {
 public:
  Recorder() = default;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void emit(const Event& e) {
    trace_.push(e);
    if (live_) [[unlikely]]
      live_->offer(e);
  }
  // emit for the single-threaded runtimes' hot path (Scheduler::record): false, and nothing
  // recorded, when the trace needs a new chunk first (emit() then). There is no call on the path
  // that answers true, so the caller saves no registers around it: an inlined emit() made every
  // traced event save and restore four for the rare calls inside it.
  [[gnu::always_inline]] bool try_emit(const Event& e) {
    if (!trace_.try_push(e)) [[unlikely]]
      return false;
    if (live_) [[unlikely]]
      offer_last_to_live();
    return true;
  }

  // Live mode: offers every event and table entry from now on to `live` too (nullptr: stop). Attach
  // before the runtime is built, so that it stamps real time in nanoseconds (see live_stream.hpp).
  void attach(LiveStream* live) { live_ = live; }
  LiveStream* live() const { return live_; }

  // Worker threads intern from any worker: with sharing on, every lookup takes the lock below.
  void share(bool on) { shared_ = on; }

  std::uint32_t intern(std::string_view s) {
    SharedGuard guard(*this);
    return intern_string(s);
  }
  // Source locations are looked up in a small direct-mapped cache first: a task parks at the same
  // few awaits over and over, and this runs at the end of every traced poll.
  std::uint32_t intern(const std::source_location& loc) {
    SharedGuard guard(*this);
    return intern_location_cached(loc);
  }
  std::uint32_t intern_site(std::string_view name, const std::source_location& loc);
  // The string id of a value's label; 0 when the label is empty or the trace already holds
  // max_distinct_labels labels and this one is new (see the rules).
  static constexpr std::size_t max_distinct_labels = 65'536;
  std::uint32_t intern_label(std::string_view label);

  const Trace& trace() const { return trace_; }
  // For the runtime, which rewrites raw clock stamps into nanoseconds when a run ends.
  Trace& trace_mut() { return trace_; }
  Trace take();

 private:
  // Takes the lock only while sharing is on.
  class SharedGuard {
   public:
    explicit SharedGuard(Recorder& r) : r_(r.shared_ ? &r : nullptr) {
      if (r_) r_->lock_.lock();
    }
    ~SharedGuard() {
      if (r_) r_->lock_.unlock();
    }
    SharedGuard(const SharedGuard&) = delete;
    SharedGuard& operator=(const SharedGuard&) = delete;

   private:
    Recorder* r_;
  };
  std::uint32_t intern_string(std::string_view s);
  [[gnu::noinline]] void offer_last_to_live();  // the event try_emit just stored
  std::uint32_t intern_location_cached(const std::source_location& loc) {
    const void* key = std::bit_cast<const void*>(loc);
    auto& slot = location_cache_[(reinterpret_cast<std::uintptr_t>(key) >> 4) & (location_cache_size - 1)];
    if (slot.key == key) return slot.id;
    std::uint32_t id = intern_location(loc);
    slot = {key, id};
    return id;
  }

  struct PairHash {
    std::size_t operator()(const std::pair<std::uint32_t, std::uint32_t>& p) const {
      return std::hash<std::uint64_t>{}((std::uint64_t{p.first} << 32) | p.second);
    }
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static_assert(sizeof(std::source_location) == sizeof(const void*),
                "libstdc++'s source_location is one pointer to static data, unique per call site");
  std::uint32_t intern_location(const std::source_location& loc);
  static constexpr std::size_t location_cache_size = 256;
  struct CachedLocation {
    const void* key = nullptr;
    std::uint32_t id = 0;
  };
  CachedLocation location_cache_[location_cache_size] = {};

  Trace trace_;
  LiveStream* live_ = nullptr;
  bool shared_ = false;
  std::size_t distinct_labels_ = 0;  // strings intern_label added to the table
  ::asynclab::detail::SpinLock lock_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> strings_;
  std::unordered_map<const void*, std::uint32_t> locations_;  // keyed by the source_location's address
  std::unordered_map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t, PairHash> sites_;
};

}  // namespace asynclab::trace
