#pragma once
// interval — `tokio::time::{interval, interval_at, Interval, MissedTickBehavior}`: a ticker that
// completes once per period.
//
// Rules (Tokio 1.24's, line for line):
// * The first tick completes at `start` (at once for interval(period)); tick() gives the instant
//   the tick was scheduled for, not when it completed.
// * A tick is a Sleep inside the Interval, so it fires on a whole millisecond (time/sleep.hpp).
// * A tick counts as missed when it completes more than 5 ms after it was scheduled (Tokio's
//   tolerance: a tick a little late is not missed). Then the next tick follows the Interval's
//   MissedTickBehavior; otherwise it is scheduled one period after the last:
//   - Burst (the default): the next tick is one period after the missed one, so the late ticks
//     complete at once, back to back, until the Interval has caught up — the count stays right.
//   - Delay: the next tick is one period after now; every later tick keeps that new rhythm.
//   - Skip: the next tick is the next one on the original rhythm still ahead of now; the ticks
//     missed in between are dropped.
// * tick() borrows the Interval; only one tick future may be pending at a time. A tick future
//   dropped before it completed (a select's loser) loses nothing: the Interval keeps its schedule.
// * reset() makes the next tick one period from now.
#include <cstdint>
#include <stdexcept>

#include "asynclab/coop.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab {

// `tokio::time::MissedTickBehavior`: what an Interval does after a tick completed late (rules above).
enum class MissedTickBehavior { Burst, Delay, Skip };

class Interval {
 public:
  Interval(Instant start, Duration period) : delay_(start), period_(period) {
    if (period.count() <= 0) throw std::invalid_argument("interval period must be positive");
  }

  class [[nodiscard("futures are lazy: a tick does nothing until it is awaited")]] Tick {
   public:
    using Output = Instant;
    explicit Tick(Interval& i) : interval_(&i) {}
    Poll<Instant> poll(Context& cx) {
      return coop::budgeted<Instant>(cx, [&] { return poll_unbudgeted(cx); });
    }
    // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
    Poll<Instant> poll_unbudgeted(Context& cx) { return interval_->poll_tick(cx); }

   private:
    Interval* interval_;
  };

  Tick tick() { return Tick(*this); }
  Duration period() const { return period_; }
  // Makes the next tick complete one period from now.
  void reset() { delay_.reset(now() + period_); }
  MissedTickBehavior missed_tick_behavior() const { return behavior_; }
  void set_missed_tick_behavior(MissedTickBehavior behavior) { behavior_ = behavior; }

  // Tokio's Interval::poll_tick: Ready with the instant the tick was scheduled for.
  Poll<Instant> poll_tick(Context& cx) {
    // The tick has spent the cooperative unit already: its sleep must not spend a second.
    if (delay_.poll_unbudgeted(cx).is_pending()) return Poll<Instant>::pending();
    const Instant scheduled = delay_.deadline();
    const Instant n = now();
    delay_.reset(n > scheduled + late_tolerance ? next_after_missed(scheduled, n) : scheduled + period_);
    return Poll<Instant>::ready(scheduled);
  }

 private:
  static constexpr Duration late_tolerance = std::chrono::milliseconds(5);

  Instant next_after_missed(Instant scheduled, Instant n) const {
    switch (behavior_) {
      case MissedTickBehavior::Burst:
        return scheduled + period_;
      case MissedTickBehavior::Delay:
        return n + period_;
      case MissedTickBehavior::Skip:
        return n + period_ - Duration((n - scheduled).count() % period_.count());
    }
    return scheduled + period_;
  }

  Sleep delay_;
  Duration period_;
  MissedTickBehavior behavior_ = MissedTickBehavior::Burst;
};

inline Interval interval(Duration period) { return Interval(now(), period); }
inline Interval interval_at(Instant start, Duration period) { return Interval(start, period); }

}  // namespace asynclab
