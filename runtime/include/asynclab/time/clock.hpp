#pragma once
// The runtime's clock — `tokio::time::Instant` — virtual or real, chosen when the runtime is built.
//
// Rules:
// * `now()` (or `Instant::now()`) reads the clock of the runtime running on this thread:
//   nanoseconds since it started. In virtual time it only moves when every task is idle (straight
//   to the next timer) or when a task simulates blocking work (sim::block_for), so it tells "how
//   long would this take" without waiting for it.
// * Outside a runtime there is no clock: now() throws std::logic_error.
// * An Instant is a std::chrono::time_point of this clock with Rust's names on top:
//   `start.elapsed()` is `now() - start`, `later.duration_since(earlier)` is `later - earlier`;
//   both are zero, as Rust's saturate, when the result would be negative (an instant still ahead). Instant ± a duration stays an
//   Instant, so `(start + 10ms).elapsed()` reads as it would in Rust.
#include <chrono>
#include <concepts>

namespace asynclab {

using Duration = std::chrono::nanoseconds;

struct Clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock, duration>;
  static constexpr bool is_steady = true;
  static time_point now();
};

class Instant : public Clock::time_point {
 public:
  using Clock::time_point::time_point;
  // Every std::chrono operation on this clock gives a plain time_point; it converts back.
  constexpr Instant(const Clock::time_point& t) : Clock::time_point(t) {}  // NOLINT(google-explicit-constructor)

  static Instant now() { return Clock::now(); }
  // How long ago this instant was, on the runtime's clock (Rust's `Instant::elapsed`); zero for an
  // instant still ahead.
  Duration elapsed() const { return Instant(Clock::now()).duration_since(*this); }
  // How long after `earlier` this instant is; zero when `earlier` is later (Rust saturates too).
  constexpr Duration duration_since(Instant earlier) const {
    const Duration d = base() - earlier.base();
    return d < Duration::zero() ? Duration::zero() : d;
  }

  // Templates, so that they beat std::chrono's (which take a base-class time_point) for any
  // duration that converts to nanoseconds without loss.
  template <class Rep, class Period>
    requires std::convertible_to<std::chrono::duration<Rep, Period>, Duration>
  friend constexpr Instant operator+(const Instant& t, std::chrono::duration<Rep, Period> d) {
    return Instant(t.base() + Duration(d));
  }
  template <class Rep, class Period>
    requires std::convertible_to<std::chrono::duration<Rep, Period>, Duration>
  friend constexpr Instant operator+(std::chrono::duration<Rep, Period> d, const Instant& t) {
    return Instant(t.base() + Duration(d));
  }
  template <class Rep, class Period>
    requires std::convertible_to<std::chrono::duration<Rep, Period>, Duration>
  friend constexpr Instant operator-(const Instant& t, std::chrono::duration<Rep, Period> d) {
    return Instant(t.base() - Duration(d));
  }

 private:
  constexpr const Clock::time_point& base() const { return *this; }
};

inline Instant now() { return Clock::now(); }

}  // namespace asynclab
