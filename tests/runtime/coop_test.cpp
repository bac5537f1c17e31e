// Cooperative scheduling (runtime/include/asynclab/coop.hpp, detail/budget.hpp): a task whose
// resources keep answering Ready is made to yield after 128 operations in one poll, so the tasks
// queued behind it — on worker threads, the one waiting in its worker's LIFO slot — get their turn.
//
// Flavors (support/flavors.hpp): "a loop over ready operations yields to the task it spawned" runs
// on current_thread and on multi_thread(2) and (4); the others count polls and trace events, which
// only the current-thread runtime makes exact, or poll futures by hand.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;
namespace mpsc = asynclab::sync::mpsc;
namespace oneshot = asynclab::sync::oneshot;

namespace {

// A waker that counts its wakes, for polling by hand.
struct CountingWaker {
  int wakes = 0;
  static void* clone(void* d) { return d; }
  static void wake(void* d) { ++static_cast<CountingWaker*>(d)->wakes; }
  static void drop(void*) {}
  static constexpr WakerVTable vtable{clone, wake, wake, drop};
  Waker waker() { return Waker(&vtable, this); }
};

// Receives `n` values that are all in the channel already: every recv is Ready at once.
Task<int> drain(mpsc::UnboundedReceiver<int> rx, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += *co_await rx.recv();
  co_return sum;
}

std::size_t budget_wakes(const trace::Trace& t, std::uint32_t task) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event& e = t[i];
    if (e.kind != EventKind::wake || e.task != task) continue;
    if ((e.flags & trace::wake_flag::source_mask) == static_cast<std::uint16_t>(trace::WakeSource::budget)) {
      CHECK((e.flags & trace::wake_flag::self) != 0);
      CHECK((e.flags & trace::wake_flag::by_ref) != 0);
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("a task whose receives are always ready yields after every 128 of them, and loses nothing",
          "[coop]") {
  trace::Recorder rec;
  int sum = 0;
  {
    auto rt = virtual_runtime(rec);
    sum = rt.block_on([]() -> Task<int> {
      auto [tx, rx] = mpsc::unbounded_channel<int>();
      for (int i = 1; i <= 300; ++i) (void)tx.send(i);
      auto total = co_await spawn(drain(std::move(rx), 300), "drain");
      co_return total.value_or(-1);
    }());
  }
  CHECK(sum == 300 * 301 / 2);
  const trace::Trace& t = rec.trace();
  const TraceQuery q(t);
  const std::uint32_t drain_task = q.task_named("drain");
  // 128 receives, a forced yield, 128 more, a yield, the last 44.
  CHECK(q.count(EventKind::poll_begin, drain_task) == 3);
  CHECK(budget_wakes(t, drain_task) == 2);
  // The runtime asked for those yields: they are not the task's self-wakes.
  CHECK(q.lint_count(trace::LintKind::self_wake) == 0);
}

TEST_CASE("a loop over ready operations yields to the task it spawned", "[coop]") {
  // Without the budget the loop below never answers Pending: on current_thread the spawned task
  // waits behind it in the run queue, on worker threads in the LIFO slot no other worker may take
  // it from. The loop gives up after ten million rounds, so a missing budget fails rather than hangs.
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::atomic<bool> ran{false};
  long rounds = 0;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto other = spawn([&]() -> Task<void> {
      ran = true;
      co_return;
    });
    auto [tx, rx] = mpsc::unbounded_channel<long>();
    while (!ran && rounds < 10'000'000) {
      (void)tx.send(rounds);
      rounds = *co_await rx.recv();
      ++rounds;
    }
    (void)co_await other;
  }());
  CHECK(ran);
  if (!flavor.threaded()) {
    CHECK(rounds <= 128 * 4);  // a few budgets at most: the first yield lets the task run
  } else {
    // On real worker threads the spawned task may be stolen by a worker that is slow to wake (a
    // parked thread, a loaded machine): the loop yields every budget meanwhile, but how many budgets
    // pass is the OS scheduler's business. Without the budget it would run all ten million rounds.
    CHECK(rounds < 10'000'000);
  }
}

TEST_CASE("unconstrained polls with no budget: the task never has to yield", "[coop]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<int>();
      for (int i = 1; i <= 300; ++i) (void)tx.send(i);
      (void)co_await spawn(coop::unconstrained(drain(std::move(rx), 300)), "drain");
    }());
  }
  const TraceQuery q(rec.trace());
  const std::uint32_t drain_task = q.task_named("drain");
  CHECK(q.count(EventKind::poll_begin, drain_task) == 1);
  CHECK(budget_wakes(rec.trace(), drain_task) == 0);
}

TEST_CASE("consume_budget spends a unit by hand: a loop of pure work yields every 128 rounds", "[coop]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      auto work = []() -> Task<void> {
        for (int i = 0; i < 1000; ++i) co_await coop::consume_budget();
      };
      (void)co_await spawn(work(), "work");
    }());
  }
  const TraceQuery q(rec.trace());
  const std::uint32_t work = q.task_named("work");
  CHECK(q.count(EventKind::poll_begin, work) == 8);  // ceil(1000 / 128)
  CHECK(budget_wakes(rec.trace(), work) == 7);
}

TEST_CASE("an operation that answers Pending gives its unit back, a spent budget wakes the task and waits",
          "[coop]") {
  auto rt = virtual_runtime();
  rt.block_on([]() -> Task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    CountingWaker counter;
    const Waker waker = counter.waker();
    Context cx(waker, detail::Budget::for_poll());
    // Pending 200 times: no progress, so nothing is spent.
    for (int i = 0; i < 200; ++i) CHECK(rx.poll(cx).is_pending());
    CHECK(cx.budget().left() == detail::Budget::per_poll);
    // Spend all but one unit by hand, then the receive takes the last.
    for (int i = 0; i + 1 < detail::Budget::per_poll; ++i) CHECK(coop::consume_budget().poll(cx).is_ready());
    CHECK(cx.budget().left() == 1);
    (void)std::move(tx).send(7);
    const int woken_before = counter.wakes;
    auto got = rx.poll(cx);
    REQUIRE(got.is_ready());
    CHECK(*got.take() == 7);
    CHECK(cx.budget().left() == 0);
    CHECK(counter.wakes == woken_before);
    // Spent: the next operation does nothing but wake the task and answer Pending.
    auto [tx2, rx2] = oneshot::channel<int>();
    (void)std::move(tx2).send(8);
    CHECK(rx2.poll(cx).is_pending());
    CHECK(counter.wakes == woken_before + 1);
    // A fresh poll's budget lets it through, and the value was kept.
    Context next(waker, detail::Budget::for_poll());
    auto later = rx2.poll(next);
    REQUIRE(later.is_ready());
    CHECK(*later.take() == 8);
    // A Context made by hand without a budget never runs out.
    Context free(waker);
    for (int i = 0; i < 1000; ++i) CHECK(coop::consume_budget().poll(free).is_ready());
    co_return;
  }());
}

TEST_CASE("a timeout still fires when the future it wraps spent the budget", "[coop]") {
  // The inner loop spends the budget on every poll and never finishes; the deadline is checked
  // without the budget (as in tokio), so the timeout ends it.
  auto rt = virtual_runtime();
  const bool timed_out = rt.block_on([]() -> Task<bool> {
    auto forever = []() -> Task<void> {
      for (;;) co_await coop::consume_budget();
    };
    auto r = co_await timeout(0ms, forever());
    co_return !r.has_value();
  }());
  CHECK(timed_out);
}
