#pragma once
// Waker and Context — Rust's `std::task::{Waker, Context}`.
//
// Rules:
// * A Waker is a reference-counted handle that, when woken, makes its task runnable again. Copying
//   a Waker clones it (the count goes up); destroying one drops it. `wake()` consumes the waker,
//   `wake_by_ref()` keeps it. The runtime counts clones, drops, wakes and self-wakes per task, as
//   tokio-console does, and records each one when tracing.
// * A future that returns Pending must first store a clone of `cx.waker()` wherever the event it
//   waits for will find it (a timer, a channel) — or wake it at once (yield_now). If every clone is
//   dropped and nothing woke the task, the task can never run again: a "lost waker".
// * `will_wake(other)` is true when both wake the same task, so a future can keep the waker it
//   stored instead of cloning a new one on every poll.
// * The Context given to `poll` lends the task's waker for the duration of that poll only. It also
//   carries the poll's cooperative budget (detail/budget.hpp, asynclab/coop.hpp): a Context the
//   runtime makes for a task's poll is constrained, one made anywhere else is not.
// * Wakers of the current-thread runtime are used on the runtime's thread.
#include <cstdint>
#include <source_location>
#include <utility>

#include "asynclab/detail/budget.hpp"

namespace asynclab {

// How a kind of waker is cloned, woken and dropped. Tasks of the runtime have one vtable; tests and
// lessons may build their own (a counting waker, a no-op waker) the way Rust's RawWakerVTable allows.
struct WakerVTable {
  void* (*clone)(void* data);
  void (*wake)(void* data);  // wakes and drops in one step
  void (*wake_by_ref)(void* data);
  void (*drop)(void* data);
};

class Waker {
 public:
  // An empty waker wakes nothing. Useful as "no waker stored yet".
  Waker() = default;
  Waker(const WakerVTable* vtable, void* data) noexcept : vtable_(vtable), data_(data) {}

  Waker(const Waker& other) : vtable_(other.vtable_), data_(other.vtable_ ? other.vtable_->clone(other.data_) : nullptr) {}
  Waker(Waker&& other) noexcept : vtable_(std::exchange(other.vtable_, nullptr)), data_(std::exchange(other.data_, nullptr)) {}
  Waker& operator=(const Waker& other) {
    if (this != &other) *this = Waker(other);
    return *this;
  }
  Waker& operator=(Waker&& other) noexcept {
    if (this != &other) {
      reset();
      vtable_ = std::exchange(other.vtable_, nullptr);
      data_ = std::exchange(other.data_, nullptr);
    }
    return *this;
  }
  ~Waker() { reset(); }

  Waker clone() const { return Waker(*this); }

  // Wakes the task and consumes this waker (it is empty afterwards), like Rust's `wake(self)`.
  void wake() {
    if (!vtable_) return;
    auto* vt = std::exchange(vtable_, nullptr);
    vt->wake(std::exchange(data_, nullptr));
  }
  void wake_by_ref() const {
    if (vtable_) vtable_->wake_by_ref(data_);
  }
  bool will_wake(const Waker& other) const { return vtable_ == other.vtable_ && data_ == other.data_; }

  bool empty() const { return vtable_ == nullptr; }
  explicit operator bool() const { return vtable_ != nullptr; }

  const WakerVTable* vtable() const { return vtable_; }
  void* data() const { return data_; }

  // Drops the waker now (it becomes empty).
  void reset() {
    if (vtable_) std::exchange(vtable_, nullptr)->drop(std::exchange(data_, nullptr));
  }

  // Gives up ownership without dropping: for the runtime's borrowed waker in a Context.
  void release() noexcept {
    vtable_ = nullptr;
    data_ = nullptr;
  }

 private:
  const WakerVTable* vtable_ = nullptr;
  void* data_ = nullptr;
};

// A waker that does nothing: for polling a future by hand in a test or a lesson.
const Waker& noop_waker();

class Context {
 public:
  explicit Context(const Waker& waker, detail::Budget budget = detail::Budget::unconstrained())
      : waker_(&waker), budget_(budget) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Waker& waker() const { return *waker_; }

  // Where the task is parked: the innermost `co_await` still pending when this poll ends. Each await
  // saves what was recorded before it, polls, and either restores it (its future finished, so nothing
  // below it is parked any more) or records its own location unless something deeper already did.
  struct Park {
    std::source_location location;
    bool set = false;
  };
  // The park, else (a task whose own code named none: its body is asynclab's, as net::http::serve's
  // connections are) the innermost library await's.
  const std::source_location* parked_at() const {
    return park_.set ? &park_.location : library_park_set_ ? &library_park_ : nullptr;
  }
  Park take_park() { return std::exchange(park_, Park{}); }
  void restore_park(const Park& p) { park_ = p; }
  void park_at(const std::source_location& loc) {
    if (!park_.set) park_ = Park{loc, true};
  }
  // A pending `co_await library_await(...)` (task.hpp): only a fallback, so that the learner's await
  // around it names the park. Kept apart from Park: the learner's awaits copy nothing more.
  void park_in_library(const std::source_location& loc) {
    if (!library_park_set_) {
      library_park_ = loc;
      library_park_set_ = true;
    }
  }

  // The join/select/timeout node being polled right now (0: the task's root), so a combinator
  // nested inside another can name its parent in the trace's future tree.
  std::uint32_t future_node() const { return future_node_; }
  std::uint32_t swap_future_node(std::uint32_t node) { return std::exchange(future_node_, node); }

  // What is left of this poll's cooperative budget (asynclab/coop.hpp).
  detail::Budget& budget() { return budget_; }

 private:
  const Waker* waker_;
  Park park_;
  std::source_location library_park_;
  bool library_park_set_ = false;
  std::uint32_t future_node_ = 0;
  detail::Budget budget_;
};

}  // namespace asynclab
