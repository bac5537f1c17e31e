#pragma once
// Deferred: what a primitive must do after releasing its shared state's StateLock — wake a Waker,
// drop a Waker — kept in the order the operation produced it, together with the trace events that
// followed the first such action, so the trace reads exactly as it did when everything ran inline.
//
// Rules:
// * Declare it BEFORE the std::lock_guard of the state's lock: the guard unlocks first, then this
//   object's destructor runs the actions, in order, with the lock released. (A wake may re-enter the
//   primitive; a dropped Waker may run arbitrary code; neither may happen under the lock.)
// * wake(w) / drop(w) take the Waker out of the shared state (or out of a waiter node: the node may be
//   freed by its owner as soon as the lock is released, the local copy here may not).
// * record(...) while nothing is deferred yet answers false: the caller records at once, under the
//   lock (trace order = state order). Once a wake or drop is deferred, a later event is deferred too,
//   so it still comes after that wake or drop; the owner then records it after the unlock through
//   `Owner::record_deferred`, which takes the lock again for the record itself.
// * Guarded is what a shared state inherits (besides detail::Resource): its StateLock and, while a
//   Guarded::Guard holds it, that holder's Deferred, so the state's own helpers (defer_wake, ...) and
//   its trace helpers find it.
// * A state whose StateLock is off (made inside a single-threaded runtime) takes no lock and
//   so defers nothing: under its Guard, defer_wake wakes and defer_drop drops at once, and records
//   are never deferred — the order the operation produces, which deferring only reproduces.
// * No allocation for up to `inline_actions` actions (every hot path: one wake, perhaps one drop);
//   more (a close that wakes every waiting sender) spill into a vector.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "asynclab/detail/resource.hpp"
#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/detail/state_lock.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::sync_detail {

class Deferred {
 public:
  // Records an event for `owner` after the unlock (taking the lock again around the record).
  using RecordFn = void (*)(void* owner, trace::EventKind kind, std::uint32_t b, std::uint16_t flags);

  // Cheap when nothing is deferred: a few stores to build, one test to destroy (the inline actions
  // are left unconstructed until used).
  Deferred(void* owner, RecordFn record) noexcept : owner_(owner), record_(record) {}
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;
  [[gnu::always_inline]] ~Deferred() {
    if (count_ != 0) run();
  }

  // Takes w (leaving it empty) to be woken after the unlock through resource_wake.
  [[gnu::always_inline]] void wake(Waker& w) {
    if (w) take(push(Kind::wake), w);
  }
  // Takes w (leaving it empty) to be dropped after the unlock.
  [[gnu::always_inline]] void drop(Waker& w) {
    if (w) take(push(Kind::drop), w);
  }
  void drop(Waker&& w) { drop(w); }
  // True when the event was deferred (the caller must not record it); false: record it now.
  bool defer_record(trace::EventKind kind, std::uint32_t b, std::uint16_t flags) {
    if (count_ == 0) return false;
    Action& a = push(Kind::record);
    a.event = kind;
    a.b = b;
    a.flags = flags;
    return true;
  }
  bool empty() const noexcept { return count_ == 0; }

  // Runs every action now (the lock must be released). The destructor calls it too.
  [[gnu::noinline]] void run() {
    const std::size_t n = std::exchange(count_, 0);
    std::vector<Action>* more = std::exchange(more_, nullptr);
    for (std::size_t i = 0; i < n; ++i) {
      Action& a = i < inline_actions ? inline_[i] : (*more)[i - inline_actions];
      switch (a.kind) {
        case Kind::wake: {
          Waker w(a.vtable, a.data);
          ::asynclab::detail::resource_wake(w);
          break;
        }
        case Kind::drop: {
          Waker w(a.vtable, a.data);  // dropped here
          break;
        }
        case Kind::record:
          record_(owner_, a.event, a.b, a.flags);
          break;
      }
    }
    delete more;
  }

 private:
  enum class Kind : std::uint8_t { wake, drop, record };
  // A Waker kept as its two raw words (ownership included), so an unused slot needs no constructor.
  struct Action {
    const WakerVTable* vtable;
    void* data;
    std::uint32_t b;
    std::uint16_t flags;
    Kind kind;
    trace::EventKind event;
  };
  static constexpr std::size_t inline_actions = 2;

  static void take(Action& a, Waker& w) noexcept {
    a.vtable = w.vtable();
    a.data = w.data();
    w.release();  // the Action owns it now
  }
  [[gnu::always_inline]] Action& push(Kind k) {
    Action* a;
    if (count_ < inline_actions) [[likely]] {
      a = &inline_[count_];
    } else {
      a = &push_more();
    }
    ++count_;
    a->kind = k;
    return *a;
  }

  [[gnu::noinline]] Action& push_more() {
    if (!more_) more_ = new std::vector<Action>();
    return more_->emplace_back();
  }

  void* owner_;
  RecordFn record_;
  std::size_t count_ = 0;
  std::vector<Action>* more_ = nullptr;  // beyond inline_actions (a close waking many waiters)
  Action inline_[inline_actions];         // left uninitialised: only [0, count_) is meaningful
};

// The lock of a shared state, and the Deferred of whoever holds it. S (the derived state) provides
//   static void record_deferred(void* self, trace::EventKind, std::uint32_t, std::uint16_t);
// which locks, records, unlocks.
// Aligned to a cache line, with the lock first: the lock and the derived state's hottest fields,
// declared right after it, come to a thread in one cache-line transfer (mpsc_contention spent most
// of its time in those transfers). States are allocated line-aligned (channel_state.hpp).
class alignas(::asynclab::detail::FramePool::line_bytes) Guarded {
 public:
  // Locks the state; on destruction unlocks it, THEN runs what was deferred (member order: the
  // Deferred outlives the body of ~Guard, which unlocks).
  class Guard {
   public:
    template <class S>
    [[gnu::always_inline]] explicit Guard(S& s) : deferred_(&s, &S::record_deferred), state_(s) {
      // A state that never locks (one thread only, see StateLock) defers nothing either:
      // with no lock to release first, its wakes, drops and records happen in place, in the order
      // the operation makes them — the same order deferring keeps.
      if (!state_.lock_.enabled()) [[likely]]
        return;
      state_.lock_.lock();
      state_.deferred_ = &deferred_;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    [[gnu::always_inline]] ~Guard() { unlock(); }
    // Takes the lock again after unlock() (to wait without holding it, then look again).
    void lock() noexcept {
      if (locked_) return;
      locked_ = true;
      if (!state_.lock_.enabled()) return;
      state_.lock_.lock();
      state_.deferred_ = &deferred_;
    }
    // Unlocks early; the deferred actions still run at the end of the scope.
    [[gnu::always_inline]] void unlock() noexcept {
      if (!locked_) return;
      locked_ = false;
      if (!state_.lock_.enabled()) return;
      state_.deferred_ = nullptr;
      state_.lock_.unlock();
    }

   private:
    Deferred deferred_;
    Guarded& state_;
    bool locked_ = true;
  };

 protected:
  Guarded() = default;
  ~Guarded() = default;

 public:
  // Only under a Guard: take w out now, wake / drop it after the unlock (at once when the state
  // does not lock: see Guard).
  void defer_wake(Waker& w) {
    if (deferred_) {
      deferred_->wake(w);
    } else if (w) {
      Waker now = std::move(w);
      ::asynclab::detail::resource_wake(now);
    }
  }
  void defer_drop(Waker& w) {
    if (deferred_) deferred_->drop(w);
    else w.reset();
  }
  // Replaces a stored waker with w when it would wake another task (cloning w under the lock, as
  // the inline code did), the old one dropped after the unlock.
  void refresh_waker(Waker& slot, const Waker& w) {
    if (slot.will_wake(w)) [[likely]]
      return;
    replace_waker(slot, w);
  }
  // True when a trace event must wait for the deferred actions before it (see the rules).
  bool defer_record(trace::EventKind kind, std::uint32_t b, std::uint16_t flags) {
    return deferred_ && deferred_->defer_record(kind, b, flags);
  }

 protected:
  mutable ::asynclab::detail::StateLock lock_{::asynclab::detail::may_be_shared_across_threads()};

 private:
  [[gnu::noinline]] void replace_waker(Waker& slot, const Waker& w) {
    Waker old = std::exchange(slot, Waker(w));
    defer_drop(old);
  }


  Deferred* deferred_ = nullptr;
};

}  // namespace asynclab::sync::sync_detail
