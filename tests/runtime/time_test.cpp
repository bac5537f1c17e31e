// sleep, sleep_until, interval (runtime/include/asynclab/time/*.hpp), timeout (time/timeout.hpp) and
// the virtual clock of the scheduler (detail/scheduler.hpp). Nothing here sleeps for real.
// Flavors (support/flavors.hpp): almost every claim here is about virtual instants, so runs on
// current_thread only; a Sleep outliving its runtime, a timeout whose deadline has passed giving
// Elapsed, and the tie between a value and its deadline (with timers already due on worker threads)
// also run on multi_thread(2) and (4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

std::string ms_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

template <class T>
Task<T> value_after(Duration d, T v) {
  co_await sleep(d);
  co_return v;
}

Task<void> sleeps_three_times(Duration each) {
  for (int i = 0; i < 3; ++i) co_await sleep(each);
}

Task<void> yields_then_sleeps(int yields, Duration d, std::vector<Duration>& clock_while_yielding) {
  for (int i = 0; i < yields; ++i) {
    co_await yield_now();
    clock_while_yielding.push_back(elapsed());
  }
  co_await sleep(d);
}

// Logs the virtual time at which it is destroyed.
struct LogsDropTime {
  Log* log;
  explicit LogsDropTime(Log* l) : log(l) {}
  LogsDropTime(const LogsDropTime&) = delete;
  LogsDropTime& operator=(const LogsDropTime&) = delete;
  ~LogsDropTime() { log->push_back("inner dropped at " + ms_text(elapsed())); }
};

Task<void> parked_with_counted_local(Log& log, int& polls) {
  counted local;
  LogsDropTime marker{&log};
  co_await ParkedForever(&polls, &log);
}

// Replays the scheduler's bookkeeping from the trace and returns the times at which the timer driver
// advanced the clock while some task was runnable (there should be none).
std::vector<Duration> clock_advances_while_runnable(const trace::Trace& t) {
  std::set<std::uint32_t> runnable;
  std::set<std::uint32_t> notified;
  std::uint32_t polling = 0;
  std::vector<Duration> violations;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event& e = t[i];
    switch (e.kind) {
      case EventKind::task_spawned:
        runnable.insert(e.task);
        break;
      case EventKind::wake:
        if (e.task == polling)
          notified.insert(e.task);
        else
          runnable.insert(e.task);
        break;
      case EventKind::poll_begin:
        runnable.erase(e.task);
        polling = e.task;
        break;
      case EventKind::poll_end:
        polling = 0;
        if (notified.erase(e.task) && e.flags == static_cast<std::uint16_t>(trace::PollResult::pending))
          runnable.insert(e.task);
        break;
      case EventKind::task_completed:
        runnable.erase(e.task);
        notified.erase(e.task);
        break;
      case EventKind::clock_advanced:
        if (e.task == 0 && !runnable.empty()) violations.push_back(TraceQuery::time(e));
        break;
      default:
        break;
    }
  }
  return violations;
}

}  // namespace

// --- sleep, sleep_until, interval ---------------------------------------------------------------

TEST_CASE("sleep completes after exactly its duration of virtual time", "[time]") {
  Duration woke{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    co_await sleep(250ms);
    woke = elapsed();
  });
  CHECK(woke == 250ms);
  CHECK(rt.now().time_since_epoch() == 250ms);
}

TEST_CASE("sleep_until completes at its deadline, and at once when the deadline has passed", "[time]") {
  trace::Recorder rec;
  Duration woke{};
  Duration past{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      co_await sleep_until(Instant(75ms));
      woke = elapsed();
      co_await sleep_until(Instant(10ms));
      past = elapsed();
    });
  }
  CHECK(woke == 75ms);
  CHECK(past == 75ms);
  CHECK(TraceQuery(rec.trace()).count(EventKind::timer_armed) == 1);
}

TEST_CASE("a Sleep is lazy: its timer is armed at the first poll, its deadline fixed at creation", "[time]") {
  trace::Recorder rec;
  std::size_t armed_after_create = 99;
  Duration woke{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Sleep s = sleep(100ms);  // deadline: 100 ms
      armed_after_create = TraceQuery(rec.trace()).count(EventKind::timer_armed);
      co_await sleep(40ms);
      co_await s;
      woke = elapsed();
    });
  }
  CHECK(armed_after_create == 0);
  CHECK(woke == 100ms);
}

TEST_CASE("interval's first tick is immediate and later ticks land on multiples of the period", "[time]") {
  std::vector<Duration> at;
  std::vector<Duration> reported;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto iv = interval(100ms);
    for (int i = 0; i < 4; ++i) {
      Instant t = co_await iv.tick();
      at.push_back(elapsed());
      reported.push_back(t.time_since_epoch());
    }
  });
  const std::vector<Duration> expected{0ms, 100ms, 200ms, 300ms};
  CHECK(at == expected);
  CHECK(reported == expected);
}

TEST_CASE("interval bursts the ticks it missed while the task was busy", "[time]") {
  std::vector<Duration> at;
  std::vector<Duration> reported;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto iv = interval(100ms);
    (void)co_await iv.tick();
    detail::Scheduler::current()->advance_virtual(350'000'000);  // busy for 3.5 periods
    for (int i = 0; i < 4; ++i) {
      Instant t = co_await iv.tick();
      at.push_back(elapsed());
      reported.push_back(t.time_since_epoch());
    }
  });
  CHECK(at == std::vector<Duration>{350ms, 350ms, 350ms, 400ms});
  CHECK(reported == std::vector<Duration>{100ms, 200ms, 300ms, 400ms});
}

TEST_CASE("interval_at's first tick waits for its start", "[time]") {
  std::vector<Duration> at;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto iv = interval_at(Instant(50ms), 20ms);
    for (int i = 0; i < 3; ++i) {
      (void)co_await iv.tick();
      at.push_back(elapsed());
    }
  });
  CHECK(at == std::vector<Duration>{50ms, 70ms, 90ms});
}

TEST_CASE("Sleep::reset moves the deadline and the old one never fires", "[time]") {
  trace::Recorder rec;
  Duration woke{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Sleep s = sleep(100ms);
      (void)co_await poll_once(s);  // armed for 100 ms
      s.reset(Instant(30ms));
      co_await s;
      woke = elapsed();
      co_await sleep(200ms);  // gives the old deadline every chance to fire
    });
  }
  CHECK(woke == 30ms);
  TraceQuery q(rec.trace());
  CHECK(q.count(EventKind::timer_armed) == 3);
  CHECK(q.count(EventKind::timer_fired) == 2);
}

// Run under AddressSanitizer this proves the Sleep does not touch the destroyed scheduler.
TEST_CASE("a Sleep kept past its Runtime can still be dropped", "[time]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<Sleep> kept;
  {
    auto rt = flavor.runtime();
    rt.block_on([&]() -> Task<void> {
      kept.emplace(sleep(1h));
      (void)co_await poll_once(*kept);  // arms its timer
    });
  }
  kept.reset();
  CHECK_FALSE(kept.has_value());
}

TEST_CASE("interval refuses a period that is not positive", "[time]") {
  CHECK_THROWS_AS(interval_at(Instant{}, Duration::zero()), std::invalid_argument);
}

TEST_CASE("the virtual clock advances only when no task is runnable, straight to the next timer", "[time]") {
  trace::Recorder rec;
  std::vector<Duration> clock_while_yielding;
  Duration finished{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto a = spawn(sleeps_three_times(10ms), "sleeper");
      auto b = spawn(yields_then_sleeps(50, 20ms, clock_while_yielding), "yielder");
      (void)co_await a;
      (void)co_await b;
      finished = elapsed();
    });
  }
  // While the yielder kept itself runnable, time stood still even though a timer was due at 10 ms.
  REQUIRE(clock_while_yielding.size() == 50);
  CHECK(*std::max_element(clock_while_yielding.begin(), clock_while_yielding.end()) == 0ms);
  CHECK(finished == 30ms);

  TraceQuery q(rec.trace());
  std::vector<Duration> advances;
  for (const auto& e : q.events(EventKind::clock_advanced, 0)) advances.push_back(TraceQuery::time(e));
  CHECK(advances == std::vector<Duration>{10ms, 20ms, 30ms});  // the two 20 ms deadlines share one jump
  CHECK(clock_advances_while_runnable(rec.trace()).empty());
}

TEST_CASE("a dropped Sleep never fires and never wakes its task", "[time]") {
  trace::Recorder rec;
  bool ready_at_first_poll = true;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      {
        Sleep s = sleep(50ms);
        ready_at_first_poll = co_await poll_once(s);  // arms its timer
      }
      co_await sleep(100ms);
    });
  }
  CHECK_FALSE(ready_at_first_poll);
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  CHECK(q.count(EventKind::timer_armed) == 2);
  CHECK(q.count(EventKind::timer_fired) == 1);
  CHECK(q.wakes_from(main_task, trace::WakeSource::timer) == 1);
  std::vector<Duration> advances;
  for (const auto& e : q.events(EventKind::clock_advanced, 0)) advances.push_back(TraceQuery::time(e));
  CHECK(advances == std::vector<Duration>{100ms});  // the clock never stopped at 50 ms
}

// --- timeout -----------------------------------------------------------------------------------

TEST_CASE("timeout of a slower future elapses at exactly the deadline with Elapsed", "[timeout]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // on worker threads the deadline is already due: Elapsed at once
  std::optional<Elapsed> elapsed_error;
  Duration ended{};
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await timeout(flavor.timer(100ms), sleep(500ms));
    ended = elapsed();
    if (!r) elapsed_error = r.error();
  });
  REQUIRE(elapsed_error);
  CHECK(elapsed_error->after == flavor.timer(100ms));
  CHECK(elapsed_error->message() == "deadline has elapsed");
  if (!flavor.threaded()) CHECK(ended == 100ms);  // virtual time
}

TEST_CASE("at the deadline timeout drops its inner future on the spot and never polls it again",
          "[timeout]") {
  counted::reset();
  trace::Recorder rec;
  Log log;
  int polls = 0;
  int destroyed_right_after = -1;
  bool elapsed_out = false;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto limited = timeout(100ms, parked_with_counted_local(log, polls));
      auto r = co_await limited;  // a named future: only timeout itself can drop the inner one here
      destroyed_right_after = counted::destructions;
      elapsed_out = !r.has_value();
      co_await sleep(50ms);
      log.push_back("main continues at " + ms_text(elapsed()));
    });
  }
  CHECK(elapsed_out);
  CHECK(destroyed_right_after == 1);
  CHECK(counted::destructions == 1);
  CHECK(polls == 2);
  // Polled at the start and once more at the deadline (the inner future goes first), then dropped.
  CHECK(log == Log{"parked polled at 0 ms", "parked polled at 100 ms", "inner dropped at 100 ms",
                   "main continues at 150 ms"});

  // The trace shows the inner branch dropped mid-flight under a timeout node.
  TraceQuery q(rec.trace());
  auto node = q.first([](const trace::Event& e) {
    return e.kind == EventKind::future_created &&
           (e.flags & 0xff) == static_cast<std::uint16_t>(trace::FutureNode::timeout);
  });
  REQUIRE(node);
  const std::uint32_t inner_branch = node->a + 1;
  auto dropped = q.first(
      [&](const trace::Event& e) { return e.kind == EventKind::future_dropped && e.a == inner_branch; });
  REQUIRE(dropped);
  CHECK(dropped->flags == 0);
  CHECK(TraceQuery::time(*dropped) == 100ms);
}

TEST_CASE("timeout gives the inner future's value when it finishes first, and its timer never fires",
          "[timeout]") {
  trace::Recorder rec;
  std::optional<int> value;
  Duration got_at{};
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto r = co_await timeout(100ms, value_after(10ms, 42));
      got_at = elapsed();
      if (r) value = *r;
      co_await sleep(200ms);
    });
  }
  REQUIRE(value);
  CHECK(*value == 42);
  CHECK(got_at == 10ms);
  TraceQuery q(rec.trace());
  CHECK(q.count(EventKind::timer_armed) == 3);  // the inner sleep, the deadline, the later sleep
  CHECK(q.count(EventKind::timer_fired) == 2);  // the deadline's timer was disarmed with the timeout
  // Disarming is recorded, at the moment the timeout returned, so a viewer stops showing it armed.
  auto cancelled = q.first(EventKind::timer_cancelled);
  REQUIRE(cancelled);
  CHECK(TraceQuery::time(*cancelled) == 10ms);
  CHECK(q.count(EventKind::timer_cancelled) == 1);
}

TEST_CASE("a value ready exactly at the deadline wins the tie against the timeout", "[timeout]") {
  ASYNCLAB_EACH_FLAVOR(flavor);  // on worker threads both are due at once
  std::optional<int> value;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await timeout(flavor.timer(100ms), value_after(flavor.timer(100ms), 5));
    if (r) value = *r;
  });
  REQUIRE(value);
  CHECK(*value == 5);
}

TEST_CASE("timeout of an immediately ready future never arms a timer", "[timeout]") {
  trace::Recorder rec;
  std::optional<int> value;
  int polls = 0;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto r = co_await timeout(100ms, ReadyFuture<int>(5, &polls));
      if (r) value = *r;
    });
  }
  REQUIRE(value);
  CHECK(*value == 5);
  CHECK(polls == 1);
  CHECK(TraceQuery(rec.trace()).count(EventKind::timer_armed) == 0);
}
