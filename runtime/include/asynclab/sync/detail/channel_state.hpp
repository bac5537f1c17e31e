#pragma once
// ChannelState, ChannelRef and ChannelBorrow: the shared state every channel (mpsc, oneshot,
// broadcast, watch) keeps between its halves, the counted reference a handle keeps it alive with, and
// what a channel future holds instead.
//
// Rules:
// * A ChannelState is a detail::Resource (see detail/resource.hpp): the trace draws it, the deadlock
//   report names it. It is reference counted intrusively with an atomic count: every Sender,
//   Receiver, Permit and pending future holds one ChannelRef, and the state is freed when the last one
//   goes, on whichever thread that is.
// * Thread safety: the handles and futures of one channel may be used from several threads at once.
//   Every field of a derived state is read and written only under its StateLock, taken through a
//   Guard (see deferred.hpp): wakes and Waker drops that an operation causes are taken out of the
//   state under the lock and happen after the unlock, in order, and so do the trace events that
//   followed them — so a single-threaded trace is the same, event for event, as before the lock.
// * Handles (Sender, Receiver, Permit) hold a ChannelRef. mpsc's futures (send, reserve, recv,
//   closed) hold a ChannelBorrow: the pointer of the handle that made them, as a Rust future
//   borrows `&self`, and a counted reference only from the first time they wait. So a future that is
//   ready at once — a value already buffered, a free slot — costs no reference count (on worker
//   threads, a contended atomic on every send and every receive), while a waiting future keeps the
//   state, its queue node's home, alive as before. Like a borrow, such a future is to be polled
//   while a handle of its channel lives. The other channels' futures, off every hot path (and
//   broadcast's recv and watch's changed() answer "closed" after their Receiver is gone, by
//   design), keep a ChannelRef.
// * Shared states come from the runtime's FramePool (one allocation per channel, a pointer pop in the
//   common case); a bounded channel's buffer is a second allocation, made once at creation.
// * Tracing costs one predictable branch per operation when the runtime records nothing: `trace`
//   tests the running scheduler's recorder inline and only then calls Resource::record.
// * Values: right before a value is buffered (channel_send, sent), trace_value records its label as
//   channel_value when the runtime records and the value's type has a label (trace/value_label.hpp).
//   The label is formatted and interned under the channel's lock, like every other record of the
//   operation, so it lands next to its send on worker threads too; untraced, nothing is formatted.
//   An integer that fits in 32 bits is recorded as itself, unformatted (trace::inline_value).
// * `waiting()` is Resource::wait_here() for the futures: each calls it right before answering
//   Pending, so a stuck task is reported as waiting on this channel.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <mutex>
#include <optional>
#include <utility>

#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/sync/detail/deferred.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/trace/value_label.hpp"

namespace asynclab::sync::channel_detail {

class ChannelState : public ::asynclab::detail::Resource, public sync_detail::Guarded {
 public:
  ChannelState(trace::ResourceKind kind, std::string_view name, std::uint64_t limit) : Resource(kind, name, limit) {}

  // Atomic only when the state may be shared across threads (see StateLock).
  void add_ref() noexcept {
    if (lock_.enabled()) refs_.fetch_add(1, std::memory_order_relaxed);
    else refs_.store(refs_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void release() noexcept {
    if (lock_.enabled()) {
      if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
      return;
    }
    const std::uint32_t left = refs_.load(std::memory_order_relaxed) - 1;
    refs_.store(left, std::memory_order_relaxed);
    if (left == 0) delete this;
  }

  // Deferred's record callback: a trace event that had to wait for a wake, recorded after it.
  static void record_deferred(void* self, trace::EventKind kind, std::uint32_t b, std::uint16_t flags) {
    auto* s = static_cast<ChannelState*>(self);
    std::lock_guard g(s->lock_);
    s->record(kind, b, flags);
  }

  // The running task is about to answer Pending, waiting on this channel.
  void waiting() { wait_here(); }

  // Line-aligned (see Guarded), from the frame pool: a oneshot is made for every request/response.
  // A state holding a value aligned more strictly than a line (alignas(128)) goes to operator new.
  static void* operator new(std::size_t n, std::align_val_t a) {
    if (static_cast<std::size_t>(a) > ::asynclab::detail::FramePool::line_bytes) return ::operator new(n, a);
    return ::asynclab::detail::FramePool::allocate_line_aligned(n);
  }
  static void operator delete(void* p, std::size_t n, std::align_val_t a) noexcept {
    if (static_cast<std::size_t>(a) > ::asynclab::detail::FramePool::line_bytes) return ::operator delete(p, n, a);
    ::asynclab::detail::FramePool::deallocate_line_aligned(p, n);
  }

 protected:
  static bool tracing() {
    auto* s = ::asynclab::detail::Scheduler::current();
    return s && s->recorder();
  }
  void trace(trace::EventKind kind, std::uint64_t b, std::uint16_t flags) {
    if (tracing()) [[unlikely]]
      trace_now(kind, b, flags);
  }
  void trace_send(std::uint64_t buffered, trace::SendResult r) {
    trace(trace::EventKind::channel_send, buffered, static_cast<std::uint16_t>(r));
  }
  void trace_recv(std::uint64_t buffered_or_skipped, trace::RecvResult r) {
    trace(trace::EventKind::channel_recv, buffered_or_skipped, static_cast<std::uint16_t>(r));
  }
  // channel_value for `value`, which is about to be buffered: call it right before its
  // trace_send(..., sent). Types with no label record nothing, and cost nothing.
  template <class V>
  void trace_value(const V& value) {
    if constexpr (trace::Labelled<V>) {
      auto* s = ::asynclab::detail::Scheduler::current();
      if (!s || !s->recorder()) [[likely]]
        return;
      if (const std::optional<trace::InlineValue> in = trace::inline_value(value))
        trace_now(trace::EventKind::channel_value, in->bits, static_cast<std::uint16_t>(in->form));
      else
        trace_label(*s->recorder(), trace::value_label(value));
    }
  }
  void trace_closed(trace::CloseReason why) {
    trace(trace::EventKind::channel_closed, 0, static_cast<std::uint16_t>(why));
  }

  [[gnu::noinline]] void trace_now(trace::EventKind kind, std::uint64_t b, std::uint16_t flags) {
    const auto b32 = b > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(b);
    if (!defer_record(kind, b32, flags)) record(kind, b32, flags);
  }

  // 0 from intern_label: past the trace's cap of distinct labels, the token stays blank.
  [[gnu::noinline]] void trace_label(trace::Recorder& recorder, std::string_view label) {
    if (const std::uint32_t id = recorder.intern_label(label)) trace_now(trace::EventKind::channel_value, id, 0);
  }

  // "1 sender", "2 senders": the deadlock report speaks in sentences.
  static std::string count_of(std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
  }

 private:
  std::atomic<std::uint32_t> refs_{0};
};

// An owning handle to a shared state: copying adds a reference, destroying drops one.
template <class S>
class ChannelRef {
 public:
  ChannelRef() = default;
  explicit ChannelRef(S* s) noexcept : s_(s) {
    if (s_) s_->add_ref();
  }
  ChannelRef(const ChannelRef& o) noexcept : ChannelRef(o.s_) {}
  ChannelRef(ChannelRef&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  ChannelRef& operator=(ChannelRef o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~ChannelRef() { reset(); }

  void reset() noexcept {
    if (s_) std::exchange(s_, nullptr)->release();
  }
  S* get() const noexcept { return s_; }
  S* operator->() const noexcept { return s_; }
  S& operator*() const noexcept { return *s_; }
  explicit operator bool() const noexcept { return s_ != nullptr; }
  friend bool operator==(const ChannelRef& a, const ChannelRef& b) noexcept { return a.s_ == b.s_; }

 private:
  S* s_ = nullptr;
};

// What a channel future holds (see the rules): a borrowed pointer, counted once the future waits.
template <class S>
class ChannelBorrow {
 public:
  ChannelBorrow() = default;
  explicit ChannelBorrow(S* s) noexcept : s_(s) {}
  ChannelBorrow(ChannelBorrow&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), counted_(std::exchange(o.counted_, false)) {}
  ChannelBorrow& operator=(ChannelBorrow&&) = delete;
  ~ChannelBorrow() {
    if (counted_) s_->release();
  }

  // The future is about to answer Pending: from now on it keeps the state alive itself.
  void hold() noexcept {
    if (counted_) return;
    s_->add_ref();
    counted_ = true;
  }
  // Whether the future ever waited (and so may still be linked into the state).
  bool held() const noexcept { return counted_; }

  S* get() const noexcept { return s_; }
  S* operator->() const noexcept { return s_; }
  S& operator*() const noexcept { return *s_; }
  explicit operator bool() const noexcept { return s_ != nullptr; }

 private:
  S* s_ = nullptr;
  bool counted_ = false;
};

}  // namespace asynclab::sync::channel_detail
