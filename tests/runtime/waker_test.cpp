// Waker and Context (runtime/include/asynclab/waker.hpp): clone, drop, wake, wake_by_ref, will_wake,
// custom vtables, and how the runtime counts and records each.
// Flavors (support/flavors.hpp): will_wake runs on current_thread and on multi_thread(2) and (4); the
// tests that read the trace's wakes and clones, or rely on one thread's order, run on current_thread
// only; the hand-polled ones need no runtime.
#include <catch2/catch.hpp>

#include <optional>

#include "asynclab/asynclab.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

// A waker that only counts what is done to it — Rust's RawWakerVTable exercise.
struct WakeCounts {
  int clones = 0;
  int wakes = 0;
  int wakes_by_ref = 0;
  int drops = 0;
};
void* counting_clone(void* data) {
  ++static_cast<WakeCounts*>(data)->clones;
  return data;
}
void counting_wake(void* data) {
  ++static_cast<WakeCounts*>(data)->wakes;
  ++static_cast<WakeCounts*>(data)->drops;  // wake consumes the waker
}
void counting_wake_by_ref(void* data) { ++static_cast<WakeCounts*>(data)->wakes_by_ref; }
void counting_drop(void* data) { ++static_cast<WakeCounts*>(data)->drops; }
constexpr WakerVTable counting_vtable{&counting_clone, &counting_wake, &counting_wake_by_ref, &counting_drop};

Task<int> waits_for(Signal& signal, int v) {
  co_await signal.wait();
  co_return v;
}

}  // namespace

TEST_CASE("cloning and dropping a task's waker is counted in the trace", "[waker]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Waker w = co_await current_waker();  // clone 1
      {
        Waker copy = w;                 // clone 2
        Waker moved = std::move(copy);  // a move is not a clone
      }                                 // drop 1
      w.reset();                        // drop 2
    });
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  CHECK(q.count(EventKind::waker_cloned, main_task) == 2);
  CHECK(q.count(EventKind::waker_dropped, main_task) == 2);
}

TEST_CASE("will_wake is true for clones of one task's waker and false for another task's", "[waker]") {
  std::optional<bool> same_task;
  std::optional<bool> other_task;
  std::optional<bool> other_is_itself;
  bool joined = false;
  ASYNCLAB_EACH_FLAVOR(flavor);
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    Waker mine = co_await current_waker();
    Waker mine_again = co_await current_waker();
    auto other = co_await spawn(current_waker(), "other");
    joined = other.has_value();
    if (!joined) co_return;
    same_task = mine.will_wake(mine_again) && mine_again.will_wake(mine.clone());
    other_task = mine.will_wake(*other);
    other_is_itself = other->will_wake(*other);
  });
  REQUIRE(joined);
  CHECK(same_task == true);
  CHECK(other_task == false);
  CHECK(other_is_itself == true);
}

TEST_CASE("wake() consumes the waker and wake_by_ref() keeps it", "[waker]") {
  trace::Recorder rec;
  bool empty_after_wake = false;
  bool kept_after_wake_by_ref = false;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Waker w = co_await current_waker();
      w.wake_by_ref();
      kept_after_wake_by_ref = !w.empty();
      w.wake();
      empty_after_wake = w.empty();
      w.wake();  // an empty waker wakes nothing
    });
  }
  CHECK(kept_after_wake_by_ref);
  CHECK(empty_after_wake);
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  CHECK(q.wakes(main_task) == 2);
  CHECK(q.wakes(main_task, trace::wake_flag::by_ref) == 1);
  CHECK(q.count(EventKind::waker_dropped, main_task) == 1);  // wake() dropped the clone it consumed
}

TEST_CASE("a wake from another task names the waking task, and a timer's wake names the timer", "[waker]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Waker main_waker = co_await current_waker();
      auto h = spawn(
          [main_waker]() -> Task<void> {
            main_waker.wake_by_ref();
            co_return;
          },
          "waker");
      (void)co_await h;
      co_await sleep(5ms);
    });
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  const auto waker_task = q.task_named("waker");
  auto from_task = q.first([&](const trace::Event& e) {
    return e.kind == EventKind::wake && e.task == main_task && e.a == waker_task;
  });
  REQUIRE(from_task);
  CHECK((from_task->flags & trace::wake_flag::source_mask) ==
        static_cast<std::uint16_t>(trace::WakeSource::task));
  CHECK_FALSE(from_task->flags & trace::wake_flag::self);
  CHECK(q.wakes_from(main_task, trace::WakeSource::timer) == 1);
}

TEST_CASE("a custom WakerVTable counting waker drives a hand-polled future", "[waker]") {
  WakeCounts counts;
  {
    Waker waker(&counting_vtable, &counts);
    Context cx(waker);
    Signal signal;
    auto wait = signal.wait();

    CHECK(wait.poll(cx).is_pending());
    CHECK(counts.clones == 1);  // the future stored a clone
    CHECK(wait.poll(cx).is_pending());
    CHECK(counts.clones == 1);  // will_wake: the stored clone is kept, not replaced

    signal.fire();
    CHECK(counts.wakes == 1);
    CHECK(counts.drops == 1);  // the stored clone was consumed by wake()
    CHECK_FALSE(signal.has_waker());
    CHECK(wait.poll(cx).is_ready());

    waker.wake_by_ref();
    CHECK(counts.wakes_by_ref == 1);
  }
  CHECK(counts.drops == 2);  // and the original, when it went out of scope
}

TEST_CASE("a Task polled by hand passes its Context's waker down to the future it awaits", "[waker]") {
  WakeCounts counts;
  Signal signal;
  {
    Waker waker(&counting_vtable, &counts);
    Context cx(waker);
    Task<int> t = waits_for(signal, 21);
    CHECK(t.poll(cx).is_pending());
    CHECK(counts.clones == 1);
    signal.fire();
    CHECK(counts.wakes == 1);
    auto r = t.poll(cx);
    REQUIRE(r.is_ready());
    CHECK(r.value() == 21);
  }
  CHECK(counts.clones + 1 == counts.drops);
}

TEST_CASE("the no-op waker clones and wakes without effect", "[waker]") {
  Waker w = noop_waker().clone();
  CHECK(w.will_wake(noop_waker()));
  w.wake_by_ref();
  w.wake();
  CHECK(w.empty());
}

TEST_CASE("a task's Waker kept past its Runtime can still be woken and dropped, doing nothing", "[waker]") {
  trace::Recorder rec;
  Waker kept;
  Signal never_fired;  // holds a clone of a cancelled task's waker, like shared state owned by a test
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      kept = co_await current_waker();
      (void)spawn([&never_fired]() -> Task<void> { co_await never_fired.wait(); }, "parked on a signal");
      co_await yield_now();
    });
  }
  const auto events_after_run = rec.trace().size();
  REQUIRE_FALSE(kept.empty());
  REQUIRE(never_fired.has_waker());
  kept.wake_by_ref();
  Waker copy = kept;
  copy.wake();
  kept.reset();
  never_fired.fire();
  CHECK(kept.empty());
  CHECK_FALSE(never_fired.has_waker());
  CHECK(rec.trace().size() == events_after_run);  // nothing is recorded once the runtime is gone
}
