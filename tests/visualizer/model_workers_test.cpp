// Worker lanes from a real multi-worker trace (the simulated multi_thread flavor, detail/scheduler.hpp
// "Simulated workers"): the index knows the workers and the steals, the session opens with a lane per
// worker, every poll lands on the lane of the worker that ran it, and a steal is drawn on the thief's
// lane naming the worker it robbed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/block_for.hpp"
#include "asynclab/trace/file.hpp"
#include "model/describe.hpp"
#include "model/session.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

Task<int> parse(int i) {
  sim::block_for(10ms);
  co_return i;
}

Task<void> four_parses() {
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn(parse(i), "parse " + std::to_string(i)));
  for (auto& h : hs) {
    auto r = co_await h;
    if (!r) throw std::runtime_error("a parse failed");
  }
}

// Two workers: main (worker 0) spawns four parses onto worker 0's queue, worker 1 steals parse 0 and
// parse 1 at 0 ms; at 20 ms worker 0 steals main back (see tests/runtime/sim_workers_test.cpp).
trace::Trace two_worker_trace() {
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().multi_thread(2).virtual_time().seed(1).trace(rec).build();
    rt.block_on(four_parses());
  }
  return rec.take();
}

TimelineViewport whole(const TraceIndex& index, std::size_t lanes) {
  TimelineViewport v;
  v.begin = 0;
  v.end = axis_extent_end(index, Axis::time);
  v.width_px = 1000;
  v.lane_count = lanes;
  v.axis = Axis::time;
  return v;
}

}  // namespace

TEST_CASE("a recorded multi-worker trace opens with a lane per worker, then the tasks", "[vis][workers]") {
  Session session(two_worker_trace(), "two workers");
  const TraceIndex& index = session.index();
  CHECK(index.run().workers == 2);
  CHECK(index.run().flavor == 1);
  const std::vector<Lane>& lanes = session.lanes();
  REQUIRE(lanes.size() >= 2 + index.tasks().size());
  CHECK(lanes[0] == Lane{LaneKind::worker, 0});
  CHECK(lanes[1] == Lane{LaneKind::worker, 1});
  CHECK(lanes[2] == Lane{LaneKind::task, index.find_task("main")});
  CHECK(session.lane_of_task(index.find_task("parse 0")) == 2 + index.task_slot(index.find_task("parse 0")));
  // The parses blocked both workers at once: no shared "worker blocked" lane, whose spans would overlap.
  CHECK(std::none_of(lanes.begin(), lanes.end(), [](const Lane& l) { return l == Lane{LaneKind::blocking, 0}; }));
}

TEST_CASE("every poll of a recorded multi-worker trace is drawn on the lane of the worker that ran it",
          "[vis][workers]") {
  const trace::Trace t = two_worker_trace();
  const TraceIndex index(t);
  const LaneIndex lists(index);
  const std::vector<Lane> lanes = {{LaneKind::worker, 0}, {LaneKind::worker, 1}};
  TimelineViewport view = whole(index, lanes.size());
  view.min_px = 0;  // nothing folds: every poll is its own command
  const std::vector<DrawCmd> cmds = layout_timeline(lists, lanes, view);

  std::size_t polls_drawn = 0;
  std::vector<std::pair<float, float>> per_lane[2];
  for (const DrawCmd& c : cmds) {
    if (c.kind != DrawKind::poll) continue;
    ++polls_drawn;
    REQUIRE(t[c.event].kind == EventKind::poll_begin);
    CHECK(t[c.event].worker == c.lane);
    per_lane[c.lane].push_back({c.x0, c.x1});
  }
  std::size_t polls = 0;
  for (const TaskInfo& task : index.tasks()) polls += task.polls.size();
  CHECK(polls_drawn == polls);
  // A worker runs one poll at a time: its lane's polls never overlap (they may touch).
  for (auto& spans : per_lane) {
    CHECK(!spans.empty());
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) CHECK(spans[i].first >= spans[i - 1].second);
  }
  // The parses ran on both lanes at 0 ms: worker 1 the stolen parse 0, worker 0 parse 2.
  auto first_poll_lane = [&](const char* name) {
    const std::uint32_t id = index.find_task(name);
    for (const DrawCmd& c : cmds)
      if (c.kind == DrawKind::poll && t[c.event].task == id) return c.lane;
    return npos;
  };
  CHECK(first_poll_lane("parse 0") == 1);
  CHECK(first_poll_lane("parse 2") == 0);
}

TEST_CASE("a steal in a recorded trace is indexed and drawn on the thief's lane, naming the worker robbed",
          "[vis][workers]") {
  const trace::Trace t = two_worker_trace();
  const TraceIndex index(t);
  const std::vector<StealRecord>& steals = index.steals();
  REQUIRE(steals.size() == 3);
  CHECK(steals[0].task == index.find_task("parse 0"));
  CHECK(steals[0].from_worker == 0);
  CHECK(steals[0].to_worker == 1);
  CHECK(steals[2].task == index.find_task("main"));
  CHECK(steals[2].to_worker == 0);
  CHECK(describe_event(index, t[steals[0].event]) == "worker 1 steals parse 0 from worker 0's queue");

  const LaneIndex lists(index);
  const std::vector<Lane> lanes = {{LaneKind::worker, 0}, {LaneKind::worker, 1}};
  const std::vector<DrawCmd> cmds = layout_timeline(lists, lanes, whole(index, lanes.size()));
  std::vector<DrawCmd> marks;
  std::copy_if(cmds.begin(), cmds.end(), std::back_inserter(marks),
               [](const DrawCmd& c) { return c.kind == DrawKind::steal_mark; });
  REQUIRE(marks.size() == 2);
  // Worker 1's two steals at 0 ms fold into one mark counting both; worker 0's steal at 20 ms.
  const auto on = [&](std::uint32_t lane) {
    return *std::find_if(marks.begin(), marks.end(), [&](const DrawCmd& c) { return c.lane == lane; });
  };
  CHECK(on(1).count == 2);
  CHECK(on(1).aux == 0);
  CHECK(on(1).event == steals[0].event);
  CHECK(on(1).x0 == 0);
  CHECK(on(0).count == 1);
  CHECK(on(0).aux == 1);
  CHECK(on(0).event == steals[2].event);
  CHECK(hit_test(cmds, 0, on(0).x0) != nullptr);
}

TEST_CASE("the worker count survives an .altrace round trip, even for workers that never polled", "[vis][workers]") {
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().multi_thread(4).virtual_time().trace(rec).build();
    rt.block_on([]() -> Task<void> { co_return; });  // main alone: workers 1..3 never poll
  }
  auto loaded = trace::from_altrace(trace::to_altrace(rec.trace()));
  REQUIRE(loaded);
  Session session(std::move(*loaded), "four workers");
  CHECK(session.index().run().workers == 4);
  CHECK(std::count_if(session.lanes().begin(), session.lanes().end(),
                      [](const Lane& l) { return l.kind == LaneKind::worker; }) == 4);
}
