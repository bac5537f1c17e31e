#pragma once
// Poll<T>: the answer a future gives each time it is polled — Rust's `Poll::Ready(v)` / `Poll::Pending`.
//
// Rules:
// * A Pending answer promises that the future has arranged for the task's waker to be woken when
//   progress is possible (stored a clone of `cx.waker()` somewhere, or woken it already).
// * A Ready answer is given at most once; polling a completed future again is a bug in the caller.
// * Poll<void> carries no value: ready or pending, nothing else.
#include <cassert>
#include <optional>
#include <utility>

namespace asynclab {

template <class T>
class [[nodiscard]] Poll {
 public:
  static Poll ready(T value) { return Poll(std::move(value)); }
  static Poll pending() { return Poll(); }

  bool is_ready() const { return value_.has_value(); }
  bool is_pending() const { return !value_.has_value(); }

  T& value() & {
    assert(is_ready());
    return *value_;
  }
  T&& value() && {
    assert(is_ready());
    return std::move(*value_);
  }
  // Moves the value out; the Poll is left ready-but-moved-from, as Rust's `match` would leave it.
  T take() { return std::move(*value_); }

 private:
  Poll() = default;
  explicit Poll(T value) : value_(std::move(value)) {}
  std::optional<T> value_;
};

template <>
class [[nodiscard]] Poll<void> {
 public:
  static Poll ready() { return Poll(true); }
  static Poll pending() { return Poll(false); }
  bool is_ready() const { return ready_; }
  bool is_pending() const { return !ready_; }
  void value() const { assert(ready_); }
  void take() const {}

 private:
  explicit Poll(bool ready) : ready_(ready) {}
  bool ready_;
};

}  // namespace asynclab
