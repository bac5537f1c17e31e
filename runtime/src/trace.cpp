// The Trace container, the recorder's interning, and the names of event kinds.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

#include "asynclab/trace/codec.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/trace/recorder.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

std::string_view kind_name(EventKind k) {
  switch (k) {
    case EventKind::runtime_started: return "runtime_started";
    case EventKind::task_spawned: return "task_spawned";
    case EventKind::poll_begin: return "poll_begin";
    case EventKind::poll_end: return "poll_end";
    case EventKind::waker_cloned: return "waker_cloned";
    case EventKind::waker_dropped: return "waker_dropped";
    case EventKind::wake: return "wake";
    case EventKind::task_completed: return "task_completed";
    case EventKind::future_created: return "future_created";
    case EventKind::future_polled: return "future_polled";
    case EventKind::future_dropped: return "future_dropped";
    case EventKind::timer_armed: return "timer_armed";
    case EventKind::timer_fired: return "timer_fired";
    case EventKind::clock_advanced: return "clock_advanced";
    case EventKind::lint: return "lint";
    case EventKind::mark: return "mark";
    case EventKind::runtime_stopped: return "runtime_stopped";
    case EventKind::resource_created: return "resource_created";
    case EventKind::resource_limits: return "resource_limits";
    case EventKind::resource_dropped: return "resource_dropped";
    case EventKind::channel_send: return "channel_send";
    case EventKind::channel_recv: return "channel_recv";
    case EventKind::channel_closed: return "channel_closed";
    case EventKind::lock_waiting: return "lock_waiting";
    case EventKind::lock_acquired: return "lock_acquired";
    case EventKind::lock_released: return "lock_released";
    case EventKind::notified: return "notified";
    case EventKind::blocking_begin: return "blocking_begin";
    case EventKind::blocking_end: return "blocking_end";
    case EventKind::request_begin: return "request_begin";
    case EventKind::request_end: return "request_end";
    case EventKind::stuck_wait: return "stuck_wait";
    case EventKind::timer_cancelled: return "timer_cancelled";
    case EventKind::pin: return "pin";
    case EventKind::task_stolen: return "task_stolen";
    case EventKind::channel_value: return "channel_value";
    case EventKind::kind_count_: break;
  }
  return "unknown";
}

std::string_view lint_name(LintKind k) {
  switch (k) {
    case LintKind::forgotten_future: return "forgotten future";
    case LintKind::lost_waker: return "lost waker";
    case LintKind::self_wake: return "self-wakes";
    case LintKind::long_poll: return "long poll";
  }
  return "unknown lint";
}

std::string_view wake_source_name(WakeSource s) {
  switch (s) {
    case WakeSource::task: return "task";
    case WakeSource::timer: return "timer";
    case WakeSource::channel: return "channel";
    case WakeSource::io: return "io";
    case WakeSource::blocking: return "blocking";
    case WakeSource::runtime: return "runtime";
    case WakeSource::budget: return "budget";
  }
  return "unknown";
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::panicked: return "panicked";
    case Outcome::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view resource_kind_name(ResourceKind k) {
  switch (k) {
    case ResourceKind::mpsc: return "mpsc channel";
    case ResourceKind::unbounded_mpsc: return "unbounded mpsc channel";
    case ResourceKind::oneshot: return "oneshot channel";
    case ResourceKind::broadcast: return "broadcast channel";
    case ResourceKind::watch: return "watch channel";
    case ResourceKind::mutex: return "mutex";
    case ResourceKind::semaphore: return "semaphore";
    case ResourceKind::notify: return "notify";
  }
  return "resource";
}

Trace::Trace() {
  strings_.emplace_back();
  locations_.emplace_back();
  sites_.emplace_back();
}

Trace Trace::clone() const {
  Trace copy;
  copy.chunks_.reserve(chunks_.size());
  for (const auto& chunk : chunks_) {
    auto bytes = allocate_chunk();
    std::memcpy(bytes.get(), chunk.get(), chunk_bytes);
    copy.chunks_.push_back(std::move(bytes));
  }
  copy.size_ = size_;
  copy.capacity_ = capacity_;
  copy.strings_ = strings_;
  copy.locations_ = locations_;
  copy.sites_ = sites_;
  copy.tick_spans_ = tick_spans_;
  return copy;
}

std::unique_ptr<std::uint8_t[]> Trace::allocate_chunk() {
  auto bytes = std::make_unique_for_overwrite<std::uint8_t[]>(chunk_bytes);
#ifdef MADV_POPULATE_WRITE
  // Fresh memory is faulted in page by page as it is first written, and a trace writes a new page
  // every 186 events: on a virtual machine that cost tracing more than recording the events did
  // (2 µs a page; ping_pong_mpsc: 97,000 faults, 185 of its 456 ns a round trip). One call maps
  // every page of the chunk at once, for about a third of the cost. Kernels before 5.14 answer
  // EINVAL and the pages fault in as before; so does memory the call cannot reach.
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(bytes.get()) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(bytes.get()) + chunk_bytes) & ~(page - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
  return bytes;
}

void Trace::add_chunk() {
  if (!spare_chunks_.empty()) {
    chunks_.push_back(std::move(spare_chunks_.back()));
    spare_chunks_.pop_back();
  } else {
    chunks_.push_back(allocate_chunk());
  }
  capacity_ += chunk_size;
}

void Trace::reserve(std::size_t n) {
  while (capacity_ < n) add_chunk();
}

std::uint32_t Trace::add_string(std::string s) {
  strings_.push_back(std::move(s));
  return static_cast<std::uint32_t>(strings_.size() - 1);
}
std::uint32_t Trace::add_location(const Location& l) {
  locations_.push_back(l);
  return static_cast<std::uint32_t>(locations_.size() - 1);
}
std::uint32_t Trace::add_site(const SpawnSite& s) {
  sites_.push_back(s);
  return static_cast<std::uint32_t>(sites_.size() - 1);
}

std::string Trace::value_label(const Event& e) const {
  const auto value = as<ev::ChannelValue>(e);
  if (!value) return {};
  switch (value->form) {
    case ValueForm::unsigned_int: return std::to_string(value->value);
    case ValueForm::signed_int: return std::to_string(static_cast<std::int32_t>(value->value));
    case ValueForm::label: break;
  }
  return std::string(string(value->value));
}

std::string Trace::describe_location(std::uint32_t id) const {
  if (id == 0 || id >= locations_.size()) return {};
  const Location& l = locations_[id];
  std::string_view file = string(l.file);
  // Keep "folder/file.cpp": enough to find it, short enough for a tooltip.
  auto last = file.find_last_of('/');
  if (last != std::string_view::npos && last > 0) {
    auto prev = file.find_last_of('/', last - 1);
    file.remove_prefix(prev == std::string_view::npos ? 0 : prev + 1);
  }
  return std::string(file) + ":" + std::to_string(l.line);
}

std::string Trace::task_name(std::uint32_t task) const {
  // Built lazily and extended as events arrive, so a live trace can ask at any time. Task ids are
  // dense (1, 2, 3, ...), so a table indexed by id serves; an id far beyond the tasks spawned so far
  // (a hand-made trace) goes to a map instead of growing the table to match it.
  if (task_site_cache_upto_ < size_) {
    for (std::size_t i = task_site_cache_upto_; i < size_; ++i) {
      const auto spawn = as<ev::TaskSpawned>((*this)[i]);
      if (!spawn) continue;
      if (spawn->task < task_site_cache_.size() + 65536) {
        if (task_site_cache_.size() <= spawn->task) task_site_cache_.resize(spawn->task + 1, 0);
        task_site_cache_[spawn->task] = spawn->site;
      } else {
        task_site_sparse_[spawn->task] = spawn->site;
      }
    }
    task_site_cache_upto_ = size_;
  }
  std::uint32_t site = 0;
  if (task < task_site_cache_.size()) {
    site = task_site_cache_[task];
  } else if (auto it = task_site_sparse_.find(task); it != task_site_sparse_.end()) {
    site = it->second;
  }
  std::string_view name = string(this->site(site).name);
  if (!name.empty()) return std::string(name);
  return "task " + std::to_string(task);
}

// --- Recorder --------------------------------------------------------------------------------------

void Recorder::offer_last_to_live() { live_->offer(trace_.back_stored()); }

std::uint32_t Recorder::intern_string(std::string_view s) {
  if (s.empty()) return 0;  // string 0 is the empty string: unnamed resources and tasks cost no lookup
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  std::uint32_t id = trace_.add_string(std::string(s));
  strings_.emplace(std::string(s), id);
  if (live_) [[unlikely]]
    live_->offer_table_entry({LiveTableEntry::Table::string, id, std::string(s), {}, {}});
  return id;
}

namespace {
// Cleans GCC's spelling of a coroutine's function ("Task<int> f(f()::_Z1fv.Frame*)") down to what
// the learner wrote ("Task<int> f()").
std::string clean_function_name(std::string_view fn) {
  auto frame = fn.find("::_Z");
  if (frame != std::string_view::npos) {
    auto open = fn.rfind('(', frame);
    if (open != std::string_view::npos) return std::string(fn.substr(0, open)) + "()";
  }
  return std::string(fn);
}
}  // namespace

std::uint32_t Recorder::intern_location(const std::source_location& loc) {
  const void* key = std::bit_cast<const void*>(loc);
  auto it = locations_.find(key);
  if (it != locations_.end()) return it->second;
  Location l;
  l.file = intern_string(loc.file_name());
  l.function = intern_string(clean_function_name(loc.function_name()));
  l.line = loc.line();
  l.column = loc.column();
  std::uint32_t id = trace_.add_location(l);
  locations_.emplace(key, id);
  if (live_) [[unlikely]]
    live_->offer_table_entry({LiveTableEntry::Table::location, id, {}, l, {}});
  return id;
}

std::uint32_t Recorder::intern_site(std::string_view name, const std::source_location& loc) {
  SharedGuard guard(*this);
  std::uint32_t n = name.empty() ? 0 : intern_string(name);
  std::uint32_t l = intern_location_cached(loc);
  auto key = std::make_pair(n, l);
  auto it = sites_.find(key);
  if (it != sites_.end()) return it->second;
  std::uint32_t id = trace_.add_site(SpawnSite{n, l});
  sites_.emplace(key, id);
  if (live_) [[unlikely]]
    live_->offer_table_entry({LiveTableEntry::Table::site, id, {}, {}, SpawnSite{n, l}});
  return id;
}

std::uint32_t Recorder::intern_label(std::string_view label) {
  if (label.empty()) return 0;
  SharedGuard guard(*this);
  if (auto it = strings_.find(label); it != strings_.end()) return it->second;
  if (distinct_labels_ == max_distinct_labels) return 0;
  ++distinct_labels_;
  return intern_string(label);
}

Trace Recorder::take() {
  Trace out = std::move(trace_);
  trace_ = Trace();
  strings_.clear();
  locations_.clear();
  sites_.clear();
  distinct_labels_ = 0;
  for (auto& slot : location_cache_) slot = {};
  return out;
}

}  // namespace asynclab::trace
