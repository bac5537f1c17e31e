// What the timeline shows for the lessons, headless: the rows inside a task (model/nested_lanes.hpp)
// carry each lesson's point, and every step frames the events it talks about
// (timeline_layout.hpp's frame_events, from the step's `frame:`).
#include <algorithm>
#include <vector>

#include "engine/lesson_player.hpp"
#include "lessons/lesson_support.hpp"
#include "model/compare_runs.hpp"
#include "model/nested_lanes.hpp"
#include "model/task_counters.hpp"
#include "model/wait_for.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using vis::NestedKind;
using vis::NestedLanes;
using vis::SpanEnd;

namespace {

struct Picture {
  lessons::LessonRun run;
  std::unique_ptr<vis::TraceIndex> index;
  std::unique_ptr<vis::LaneIndex> lanes;

  explicit Picture(lessons::LessonRun r) : run(std::move(r)) {
    index = std::make_unique<vis::TraceIndex>(run.trace);
    lanes = std::make_unique<vis::LaneIndex>(*index);
  }
  const NestedLanes& nested() const { return lanes->nested(); }
  // The rows of one kind under the named task, in order.
  std::vector<const vis::NestedRow*> rows(std::string_view task, NestedKind kind) const {
    std::vector<const vis::NestedRow*> out;
    const std::uint32_t id = index->find_task(task);
    if (id == vis::npos) return out;
    for (std::uint32_t r : nested().rows_of_task(index->task_slot(id)))
      if (nested().rows()[r].kind == kind) out.push_back(&nested().rows()[r]);
    return out;
  }
  std::span<const vis::NestedSpan> spans(const vis::NestedRow* row) const {
    return std::span<const vis::NestedSpan>(nested().spans()).subspan(row->first_span, row->span_count);
  }
};

bool overlap(const vis::NestedSpan& a, const vis::NestedSpan& b) {
  return a.begin_ns < b.end_ns && b.begin_ns < a.end_ns;
}

}  // namespace

TEST_CASE("lesson 08's staircase is three requests one after another, join! puts them side by side", "[lessons][pictures]") {
  for (const char* concurrent : {"false", "true"}) {
    INFO("concurrent=" << concurrent);
    const Picture p(run_lesson_with("08-join", {{"concurrent", concurrent}}));
    const auto requests = p.rows("main", NestedKind::request);
    REQUIRE(requests.size() == 3);
    std::vector<vis::NestedSpan> spans;
    for (const auto* row : requests) {
      REQUIRE(row->span_count == 1);
      spans.push_back(p.spans(row)[0]);
      CHECK(spans.back().end == SpanEnd::done);
    }
    CHECK(requests[0]->label == "GET api.example/users");
    CHECK(requests[1]->label == "GET api.example/posts");
    CHECK(requests[2]->label == "GET api.example/comments");
    const bool any_overlap = overlap(spans[0], spans[1]) || overlap(spans[1], spans[2]) || overlap(spans[0], spans[2]);
    const auto branches = p.rows("main", NestedKind::future);
    if (std::string_view(concurrent) == "false") {
      CHECK_FALSE(any_overlap);
      CHECK(spans[0].end_ns <= spans[1].begin_ns);
      CHECK(spans[1].end_ns <= spans[2].begin_ns);
      CHECK(branches.empty());  // no combinator: plain .await
    } else {
      CHECK(overlap(spans[0], spans[1]));
      CHECK(overlap(spans[1], spans[2]));
      CHECK(overlap(spans[0], spans[2]));
      // join!'s three branches, each labelled with the request it awaited, done when it answered.
      REQUIRE(branches.size() == 3);
      CHECK(branches[0]->label == "join: api.example/users");
      CHECK(branches[2]->label == "join: api.example/comments");
      for (const auto* b : branches) CHECK(p.spans(b)[0].end == SpanEnd::done);
      // A request's row sits right under the branch that sent it.
      const auto rows = p.nested().rows_of_task(p.index->task_slot(p.index->find_task("main")));
      REQUIRE(rows.size() == 6);
      CHECK(p.nested().rows()[rows[0]].kind == NestedKind::future);
      CHECK(p.nested().rows()[rows[1]].kind == NestedKind::request);
    }
  }
}

TEST_CASE("lesson 10: the losing branch is cut at the winner's moment", "[lessons][pictures]") {
  const Picture p(run_lesson_with("10-select", {{"cancel_safe", "false"}}));
  const auto branches = p.rows("main", NestedKind::future);
  REQUIRE_FALSE(branches.empty());
  // The first select: one branch done, its sibling cancelled at the same moment, right after it.
  const vis::NestedSpan* winner = nullptr;
  const vis::NestedSpan* loser = nullptr;
  for (const auto* row : branches)
    for (const auto& s : p.spans(row)) {
      if (s.end == SpanEnd::done && (winner == nullptr || s.begin_event < winner->begin_event)) winner = &s;
      if (s.end == SpanEnd::cancelled && (loser == nullptr || s.begin_event < loser->begin_event)) loser = &s;
    }
  REQUIRE(winner != nullptr);
  REQUIRE(loser != nullptr);
  CHECK((loser->begin_event == winner->begin_event + 1 || winner->begin_event == loser->begin_event + 1));  // siblings
  CHECK(loser->end_ns == winner->end_ns);
  CHECK(loser->end_event > winner->end_event);  // dropped right after the winner answered
  CHECK(loser->end_event - winner->end_event < 8);
}

TEST_CASE("lesson 10: a select in a loop keeps one row per branch, not one per iteration", "[lessons][pictures]") {
  const Picture p(run_lesson_with("10-select", {{"cancel_safe", "true"}}));
  std::size_t spans = 0;
  std::size_t rows = 0;
  for (const auto& task : p.index->tasks())
    for (std::uint32_t r : p.nested().rows_of_task(p.index->task_slot(task.id)))
      if (p.nested().rows()[r].kind == NestedKind::future) {
        ++rows;
        spans += p.nested().rows()[r].span_count;
      }
  CHECK(spans >= rows * 2);  // many selects share a handful of rows
  CHECK(rows <= 6);
}

TEST_CASE("lesson 15: each chef holds one lock and waits for the other's, held by the other chef", "[lessons][pictures]") {
  const Picture p(run_lesson_with("15-deadlock"));
  const std::uint32_t chef1 = p.index->find_task("chef 1");
  const std::uint32_t chef2 = p.index->find_task("chef 2");
  REQUIRE(chef1 != vis::npos);
  REQUIRE(chef2 != vis::npos);
  // When the runtime stopped, stuck: each chef holds one lock and waits for the other, whose holder
  // is the other chef. (The shutdown after it releases everything.)
  const auto stuck = find_event(p.run, "runtime_stopped");
  REQUIRE(stuck);
  for (auto [me, other] : {std::pair{"chef 1", chef2}, std::pair{"chef 2", chef1}}) {
    INFO(me);
    const auto locks = p.rows(me, NestedKind::lock);
    REQUIRE(locks.size() == 2);
    int held = 0, waiting = 0;
    for (const auto* row : locks)
      for (const auto& s : p.spans(row)) {
        if (s.begin_event > *stuck || (s.end_event != vis::npos && s.end_event < *stuck)) continue;
        if (s.waiting) {
          ++waiting;
          CHECK(s.holder == other);
        } else {
          ++held;
        }
      }
    CHECK(held == 1);
    CHECK(waiting == 1);
  }
}

TEST_CASE("lesson 14: a blocking job is a row under the task that started it", "[lessons][pictures]") {
  const Picture p(run_lesson_with("14-blocking"));
  std::size_t jobs = 0;
  for (const auto& task : p.index->tasks())
    for (std::uint32_t r : p.nested().rows_of_task(p.index->task_slot(task.id)))
      if (p.nested().rows()[r].kind == NestedKind::job) jobs += p.nested().rows()[r].span_count;
  CHECK(jobs == p.index->blocking().size());
  CHECK(jobs > 0);
}

TEST_CASE("every step of every lesson frames the events it talks about", "[lessons][pictures]") {
  for (const auto& entry : lesson_catalog().entries()) {
    REQUIRE(entry.lesson);
    lessons::LessonPlayer player(*entry.lesson, entry.scenario, lessons::ParamValues(entry.lesson->params));
    for (std::size_t k = 0; k < player.step_count(); ++k) {
      player.go_to(k);
      INFO(entry.folder << " step " << k + 1 << ": " << entry.lesson->steps[k].title);
      const vis::TraceIndex index(player.run().trace);
      const auto frame = player.frame();
      REQUIRE(frame.end > frame.begin);
      REQUIRE(frame.end <= player.run().trace.size());
      for (vis::Axis axis : {vis::Axis::time, vis::Axis::sequence}) {
        const vis::AxisRange range = vis::frame_events(index, axis, frame.begin, frame.end, frame.at_least_ns, frame.context);
        const double first = vis::axis_value(index, frame.begin, axis);
        const double last = axis == vis::Axis::sequence ? static_cast<double>(frame.end)
                                                        : static_cast<double>(player.run().trace[frame.end - 1].time_ns);
        // The step's events lie inside what is shown...
        CHECK(range.begin <= first);
        CHECK(range.end >= last);
        // ... and fill most of it, unless the step compares its run with the previous step's.
        if (frame.at_least_ns == 0 && last - first >= (axis == vis::Axis::time ? 1000.0 : 1.0))
          CHECK((last - first) >= 0.4 * (range.end - range.begin));
      }
      // The step's own cursor is inside its frame (a learner sees where "now" is).
      CHECK(player.step_view().cursor >= frame.begin);
    }
  }
}

TEST_CASE("lesson 08's join step is drawn on the staircase's axis, so it looks half as long", "[lessons][pictures]") {
  const auto& l = lesson("08-join");
  lessons::LessonPlayer player(l, lesson_catalog().find("08")->scenario, lessons::ParamValues(l.params));
  player.go_to(0);
  const vis::TraceIndex first(player.run().trace);
  const auto f0 = player.frame();
  const vis::AxisRange staircase = vis::frame_events(first, vis::Axis::time, f0.begin, f0.end, f0.at_least_ns);
  player.go_to(1);
  const vis::TraceIndex second(player.run().trace);
  const auto f1 = player.frame();
  const vis::AxisRange joined = vis::frame_events(second, vis::Axis::time, f1.begin, f1.end, f1.at_least_ns);
  CHECK(staircase.end >= 1000e6);
  CHECK(joined.end == Approx(staircase.end));
  // The join run ends at 500 ms: half of the shared axis.
  const double end_of_join = static_cast<double>(second.run().end_ns);
  CHECK(end_of_join <= 0.55 * joined.end);
}

TEST_CASE("a task's counters as of the cursor grow to the whole run's, and say nothing before its spawn",
          "[lessons][pictures]") {
  for (const auto& entry : lesson_catalog().entries()) {
    INFO(entry.folder);
    const Picture p(run_lesson_with(entry.folder));
    const std::size_t size = p.run.trace.size();
    for (std::uint32_t slot = 0; slot < p.index->tasks().size(); ++slot) {
      const vis::TaskInfo& t = p.index->tasks()[slot];
      INFO(t.name);
      const vis::TaskCounters end = vis::task_counters_at(*p.lanes, slot, size);
      CHECK(end.spawned);
      CHECK(end.polls == t.polls.size());
      CHECK(end.busy_ns == t.busy_ns);
      CHECK(end.scheduled_ns == t.scheduled_ns);
      CHECK(end.idle_ns == t.idle_ns);
      CHECK(end.wakes == t.wakes);
      CHECK(end.self_wakes == t.self_wakes);
      CHECK(end.lints == t.lints);
      const vis::TaskCounters before = vis::task_counters_at(*p.lanes, slot, t.spawned_event);
      CHECK_FALSE(before.spawned);
      CHECK(before.polls == 0);
      CHECK(before.busy_ns + before.scheduled_ns + before.idle_ns == 0);
      // Counters only grow as the cursor moves on.
      vis::TaskCounters last = before;
      for (std::size_t cursor = t.spawned_event + 1; cursor <= size; cursor += std::max<std::size_t>(1, size / 50)) {
        const vis::TaskCounters now = vis::task_counters_at(*p.lanes, slot, cursor);
        CHECK(now.polls >= last.polls);
        CHECK(now.busy_ns + now.scheduled_ns + now.idle_ns >= last.busy_ns + last.scheduled_ns + last.idle_ns);
        CHECK(now.wakes >= last.wakes);
        // Nothing is charged past the clock as of the cursor (the last event applied).
        const std::uint64_t clock = p.run.trace[cursor - 1].time_ns;
        CHECK(now.busy_ns + now.scheduled_ns + now.idle_ns <= clock - std::min(clock, t.spawned_ns));
        last = now;
      }
    }
  }
}

TEST_CASE("a task parked at 0 ms has been idle 0 ns there, though its wake comes at 300 ms", "[lessons][pictures]") {
  const Picture p(run_lesson_with("10-select"));
  const auto parked = find_event(p.run, "poll_end task=\"main\" result=pending");
  REQUIRE(parked);
  const vis::TaskCounters c = vis::task_counters_at(*p.lanes, p.index->task_slot(p.index->find_task("main")), *parked + 1);
  CHECK(c.polls == 1);
  CHECK(c.idle_ns == 0);
}

TEST_CASE("lesson 15's wait-for cycle is chef 1 → board → chef 2 → knife", "[lessons][pictures]") {
  const Picture p(run_lesson_with("15-deadlock"));
  const auto cycle = vis::wait_for_cycle(*p.index);
  REQUIRE(cycle.size() == 2);
  CHECK(p.index->task_label(cycle[0].task) == "chef 1");
  CHECK(p.index->resource(cycle[0].resource)->name == "board");
  CHECK(p.index->task_label(cycle[1].task) == "chef 2");
  CHECK(p.index->resource(cycle[1].resource)->name == "knife");
  // main, stuck too, awaits chef 1's JoinHandle: the report names it (not "nothing can wake it").
  const std::uint32_t main = p.index->find_task("main");
  const auto main_edge = std::ranges::find(p.index->stuck(), main, &vis::StuckRecord::task);
  REQUIRE(main_edge != p.index->stuck().end());
  CHECK(main_edge->joins);
  CHECK(p.index->task_label(main_edge->holder) == "chef 1");
  CHECK_FALSE(main_edge->on_cycle);
  // The fixed order leaves no cycle to draw.
  const Picture fixed(run_lesson_with("15-deadlock", {{"lock_order", "same"}}));
  CHECK(vis::wait_for_cycle(*fixed.index).empty());
}

TEST_CASE("a run beside the reference run: the first difference that matters, in words", "[lessons][pictures]") {
  const Picture staircase(run_lesson_with("08-join", {{"concurrent", "false"}}));
  const Picture joined(run_lesson_with("08-join", {{"concurrent", "true"}}));
  const auto d = vis::run_differences(*staircase.index, *joined.index);
  REQUIRE_FALSE(d.empty());
  CHECK(d.front() == "your 3 requests ran one after another; the reference's overlapped (3 at once)");
  CHECK(std::ranges::find(d, std::string("your run took 1 s; the reference's 500 ms")) != d.end());
  CHECK(vis::run_differences(*joined.index, *joined.index).empty());

  const Picture deadlock(run_lesson_with("15-deadlock"));
  const Picture ordered(run_lesson_with("15-deadlock", {{"lock_order", "same"}}));
  CHECK(vis::run_differences(*deadlock.index, *ordered.index).front() ==
        "your run ended stuck in a deadlock; the reference's finished");

  const Picture blocked(run_lesson_with("14-blocking", {{"use_spawn_blocking", "false"}}));
  const Picture moved(run_lesson_with("14-blocking", {{"use_spawn_blocking", "true"}}));
  const auto b = vis::run_differences(*blocked.index, *moved.index);
  REQUIRE_FALSE(b.empty());
  CHECK_THAT(b.front(), Catch::StartsWith("your run raised 1 lint (long poll)"));
  CHECK(std::ranges::any_of(b, [](const std::string& s) { return s.starts_with("your blocking work ran on the worker"); }));
}
