#pragma once
// Fiber — a second stack on the same thread, switched to and from explicitly. The simulated
// multi-worker runtime (detail/scheduler.hpp, "Simulated workers") runs each worker's polls on its
// own fiber, so a poll that holds its worker (sim::block_for) can be set aside mid-poll while the
// other workers go on polling at the same virtual instant, and picked up again when its time is up.
//
// Rules:
// * One thread. A fiber is resumed and suspends on the thread that created it; nothing here is
//   thread-safe, and nothing needs to be: only one stack runs at any moment.
// * resume() runs the fiber until it calls suspend() (or its body returns, which ends it for good);
//   suspend() goes back to whoever called resume(). Fibers nest: a fiber may resume another one.
// * The body must not let an exception escape (it would leave its stack with nowhere to go): the
//   scheduler's poll catches every task's exception in the task itself.
// * A fiber destroyed while suspended simply loses its stack: its body must then hold nothing that
//   needs a destructor. The scheduler destroys worker fibers only between polls.
// * AddressSanitizer is told about every switch (__sanitizer_start/finish_switch_fiber), so it
//   follows the stacks rather than reporting false errors.
#include <cstddef>
#include <functional>
#include <memory>

namespace asynclab::detail {

class Fiber {
 public:
  explicit Fiber(std::function<void()> body, std::size_t stack_size = 1u << 20);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Switches to the fiber; returns when it suspends or finishes.
  void resume();
  // From inside a fiber: back to the code that resumed it.
  static void suspend();
  bool finished() const { return finished_; }

 private:
  struct Impl;
  static void entry();
  std::unique_ptr<Impl> impl_;
  std::function<void()> body_;
  bool finished_ = false;
};

}  // namespace asynclab::detail
