// Lesson 17, async traits and closures: get and set keep their meaning through the type-erased
// DynStore whichever store it holds; the async closure runs once per item, never more than `limit`
// at a time, and reaches the limit when there is enough work.
#include <algorithm>
#include <string>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

bool said(const lessons::LessonRun& run, std::string_view text) {
  for (const auto& line : run.said)
    if (line.text == text) return true;
  return false;
}

bool is_save_task(const trace::Trace& t, std::uint32_t task) {
  return t.task_name(task).starts_with("set key:");
}

}  // namespace

TEST_CASE("lesson 17: get and set mean the same through the type-erased handle, for either store",
          "[lessons][lesson17]") {
  for (std::string store : {"memory", "redis"}) {
    INFO(store);
    auto run =
        run_lesson_with("17-async-traits", {{"store", store}, {"items", "5"}, {"round_trip_ms", "40"}});
    CHECK(said(run, "ok: set user:0 -> grace, get user:0 -> grace"));  // static dispatch, Redis
    CHECK(said(run, fmt::format("main: a DynStore holding a {} store", store)));
    CHECK(said(run, "ok: set user:1 -> ada, get user:1 -> ada"));
    CHECK(said(run, "get user:404 -> (none)"));
    for (int k = 1; k <= 5; ++k) CHECK(said(run, fmt::format("get key:{} -> value of key:{}", k, k)));

    // Memory answers without waiting; Redis pays a round trip per call (set+get, get, 5 sets, 5 gets
    // after the first two static ones).
    auto handled = find_event(run, "mark label=\"through the handle\"");
    auto statics = find_event(run, "mark label=\"static dispatch done\"");
    REQUIRE(handled);
    REQUIRE(statics);
    CHECK(time_at(run, *statics) == 80ms);
    CHECK(time_at(run, *handled) == (store == "memory" ? 80ms : 200ms));
  }
}

TEST_CASE("lesson 17: the async closure is called once per item and never more than `limit` run at once",
          "[lessons][lesson17]") {
  for (auto [items, limit] : {std::pair{6, 2}, {1, 3}, {7, 3}, {20, 8}, {5, 1}}) {
    for (std::uint64_t seed : {1u, 2u}) {
      INFO(fmt::format("items {} limit {} seed {}", items, limit, seed));
      auto run = run_lesson_with(
          "17-async-traits",
          {{"store", "redis"}, {"items", std::to_string(items)}, {"limit", std::to_string(limit)}}, seed);
      TraceQuery q(run.trace);
      CHECK(said(
          run,
          fmt::format("for_each_limited: save called {} times for {} keys, {} saved, at most {} at a time",
                      items, items, items, limit)));

      // One task per item, each named after its key, each completed once and ok.
      for (int k = 1; k <= items; ++k) {
        const auto id = q.task_named(fmt::format("set key:{}", k));
        REQUIRE(id != 0);
        CHECK(q.outcome(id) == trace::Outcome::ok);
      }
      CHECK(q.count_if([&](const trace::Event& e) {
        return e.kind == trace::EventKind::task_spawned && is_save_task(run.trace, e.task);
      }) == static_cast<std::size_t>(items));

      // In flight at once: spawned and not yet completed.
      int alive = 0, most = 0;
      for (std::size_t i = 0; i < run.trace.size(); ++i) {
        const auto e = run.trace[i];
        if (e.kind == trace::EventKind::task_spawned && is_save_task(run.trace, e.task))
          most = std::max(most, ++alive);
        if (e.kind == trace::EventKind::task_completed && is_save_task(run.trace, e.task)) --alive;
      }
      CHECK(most == std::min(items, limit));
      CHECK(alive == 0);
    }
  }
}
