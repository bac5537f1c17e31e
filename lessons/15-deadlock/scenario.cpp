// Lesson 15 — deadlocks: two chefs, two tools, two async mutexes.
//
// Each chef takes one tool, gets ready for `hold_ms` with it in hand, then takes the other. Taken in
// opposite orders, chef 1 ends up holding the knife and waiting for the board while chef 2 holds the
// board and waits for the knife: a wait-for cycle nothing can break. Tokio would hang there for ever.
// asynclab's runtime notices that no task can ever run again (no timer, no I/O, no blocking job left)
// and stops with a deadlock report naming the cycle. Taken in the same order, one chef simply waits
// for the other and both finish.
//
// The runtime is built with explore_schedules(), so the seed also shuffles which ready task runs
// first: the outcome must not depend on luck, and it does not.
#include <memory>
#include <string>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;

// A kitchen tool behind an async mutex; the value counts how often it was used. Shared like Tokio's
// Arc<Mutex<_>>, so it lives as long as any chef still holds a reference (even when a stuck run's
// tasks are dropped at the end).
using Tool = std::shared_ptr<sync::Mutex<int>>;

Task<void> chef(Tool first, Tool second, Duration hold) {
  auto a = co_await first->lock();
  co_await sleep(hold);  // getting ready, first tool in hand: the other chef runs meanwhile
  auto b = co_await second->lock();
  *a += 1;
  *b += 1;
  co_await sleep(5ms);  // chopping
}  // both guards dropped here: both locks released

Task<void> kitchen(bool same_order, Duration hold) {
  auto knife = std::make_shared<sync::Mutex<int>>(0, "knife");
  auto board = std::make_shared<sync::Mutex<int>>(0, "board");
  auto chef1 = spawn(chef(knife, board, hold), "chef 1");
  auto chef2 = same_order ? spawn(chef(knife, board, hold), "chef 2")   // knife, then board
                          : spawn(chef(board, knife, hold), "chef 2");  // board, then knife
  (void)co_await chef1;
  (void)co_await chef2;
  mark("both chefs done");
  auto k = knife->try_lock();
  auto b = board->try_lock();
  if (k && b) say("the knife was used {} times, the board {} times", **k, **b);
}

}  // namespace

void scenario_15_deadlock(ScenarioRun& run) {
  const auto& p = run.params();
  run.block_on(run.builder().explore_schedules(),
               kitchen(p.choice("lock_order") == "same", p.millis("hold_ms")));
}

}  // namespace asynclab::lessons
