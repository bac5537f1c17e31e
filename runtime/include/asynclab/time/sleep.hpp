#pragma once
// sleep and sleep_until — `tokio::time::{sleep, sleep_until, Sleep}`.
//
// Rules:
// * A Sleep is lazy like every future: the timer is armed at its first poll, not at creation, and
//   the deadline is fixed at creation (sleep(d) means "d after now", now being creation time).
// * Pending polls keep the stored waker current (replaced only when `will_wake` says it changed).
// * Dropping a Sleep disarms its timer: a cancelled sleep never wakes anyone.
// * A Sleep may be moved at any time: the timer refers to a runtime slot, never to the Sleep itself.
// * A Sleep may outlive its runtime (kept in state the program owns): dropping it then does nothing.
// * Timers fire on whole milliseconds, as Tokio's do: Tokio's timer wheel counts in 1 ms ticks since
//   the runtime started and rounds every deadline UP to the next tick. So sleep(1500us) and
//   sleep(1200us), made at 0, both fire at 2 ms (virtual time then reads 2 ms), in the order they
//   were first polled. deadline() is still the exact instant.
// * A deadline that has already passed when the Sleep is polled completes at once (and is_elapsed()
//   is true from the exact deadline on). Tokio would still wait for its wheel's next tick: this
//   differs only for a zero or past deadline in real time, or after sim::block_for moved virtual
//   time past a deadline — never for the whole-millisecond instants of a virtual-time run.
#include <cstdint>
#include <stdexcept>

#include "asynclab/coop.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

class [[nodiscard("futures are lazy: a Sleep does nothing until it is awaited")]] Sleep {
 public:
  using Output = void;

  explicit Sleep(Instant deadline) : deadline_ns_(static_cast<std::uint64_t>(deadline.time_since_epoch().count())) {}
  Sleep(Sleep&& other) noexcept
      : deadline_ns_(other.deadline_ns_),
        scheduler_(std::exchange(other.scheduler_, nullptr)),
        scheduler_serial_(other.scheduler_serial_),
        timer_(other.timer_) {}
  Sleep& operator=(Sleep&& other) noexcept {
    if (this != &other) {
      disarm();
      deadline_ns_ = other.deadline_ns_;
      scheduler_ = std::exchange(other.scheduler_, nullptr);
      scheduler_serial_ = other.scheduler_serial_;
      timer_ = other.timer_;
    }
    return *this;
  }
  ~Sleep() { disarm(); }

  Poll<void> poll(Context& cx) {
    return coop::budgeted<void>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<void> poll_unbudgeted(Context& cx) {
    auto* s = detail::Scheduler::current();
    if (!s) [[unlikely]]
      throw std::logic_error("a Sleep must be polled inside an asynclab runtime");
    if (s->now_ns() >= deadline_ns_) {
      disarm();
      return Poll<void>::ready();
    }
    if (!scheduler_ || !s->timer_pending(timer_, cx.waker())) {
      scheduler_ = s;
      scheduler_serial_ = s->serial();
      timer_ = s->arm_timer(tick_of(deadline_ns_), cx.waker());
    }
    return Poll<void>::pending();
  }

  Instant deadline() const { return Instant(Duration(deadline_ns_)); }
  bool is_elapsed() const { return detail::Scheduler::current()->now_ns() >= deadline_ns_; }
  // Moves the deadline (tokio's Sleep::reset); the timer is re-armed at the next poll.
  void reset(Instant deadline) {
    disarm();
    deadline_ns_ = static_cast<std::uint64_t>(deadline.time_since_epoch().count());
  }

 private:
  // The whole millisecond a deadline fires at (see the rules above): tokio's deadline_to_tick.
  static constexpr std::uint64_t tick_of(std::uint64_t deadline_ns) {
    constexpr std::uint64_t ms = 1'000'000;
    return deadline_ns > UINT64_MAX - (ms - 1) ? deadline_ns : (deadline_ns + ms - 1) / ms * ms;
  }
  void disarm() {
    if (!scheduler_) return;
    auto* s = std::exchange(scheduler_, nullptr);
    if (detail::Scheduler::is_alive(s, scheduler_serial_)) s->cancel_timer(timer_);
  }
  std::uint64_t deadline_ns_;
  detail::Scheduler* scheduler_ = nullptr;
  std::uint64_t scheduler_serial_ = 0;
  detail::Scheduler::TimerHandle timer_{};
};

inline Sleep sleep_until(Instant deadline) { return Sleep(deadline); }
inline Sleep sleep(Duration d) { return Sleep(now() + d); }

}  // namespace asynclab
