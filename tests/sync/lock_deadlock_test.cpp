// The deadlock report for async mutexes (runtime/include/asynclab/stuck.hpp, sync/mutex.hpp): two tasks
// taking two mutexes in opposite orders wait on each other for ever; the runtime stops with a report
// naming the cycle, what each task waits on and who holds it — instead of hanging. Taking the locks
// in one consistent order never deadlocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

Task<void> take_both(sync::Mutex<int>& first, sync::Mutex<int>& second) {
  auto g1 = co_await first.lock();
  co_await yield_now();  // let the other task run between the two locks
  auto g2 = co_await second.lock();
  *g1 += 1;
  *g2 += 1;
}

Task<void> two_tasks(sync::Mutex<int>& a, sync::Mutex<int>& b, bool opposite) {
  auto alice = spawn(take_both(a, b), "alice");
  auto bob = opposite ? spawn(take_both(b, a), "bob") : spawn(take_both(a, b), "bob");
  (void)co_await alice;
  (void)co_await bob;
}

struct Outcome {
  std::expected<std::monostate, StuckError> result;
  trace::Trace trace;
  int a_value = -1;
  int b_value = -1;
};

Outcome run(std::uint64_t seed, bool opposite) {
  trace::Recorder rec;
  sync::Mutex<int> a(0, "first");
  sync::Mutex<int> b(0, "second");
  std::optional<std::expected<std::monostate, StuckError>> result;
  {
    auto rt = Runtime::builder().current_thread().virtual_time().seed(seed).explore_schedules().trace(rec).build();
    result.emplace(rt.try_block_on(two_tasks(a, b, opposite)));
  }  // dropping the runtime cancels the stuck tasks: their guards unlock, their lock futures leave
  Outcome out{std::move(*result), rec.take()};
  if (auto g = a.try_lock()) out.a_value = **g;
  if (auto g = b.try_lock()) out.b_value = **g;
  return out;
}

}  // namespace

TEST_CASE("two tasks locking two mutexes in opposite orders are reported as a deadlock cycle, under every seed",
          "[mutex][deadlock]") {
  int deadlocked = 0;
  int completed = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    auto out = run(seed, true);
    // Either way, once the runtime is gone both locks are free again.
    CHECK(out.a_value >= 0);
    CHECK(out.b_value >= 0);
    TraceQuery q(out.trace);
    const std::uint32_t alice = q.task_named("alice");
    const std::uint32_t bob = q.task_named("bob");
    REQUIRE(alice != 0);
    REQUIRE(bob != 0);
    if (out.result) {
      // This schedule let one task take both locks before the other took its first.
      ++completed;
      CHECK(out.a_value == 2);
      CHECK(out.b_value == 2);
      CHECK(q.count(EventKind::stuck_wait) == 0);
      continue;
    }
    ++deadlocked;
    const StuckReport& report = out.result.error().report();
    CHECK(report.is_deadlock());
    auto cycle = report.cycle;
    std::sort(cycle.begin(), cycle.end());
    CHECK(cycle == std::vector<std::uint32_t>{alice, bob});

    const StuckTask* a = report.task(alice);
    const StuckTask* b = report.task(bob);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->name == "alice");
    CHECK(a->waits_on == "mutex \"second\"");
    CHECK(a->held_by == std::vector<std::uint32_t>{bob});
    CHECK(a->resource_state == "held by task " + std::to_string(bob) + ", 1 waiting");
    CHECK_FALSE(a->lost_waker);
    CHECK(b->name == "bob");
    CHECK(b->waits_on == "mutex \"first\"");
    CHECK(b->held_by == std::vector<std::uint32_t>{alice});
    CHECK(b->resource_state == "held by task " + std::to_string(alice) + ", 1 waiting");
    CHECK_FALSE(b->lost_waker);
    const StuckTask* main_task = report.task(q.task_named("main"));
    REQUIRE(main_task);
    CHECK(main_task->waits_on.empty());  // main waits on a JoinHandle, not on a lock
    CHECK(main_task->joins == alice);

    const std::string text = out.result.error().what();
    CHECK_THAT(text, Catch::Contains("deadlock") && Catch::Contains("wait-for cycle") &&
                         Catch::Contains("mutex \"first\"") && Catch::Contains("mutex \"second\""));

    // The trace tells the same story: one stuck_wait per stuck task, the two on the cycle flagged.
    std::vector<trace::Event> on_cycle;
    for (const auto& e : q.events(EventKind::stuck_wait))
      if (e.flags == 1) on_cycle.push_back(e);
    REQUIRE(on_cycle.size() == 2);
    for (const auto& e : on_cycle) {
      CHECK((e.task == alice || e.task == bob));
      CHECK(e.b == (e.task == alice ? bob : alice));
      CHECK(e.a == (e.task == alice ? a->resource_id : b->resource_id));
    }
    CHECK(a->resource_id != b->resource_id);
    auto stopped = q.first(EventKind::runtime_stopped);
    REQUIRE(stopped);
    CHECK(stopped->flags == static_cast<std::uint16_t>(trace::StopReason::stuck));
  }
  INFO("deadlocked under " << deadlocked << " seeds, completed under " << completed);
  CHECK(deadlocked >= 1);
  CHECK(deadlocked + completed == 50);
}

TEST_CASE("the same two tasks taking the mutexes in one consistent order complete under every seed",
          "[mutex][deadlock]") {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    CAPTURE(seed);
    auto out = run(seed, false);
    REQUIRE(out.result.has_value());
    CHECK(out.a_value == 2);
    CHECK(out.b_value == 2);
    TraceQuery q(out.trace);
    CHECK(q.count(EventKind::stuck_wait) == 0);
  }
}

// A resource made outside any runtime joins each runtime that uses it, under that runtime's own id,
// even when the second runtime happens to live at the first one's address.
TEST_CASE("a mutex kept from an earlier runtime is named correctly in the next runtime's report", "[deadlock][mutex]") {
  sync::Mutex<int> a(0, "a");
  {
    auto rt1 = Runtime::builder().current_thread().virtual_time().build();
    rt1.block_on([&]() -> Task<void> {
      auto g = co_await a.lock();
      co_return;
    });
  }
  auto rt2 = Runtime::builder().current_thread().virtual_time().build();
  auto r = rt2.try_block_on([&]() -> Task<void> {
    sync::Mutex<int> b(0, "b");
    auto g = co_await a.lock();
    auto again = co_await a.lock();  // waits on itself: a deadlock of one
    (void)b;
  });
  REQUIRE_FALSE(r.has_value());
  const auto& report = r.error().report();
  REQUIRE(report.tasks.size() == 1);
  CHECK(report.tasks[0].waits_on == "mutex \"a\"");
  REQUIRE(report.tasks[0].held_by.size() == 1);
  CHECK(report.tasks[0].held_by[0] == report.tasks[0].id);
  CHECK(report.cycle == std::vector<std::uint32_t>{report.tasks[0].id});
}
