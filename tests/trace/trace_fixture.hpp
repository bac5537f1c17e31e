#pragma once
// Shared by the trace tests: small programs recorded on the virtual-time runtime, and helpers that
// take an .altrace file apart so a test can damage one field and watch the loader reject it.
#include <chrono>
#include <cstdint>
#include <string>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/file.hpp"

namespace trace_test {

using namespace std::chrono_literals;

inline asynclab::Task<int> child(int v, asynclab::Duration d) {
  co_await asynclab::sleep(d);
  co_return v;
}

// Touches every part the exporters decode: join, spawn, select (a loser dropped), a forgotten
// future (a lint), a JoinSet, yield_now (a self-wake) and marks.
inline asynclab::Task<int> program() {
  asynclab::mark("start");
  auto [a, b] = co_await asynclab::join(child(1, 10ms), child(2, 20ms));
  auto helper = asynclab::spawn(child(3, 5ms), "helper");
  auto r = co_await helper;
  auto raced = co_await asynclab::select(child(4, 50ms), asynclab::sleep(15ms));
  {
    auto forgotten = child(5, 1ms);  // dropped unpolled: the "forgotten future" lint
  }
  co_await asynclab::yield_now();
  asynclab::JoinSet<int> set;
  set.spawn(child(6, 3ms), "worker 1");
  set.spawn(child(7, 1ms), "worker 2");
  int sum = a + b + (r ? *r : 0) + static_cast<int>(raced.index());
  while (auto x = co_await set.join_next()) sum += x->value_or(0);
  asynclab::mark("end");
  co_return sum;
}

inline asynclab::Task<void> tiny_program() {
  co_await asynclab::sleep(1ms);
  asynclab::mark("slept");
}

template <class Program>
asynclab::trace::Trace record(Program make, std::uint64_t seed = 7) {
  asynclab::trace::Recorder rec;
  {
    auto rt = asynclab::Runtime::builder().current_thread().virtual_time().seed(seed).trace(rec).build();
    rt.block_on(make());
  }
  return rec.take();
}

// Channels sent labelled values (channel_value events): strings into an mpsc, an int into a watch.
inline asynclab::Task<void> values_program() {
  auto [tx, rx] = asynclab::sync::mpsc::channel<std::string>(2, "orders");
  (void)co_await tx.send("order 1");
  (void)co_await tx.send("order 2");
  (void)co_await rx.recv();
  auto [wtx, wrx] = asynclab::sync::watch::channel<int>(0, "setting");
  (void)wtx.send(42);
}

inline asynclab::trace::Trace record_program(std::uint64_t seed = 7) { return record(program, seed); }
inline asynclab::trace::Trace record_values() { return record(values_program); }
inline asynclab::trace::Trace record_tiny() { return record(tiny_program); }

// --- taking a file apart ----------------------------------------------------------------------

inline std::uint64_t get_le(const std::string& b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}
inline void put_le(std::string& b, std::size_t at, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
}

struct FileLayout {
  std::size_t string_count_at = 16;
  std::size_t location_count_at = 0;
  std::size_t site_count_at = 0;
  std::size_t event_count_at = 0;
  std::size_t locations_at = 0;
  std::size_t sites_at = 0;
  std::size_t events_at = 0;
  std::uint64_t event_count = 0;
  std::size_t checksum_at = 0;
  std::size_t event_at(std::size_t i) const { return events_at + 24 * i; }
};

// Walks a valid file (the test's own, so no checks here).
inline FileLayout layout_of(const std::string& b) {
  FileLayout l;
  std::size_t pos = 16;
  std::uint64_t strings = get_le(b, pos, 8);
  pos += 8;
  for (std::uint64_t i = 0; i < strings; ++i) pos += 4 + get_le(b, pos, 4);
  l.location_count_at = pos;
  l.locations_at = pos + 8;
  pos += 8 + 16 * get_le(b, pos, 8);
  l.site_count_at = pos;
  l.sites_at = pos + 8;
  pos += 8 + 8 * get_le(b, pos, 8);
  l.event_count_at = pos;
  l.event_count = get_le(b, pos, 8);
  l.events_at = pos + 8;
  l.checksum_at = l.events_at + 24 * l.event_count;
  return l;
}

inline std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Rewrites the checksum, so a test can reach the checks that come after it.
inline void rehash(std::string& b) { put_le(b, b.size() - 8, fnv1a(std::string_view(b).substr(0, b.size() - 8)), 8); }

}  // namespace trace_test
