// Lesson 05 — pinning.
//
// Why Pin exists, shown rather than argued. SumOfOwnData is the state machine the compiler makes of
//
//   async fn sum_of_own_data() -> i32 {
//       let data = [1, 2, 3];
//       let slice = &data[..];            // a reference into the future's own state
//       tokio::task::yield_now().await;   // suspended while holding it
//       slice.iter().sum()
//   }
//
// written by hand: it keeps `data` and, from its first poll on, a pointer into `data` — into
// itself. The "holder" task keeps one in a Pinned (asynclab/pin.hpp), which records every home the
// future lives at. Moved before its first poll (`move_before_poll`), nothing points into it yet, so
// nothing breaks. The first poll pins it. Moved after that (`move_after_poll`), its pointer still
// aims at the old home: Rust's type system forbids that move, C++ cannot, so Pinned records it and
// refuses the next poll (it throws, and the holder task panics) rather than read through the
// dangling pointer.
//
// Then main does the same with a coroutine — the same state machine, written as a Task — and moves
// the Task after its first poll. That works: moving a Task moves a handle; the frame never moves.
#include <array>
#include <optional>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

struct SumOfOwnData {
  using Output = int;
  std::array<int, 3> data{1, 2, 3};
  const int* slice = nullptr;  // null until the first poll: nothing points into the future yet

  Poll<int> poll(Context& cx) {
    if (slice == nullptr) {
      slice = data.data();       // let slice = &data[..];
      cx.waker().wake_by_ref();  // yield_now().await
      return Poll<int>::pending();
    }
    return Poll<int>::ready(slice[0] + slice[1] + slice[2]);  // slice.iter().sum()
  }

  // What Pinned asks to learn where the inner pointer aims (the arrow in the Pinning window).
  const void* self_reference() const { return slice; }
};

// Polls a future exactly once with this task's Context and says whether it was Ready: one step of
// what an executor does (Rust: `futures::poll!(fut.as_mut())`). It lets a task stop between two
// polls of a future it holds, which is where the interesting moves happen.
template <class F>
struct PollOnce {
  using Output = bool;
  F* future;
  Poll<bool> poll(Context& cx) { return Poll<bool>::ready(future->poll(cx).is_ready()); }
};
template <class F>
PollOnce<F> poll_once(F& future) {
  return PollOnce<F>{&future};
}

Task<int> hold(bool move_before_poll, bool move_after_poll) {
  // Three places the future can live, all inside this coroutine's frame.
  std::optional<Pinned<SumOfOwnData>> made_here, carried_here, moved_later;

  Pinned<SumOfOwnData>* future = &made_here.emplace(SumOfOwnData{});
  mark("placed");
  say("holder: a SumOfOwnData made; its pointer is still null");
  if (move_before_poll) {
    future = &carried_here.emplace(std::move(*future));  // fine: nothing points into it yet
    mark("moved before its first poll");
    say("holder: moved it before its first poll — harmless");
  }

  co_await poll_once(*future);  // the first poll pins it; `slice` now points into it
  mark("pinned by its first poll");
  say("holder: polled it once: Pending, and its pointer now aims into itself");
  co_await yield_now();  // the holder parks between two polls, like any task

  if (move_after_poll) {
    future = &moved_later.emplace(std::move(*future));  // what Rust's Pin makes a compile error
    mark("moved after it was pinned");
    say("holder: moved it after it was pinned — its pointer still aims at the old home");
  }
  const int sum = co_await *future;  // refused (std::logic_error) if it moved after pinning
  mark("read through its own pointer");
  co_return sum;
}

// The same state machine, written as a coroutine: `data` and `slice` live in the coroutine frame.
Task<int> sum_of_own_data() {
  std::array<int, 3> data{1, 2, 3};
  const int* slice = data.data();  // a pointer into the frame
  co_await yield_now();            // suspended while holding it
  co_return slice[0] + slice[1] + slice[2];
}

Task<void> pinning_main(bool move_before_poll, bool move_after_poll) {
  auto holder = spawn(hold(move_before_poll, move_after_poll), "holder");
  auto held = co_await holder;
  if (held) {
    say("main: the holder read {} through its future's own pointer", *held);
  } else {
    say("main: the holder failed: {}", held.error().to_string());
  }
  mark("holder finished");

  auto frame = sum_of_own_data();
  co_await poll_once(frame);  // first poll: `slice` points into the frame
  mark("coroutine polled once");
  auto moved = std::move(frame);  // moves the handle; the frame stays where it was allocated
  const int sum = co_await moved;
  say("main: the moved Task read {} through its pointer: the frame never moved", sum);
  mark("moved Task still works");
}

}  // namespace

void scenario_05_pinning(ScenarioRun& run) {
  const auto& p = run.params();
  run.block_on(pinning_main(p.flag("move_before_poll"), p.flag("move_after_poll")));
}

}  // namespace asynclab::lessons
