// What the runtime records (runtime/include/asynclab/trace/event.hpp): spawn sites and parents,
// ordered times, where a task is parked, the future tree of combinators, lesson marks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;
using trace::FutureNode;

namespace {

Task<int> child() {
  co_await sleep(10ms);
  co_return 1;
}

Task<int> loser() {
  co_await sleep(1h);
  co_return 0;
}

}  // namespace

TEST_CASE("a spawned task's trace records its name, its parent and where it was spawned", "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> { (void)co_await spawn(child(), "child"); });
  }
  const auto& t = rec.trace();
  TraceQuery q(t);
  const auto main_task = q.task_named("main");
  const auto child_task = q.task_named("child");
  REQUIRE(main_task != 0);
  REQUIRE(child_task != 0);
  auto spawned = q.first(EventKind::task_spawned, child_task);
  REQUIRE(spawned);
  CHECK(spawned->a == main_task);
  CHECK(t.task_name(child_task) == "child");
  CHECK_THAT(t.describe_location(t.site(spawned->b).location), Catch::Contains("trace_test.cpp"));
  CHECK(q.outcome(child_task) == trace::Outcome::ok);
}

TEST_CASE("tasks spawned in a loop with names built on the fly keep their own names", "[trace]") {
  // Each name is a temporary whose buffer the next iteration may reuse: the recorder must look at
  // the text, not where it lives.
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      std::vector<JoinHandle<int>> handles;
      for (int i = 1; i <= 3; ++i) handles.push_back(spawn(child(), "page " + std::to_string(i)));
      for (auto& h : handles) (void)co_await h;
    });
  }
  TraceQuery q(rec.trace());
  for (const char* name : {"page 1", "page 2", "page 3"}) CHECK(q.task_named(name) != 0);
}

TEST_CASE(
    "a run's events start with runtime_started, end with runtime_stopped, and their times never decrease",
    "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec, 5);
    rt.block_on([]() -> Task<void> {
      co_await join(child(), sleep(3ms), spawn(child()));
      co_await sleep(2ms);
    });
  }
  const auto& t = rec.trace();
  REQUIRE(t.size() > 2);
  CHECK(t[0].kind == EventKind::runtime_started);
  CHECK((t[0].flags & 1) == 1);  // virtual time
  CHECK(t[0].a == 5);            // the seed
  CHECK(t[t.size() - 1].kind == EventKind::runtime_stopped);
  for (std::size_t i = 1; i < t.size(); ++i) {
    CAPTURE(i);
    REQUIRE(t[i - 1].time_ns <= t[i].time_ns);
  }
  CHECK(TraceQuery::time(t[t.size() - 1]) == 12ms);
}

TEST_CASE("poll_end of a pending spawned task names the await it is parked on", "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> { (void)co_await spawn(child(), "child"); });
  }
  const auto& t = rec.trace();
  TraceQuery q(t);
  auto parked = q.first([&](const trace::Event& e) {
    return e.kind == EventKind::poll_end && e.task == q.task_named("child") &&
           e.flags == static_cast<std::uint16_t>(trace::PollResult::pending);
  });
  REQUIRE(parked);
  REQUIRE(parked->b != 0);
  CHECK_THAT(t.describe_location(parked->b), Catch::StartsWith("runtime/trace_test.cpp:"));
  CHECK_THAT(std::string(t.string(t.location(parked->b).function)), Catch::Contains("child"));
}

TEST_CASE("a select appears as a future tree whose losing branch is dropped mid-flight", "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> { (void)co_await select_biased(loser(), child()); });
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  auto created = q.events(EventKind::future_created, main_task);
  REQUIRE(created.size() == 3);
  const auto select_node = created[0].a;
  CHECK((created[0].flags & 0xff) == static_cast<std::uint16_t>(FutureNode::select));
  CHECK(created[0].b == 0);  // a child of the task's root
  for (int i = 1; i <= 2; ++i) {
    CHECK(created[i].a == select_node + i);
    CHECK(created[i].b == select_node);
    CHECK((created[i].flags & 0xff) == static_cast<std::uint16_t>(FutureNode::branch));
    CHECK((created[i].flags >> 8) == i - 1);
  }
  auto dropped = q.events(EventKind::future_dropped, main_task);
  REQUIRE(dropped.size() == 2);
  CHECK(dropped[0].a == select_node + 2);  // the winner, completed
  CHECK(dropped[0].flags == 1);
  CHECK(dropped[1].a == select_node + 1);  // the loser, dropped mid-flight
  CHECK(dropped[1].flags == 0);
  CHECK(TraceQuery::time(dropped[1]) == 10ms);
}

TEST_CASE("a nested combinator names its enclosing branch as its parent node", "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> { (void)co_await join(sleep(1ms), timeout(5ms, sleep(2ms))); });
  }
  TraceQuery q(rec.trace());
  auto timeout_node = q.first([](const trace::Event& e) {
    return e.kind == EventKind::future_created &&
           (e.flags & 0xff) == static_cast<std::uint16_t>(FutureNode::timeout);
  });
  auto join_node = q.first([](const trace::Event& e) {
    return e.kind == EventKind::future_created &&
           (e.flags & 0xff) == static_cast<std::uint16_t>(FutureNode::join);
  });
  REQUIRE(timeout_node);
  REQUIRE(join_node);
  CHECK(timeout_node->b == join_node->a + 2);  // the join's second branch
}

TEST_CASE("mark records a lesson mark with its label on the marking task", "[trace]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      co_await sleep(4ms);
      mark("fetch done");
    });
  }
  TraceQuery q(rec.trace());
  auto m = q.first(EventKind::mark);
  REQUIRE(m);
  CHECK(m->task == q.task_named("main"));
  CHECK(rec.trace().string(m->b) == "fetch done");
  CHECK(TraceQuery::time(*m) == 4ms);
}
