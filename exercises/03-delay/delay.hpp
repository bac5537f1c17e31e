#pragma once
// Given for exercise 03 — read it, but leave it as it is: the Delay future and the timer that wakes
// it. You write Delay::poll in exercise.cpp.
//
// The timer is a small task that sleeps until the deadline, marks the Delay as fired, and wakes
// whatever waker the Delay last left in their shared state. mini-tokio's Delay spawns a *thread* per
// delay for this, and says so: "obviously a terrible implementation strategy". A task costs a few
// hundred bytes instead of a stack, but the shape is the same — the future stores a waker, something
// else wakes it when the time comes.
#include <memory>
#include <optional>
#include <utility>

#include "asynclab/asynclab.hpp"

// What the Delay and its timer share.
struct DelayState {
  bool fired = false;     // set by the timer at the deadline
  asynclab::Waker waker;  // left here by Delay::poll; woken by the timer (empty: nobody to wake)
};

// The timer: sleeps until `deadline`, then fires. `wake()` consumes the stored waker.
inline asynclab::Task<void> run_timer(asynclab::Instant deadline, std::shared_ptr<DelayState> state) {
  co_await asynclab::sleep_until(deadline);
  state->fired = true;
  state->waker.wake();
}

// `struct Delay { when: Instant }`: completes at its deadline, `d` after it was created.
class [[nodiscard("futures are lazy: a Delay does nothing until it is awaited")]] Delay {
 public:
  using Output = void;

  explicit Delay(asynclab::Duration d) : deadline(asynclab::now() + d) {}
  Delay(Delay&&) = default;
  Delay& operator=(Delay&&) = delete;
  // Dropping a Delay cancels its timer: a dropped future must not keep work (or a waker) alive.
  ~Delay() {
    if (timer) timer->abort();
  }

  // Written by you, in exercise.cpp.
  asynclab::Poll<void> poll(asynclab::Context& cx);

  // Spawns the timer task, named "delay timer". Lazy like every future: call it at the first poll,
  // and only once.
  void start_timer() { timer.emplace(asynclab::spawn(run_timer(deadline, state), "delay timer")); }

  asynclab::Instant deadline;
  std::shared_ptr<DelayState> state = std::make_shared<DelayState>();
  std::optional<asynclab::JoinHandle<void>> timer;  // empty until start_timer()
};
