#pragma once
// interval — `tokio::time::interval`: a ticker that completes once per period.
//
// Rules:
// * The first tick completes at once; tick n completes at start + n × period.
// * Missed ticks burst (tokio's default MissedTickBehavior::Burst): if the task was busy for three
//   periods, the next three ticks are ready immediately, so the count of ticks stays right.
// * tick() borrows the Interval; only one tick future may be pending at a time.
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "asynclab/coop.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab {

class Interval {
 public:
  Interval(Instant start, Duration period) : next_(start), period_(period) {
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
    Poll<Instant> poll_unbudgeted(Context& cx) {
      if (now() < interval_->next_) {
        if (!sleep_) sleep_.emplace(interval_->next_);
        // The tick has spent the unit already: its sleep must not spend a second.
        if (sleep_->poll_unbudgeted(cx).is_pending()) return Poll<Instant>::pending();
      }
      Instant fired = interval_->next_;
      interval_->next_ += interval_->period_;
      return Poll<Instant>::ready(fired);
    }

   private:
    Interval* interval_;
    std::optional<Sleep> sleep_;
  };

  Tick tick() { return Tick(*this); }
  Duration period() const { return period_; }
  // Makes the next tick complete one period from now.
  void reset() { next_ = now() + period_; }

 private:
  Instant next_;
  Duration period_;
};

inline Interval interval(Duration period) { return Interval(now(), period); }
inline Interval interval_at(Instant start, Duration period) { return Interval(start, period); }

}  // namespace asynclab
