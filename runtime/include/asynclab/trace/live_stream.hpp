#pragma once
// LiveStream: the events of a running runtime, handed to a viewer on another thread as they happen
// (live mode). The runtime is the producer; a viewer (the GUI) is the consumer.
//
//   trace::Recorder recorder;
//   trace::LiveStream live(1 << 16);          // room for 65,536 events in flight
//   recorder.attach(&live);
//   // runtime thread: rt.block_on(...) records as usual, and every event is also offered to `live`
//   // viewer thread:  live.pop_tables(...); n = live.pop(buffer); ... live.dropped()
//
// Rules:
// * One producer and one consumer, each on its own thread; nothing else touches the stream. Both
//   sides are lock-free (a ring of slots and two atomic counters): the runtime never waits for a
//   viewer, and never allocates per event.
// * Bounded: the stream holds at most capacity() events (a power of two). When the viewer falls
//   behind and the ring is full, a new event is dropped and counted — never blocking, never
//   overwriting one the viewer has not read. dropped() says how many; every event the runtime
//   offered is either read exactly once, in order, or counted as dropped.
// * Events refer to the trace's tables (strings, source locations, spawn sites) by id. Each new table
//   entry is offered on a second ring, before the first event that uses it, so a viewer that reads
//   tables before events can name everything it reads. Table entries are dropped and counted the
//   same way when that ring is full (the viewer then shows a bare id).
// * Times are nanoseconds since the runtime started: a runtime whose recorder has a live stream
//   stamps real-time events with the monotonic clock, not the CPU counter it scales afterwards
//   (see detail/scheduler.hpp), so what the viewer reads is final.
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "asynclab/trace/event.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

namespace detail {

// A bounded single-producer single-consumer ring. The producer owns `tail_`, the consumer `head_`;
// each reads the other's with acquire and publishes its own with release, so a slot is written
// before it is seen and read before it is reused.
template <class T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t capacity)
      : capacity_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity)),
        mask_(capacity_ - 1),
        slots_(std::make_unique<T[]>(capacity_)) {}

  // Producer side. False (and counted) when the ring is full.
  bool push(T value) noexcept(std::is_nothrow_move_assignable_v<T>) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ == capacity_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ == capacity_) {
        dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
      }
    }
    slots_[tail & mask_] = std::move(value);
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer side: calls f(T&&) for each value available now, at most `max`; returns how many.
  template <class F>
  std::size_t consume(F&& f, std::size_t max = static_cast<std::size_t>(-1)) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    std::size_t n = tail - head;
    if (n > max) n = max;
    for (std::size_t i = 0; i < n; ++i) f(std::move(slots_[(head + i) & mask_]));
    head_.store(head + n, std::memory_order_release);
    return n;
  }

  std::size_t capacity() const noexcept { return capacity_; }
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  // Values waiting to be read (exact on the consumer's thread, a snapshot elsewhere).
  std::size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }

 private:
  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<T[]> slots_;
  // On cache lines of their own, so the two threads do not fight over one line. (64 bytes, as on
  // x86-64: GCC 12 warns that std::hardware_destructive_interference_size may change between versions.)
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;  // the producer's last look at head_: most pushes skip the atomic load
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace detail

// One new entry of the trace's tables, as the live stream carries it.
struct LiveTableEntry {
  enum class Table : std::uint8_t { string, location, site };
  Table table = Table::string;
  std::uint32_t id = 0;
  std::string text;    // Table::string
  Location location;   // Table::location
  SpawnSite site;      // Table::site
};

class LiveStream {
 public:
  // Room for `event_capacity` events (rounded up to a power of two) and as many table entries as
  // `table_capacity`.
  explicit LiveStream(std::size_t event_capacity, std::size_t table_capacity = 4096)
      : events_(event_capacity), tables_(table_capacity) {}
  LiveStream(const LiveStream&) = delete;
  LiveStream& operator=(const LiveStream&) = delete;

  // --- producer (the runtime's thread, through Recorder) ----------------------------------------
  bool offer(const Event& e) noexcept {
    offered_.store(offered_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return events_.push(e);
  }
  bool offer_table_entry(LiveTableEntry entry) { return tables_.push(std::move(entry)); }

  // --- consumer (the viewer's thread) -------------------------------------------------------------
  // Moves up to out.size() events, oldest first, into `out`; returns how many.
  std::size_t pop(std::span<Event> out) {
    std::size_t i = 0;
    return events_.consume([&](Event&& e) { out[i++] = e; }, out.size());
  }
  // Calls f(LiveTableEntry&&) for each table entry waiting; returns how many.
  template <class F>
  std::size_t pop_tables(F&& f) {
    return tables_.consume(std::forward<F>(f));
  }

  // --- both sides -----------------------------------------------------------------------------------
  std::size_t capacity() const noexcept { return events_.capacity(); }
  std::uint64_t offered() const noexcept { return offered_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const noexcept { return events_.dropped(); }
  std::uint64_t tables_dropped() const noexcept { return tables_.dropped(); }
  std::size_t waiting() const noexcept { return events_.size(); }

 private:
  detail::SpscRing<Event> events_;
  detail::SpscRing<LiveTableEntry> tables_;
  std::atomic<std::uint64_t> offered_{0};
};

}  // namespace asynclab::trace
