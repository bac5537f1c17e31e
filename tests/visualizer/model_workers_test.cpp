// Worker lanes from a real multi-worker trace (the simulated multi_thread flavor, detail/scheduler.hpp
// "Simulated workers"): the index knows the workers and the steals, the session opens with a lane per
// worker, every poll lands on the lane of the worker that ran it, and a steal is drawn on the thief's
// lane naming the worker it robbed. And the world state (world_state.hpp) of such a trace: each
// worker's local queue, the inject queue and what each worker polls, read from the events alone —
// checked against the order in which the runtime really took tasks, and seeking equals replaying.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/block_for.hpp"
#include "asynclab/trace/export.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/chrome_import.hpp"
#include "model/describe.hpp"
#include "model/session.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"

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

// Three workers and every way a task gets queued: spawns from a poll (local), sleeps (timer wakes:
// inject), yield_now (woken while it runs: back to its own worker), a channel (a wake from another
// worker's poll: the waker's local queue), sim::block_for (a worker held while the others go on)
// and the steals that follow.
trace::Trace busy_workers_trace(std::uint64_t seed) {
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().multi_thread(3).virtual_time().seed(seed).trace(rec).build();
    rt.block_on([]() -> Task<void> {
      auto [tx, rx] = sync::mpsc::channel<int>(1, "jobs");
      auto consumer = spawn(
          [](sync::mpsc::Receiver<int> in) -> Task<void> {
            while (auto v = co_await in.recv()) co_await yield_now();
          }(std::move(rx)),
          "consumer");
      std::vector<JoinHandle<void>> hs;
      for (int i = 0; i < 5; ++i)
        hs.push_back(spawn(
            [](int n, sync::mpsc::Sender<int> out) -> Task<void> {
              for (int r = 0; r < 3; ++r) {
                if (n % 2 == 0) sim::block_for(std::chrono::milliseconds(1 + n));
                co_await yield_now();
                (void)co_await out.send(n);
                co_await sleep(std::chrono::milliseconds(2 + r));
              }
            }(i, tx),
            "job " + std::to_string(i)));
      { auto drop = std::move(tx); }
      for (auto& h : hs) (void)co_await h;
      (void)co_await consumer;
    }());
  }
  return rec.take();
}

WorldState replay_from_start(const TraceIndex& index, std::size_t cursor) {
  WorldState s = initial_state(index);
  while (s.cursor < cursor) apply(index, s);
  return s;
}

template <class Pred>
std::size_t first_event(const trace::Trace& t, Pred pred) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (pred(t[i])) return i;
  FAIL("no such event");
  return t.size();
}

std::deque<std::uint32_t> ids(const TraceIndex& index, std::initializer_list<const char*> names) {
  std::deque<std::uint32_t> out;
  for (const char* n : names) out.push_back(index.find_task(n));
  return out;
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
  // A steal mark's tooltip: the thief, the worker robbed, and the tasks folded into the mark.
  CHECK(describe_steals(index, steals[0].event, 2) == "2 tasks stolen by worker 1 from worker 0: parse 0, parse 1");
  CHECK(describe_steals(index, steals[2].event, 1) ==
        fmt::format("main stolen by worker 0 from worker {}", steals[2].from_worker));

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
  CHECK(on(1).x0 == glyph_inset_px);  // at 0 ms, but kept inside the lane so its glyph is whole
  const DrawCmd* hovered = hit_test(cmds, 1, glyph_inset_px);
  REQUIRE(hovered != nullptr);
  CHECK(hovered->kind == DrawKind::steal_mark);
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

TEST_CASE("a multi-worker trace survives a Chrome round trip: flavor, worker count, each event's worker, steals",
          "[vis][workers][load]") {
  const trace::Trace original = busy_workers_trace(3);
  std::ostringstream chrome;
  trace::write_chrome_json(original, chrome);
  auto back = trace::import_chrome_json(chrome.str());
  INFO((back ? std::string() : back.error()));
  REQUIRE(back.has_value());
  REQUIRE(back->size() == original.size());
  std::size_t steals = 0, off_worker_0 = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const trace::Event want = original[i], got = (*back)[i];
    CAPTURE(i, trace::kind_name(want.kind));
    CHECK(got.kind == want.kind);
    CHECK(got.worker == want.worker);
    CHECK(got.flags == want.flags);
    CHECK(got.task == want.task);
    CHECK(got.a == want.a);
    CHECK(got.time_ns == want.time_ns);
    if (want.kind == EventKind::task_stolen) ++steals;
    if (want.worker != 0 && want.kind != EventKind::runtime_started) ++off_worker_0;
  }
  CHECK(steals > 0);
  CHECK(off_worker_0 > 0);
  // And so the imported trace opens as the original does: three worker lanes, the same world state.
  const TraceIndex before(original), after(*back);
  CHECK(after.run().workers == 3);
  WorldState s_before = initial_state(before), s_after = initial_state(after);
  std::size_t busy_moments = 0;
  while (s_before.cursor < original.size()) {
    apply(before, s_before);
    apply(after, s_after);
    CAPTURE(s_before.cursor);
    REQUIRE(s_after.workers == s_before.workers);
    if (std::any_of(s_before.workers.begin(), s_before.workers.end(), [](const WorkerNow& w) { return !w.local.empty(); }))
      ++busy_moments;
  }
  CHECK(busy_moments > 0);
}

TEST_CASE("a multi-worker trace's state has each worker's local queue, the inject queue and its polls",
          "[vis][workers][state]") {
  const trace::Trace t = two_worker_trace();
  const TraceIndex index(t);
  const std::uint32_t main_id = index.find_task("main");
  REQUIRE(initial_state(index).workers.size() == 2);

  // main is spawned from outside any poll: the inject queue.
  const WorldState spawned = replay_from_start(index, index.task(main_id)->spawned_event + 1);
  CHECK(spawned.run_queue == std::deque<std::uint32_t>{main_id});
  CHECK(spawned.workers[0].local.empty());

  // Worker 0 takes main from the inject queue; its spawns go to worker 0's local queue, in order.
  const std::size_t main_polled = index.task(main_id)->polls.front().begin_event;
  CHECK(t[main_polled].worker == 0);
  const WorldState all_spawned = replay_from_start(index, index.task(index.find_task("parse 3"))->spawned_event + 1);
  CHECK(all_spawned.run_queue.empty());
  CHECK(all_spawned.workers[0].running == main_id);
  CHECK(all_spawned.workers[0].local == ids(index, {"parse 0", "parse 1", "parse 2", "parse 3"}));
  CHECK(all_spawned.workers[1].local.empty());
  CHECK(all_spawned.workers[1].running == 0);

  // Worker 1 steals the older half: parse 0 and parse 1 move, in order, to the back of its queue.
  const std::vector<StealRecord>& steals = index.steals();
  REQUIRE(steals.size() == 3);
  const WorldState before_steal = replay_from_start(index, steals[0].event);
  CHECK(before_steal.workers[0].local == ids(index, {"parse 0", "parse 1", "parse 2", "parse 3"}));
  CHECK(before_steal.workers[0].running == 0);  // main returned Pending first
  const WorldState stolen = replay_from_start(index, steals[1].event + 1);
  CHECK(stolen.workers[0].local == ids(index, {"parse 2", "parse 3"}));
  CHECK(stolen.workers[1].local == ids(index, {"parse 0", "parse 1"}));

  // Then each worker polls the front of its own queue, and sim::block_for holds both at once.
  const WorldState both_blocked = replay_from_start(index, first_event(t, [&](const trace::Event& e) {
    return e.kind == EventKind::blocking_begin && e.worker == 0;
  }) + 1);
  CHECK(both_blocked.workers[1].running == index.find_task("parse 0"));
  CHECK(both_blocked.workers[1].blocked == index.find_task("parse 0"));
  CHECK(both_blocked.workers[1].local == ids(index, {"parse 1"}));
  CHECK(both_blocked.workers[0].running == index.find_task("parse 2"));
  CHECK(both_blocked.workers[0].blocked == index.find_task("parse 2"));
  CHECK(both_blocked.workers[0].local == ids(index, {"parse 3"}));
  CHECK(both_blocked.blocking_busy[0] == 0);  // the current-thread "worker blocked" lane stays free

  // main, woken by a parse finishing in its poll, sits on that parse's worker until worker 0 steals it.
  const WorldState before_main_stolen = replay_from_start(index, steals[2].event);
  const std::uint32_t victim = steals[2].from_worker;
  CHECK(std::count(before_main_stolen.workers[victim].local.begin(), before_main_stolen.workers[victim].local.end(),
                   main_id) == 1);
  const WorldState main_stolen = replay_from_start(index, steals[2].event + 1);
  CHECK(std::count(main_stolen.workers[victim].local.begin(), main_stolen.workers[victim].local.end(), main_id) == 0);
  CHECK(main_stolen.workers[0].local.back() == main_id);

  const WorldState end = replay_from_start(index, t.size());
  CHECK(end.workers[0].running == 0);
  CHECK(end.workers[1].running == 0);
}

TEST_CASE("every poll of a multi-worker trace takes the task its worker's queues put in front",
          "[vis][workers][state]") {
  // The runtime's pick order (a worker's local queue, else the inject queue; a steal refills the
  // local queue first) checked against the queues the model builds from the events alone: if the
  // placement rules were read wrong, some poll would take a task from elsewhere.
  const std::uint64_t seed = GENERATE(1, 2, 3, 7);
  CAPTURE(seed);
  const trace::Trace t = busy_workers_trace(seed);
  const TraceIndex index(t);
  REQUIRE(index.run().workers == 3);
  REQUIRE(!index.steals().empty());
  WorldState s = initial_state(index);
  std::size_t polls = 0, from_local = 0, from_inject = 0;
  while (s.cursor < t.size()) {
    const trace::Event e = t[s.cursor];
    if (e.kind == EventKind::poll_begin) {
      CAPTURE(s.cursor, index.task_label(e.task), e.worker);
      REQUIRE(e.worker < s.workers.size());
      const WorkerNow& w = s.workers[e.worker];
      CHECK(w.running == 0);
      CHECK(w.blocked == 0);
      if (!w.local.empty()) {
        CHECK(w.local.front() == e.task);
        ++from_local;
      } else {
        REQUIRE(!s.run_queue.empty());
        CHECK(s.run_queue.front() == e.task);
        ++from_inject;
      }
      ++polls;
    }
    apply(index, s);
    // Every scheduled task sits in exactly one queue, and only scheduled tasks do.
    std::size_t queued = s.run_queue.size();
    for (const WorkerNow& w : s.workers) queued += w.local.size();
    const auto scheduled = static_cast<std::size_t>(std::count_if(
        s.tasks.begin(), s.tasks.end(), [](const TaskNow& x) { return x.state == TaskState::scheduled; }));
    REQUIRE(queued == scheduled);
  }
  CHECK(polls > 30);
  CHECK(from_local > 0);
  CHECK(from_inject > 0);
}

TEST_CASE("seeking in a multi-worker trace equals replaying from the start", "[vis][workers][state]") {
  const trace::Trace t = busy_workers_trace(3);
  const TraceIndex index(t);
  const auto [stride, fine] = GENERATE(table<std::size_t, std::size_t>({{1, 4096}, {13, 4096}, {0, 4096}, {50, 7}}));
  CAPTURE(stride, fine);
  const StateTimeline timeline(index, stride, fine);
  std::mt19937_64 rng(7);
  WorldState moving = timeline.state_at(0);
  for (int round = 0; round < 150; ++round) {
    const std::size_t cursor = rng() % (t.size() + 1);
    CAPTURE(cursor);
    const WorldState expected = replay_from_start(index, cursor);
    REQUIRE(timeline.state_at(cursor) == expected);
    timeline.seek(moving, cursor);
    REQUIRE(moving == expected);
  }
}

TEST_CASE("a hand-built multi-worker trace: timer wakes go to the inject queue, a poll's wakes stay local",
          "[vis][workers][state]") {
  // runtime_started with flavor 1 and worker field 1: two workers. Task 1 (main) spawns 2 and 3 on
  // worker 0; worker 1 steals 2, which wakes main and itself in its poll; 3 parks on a timer, and the
  // timer's wake (no task running: the run loop) sends it to the inject queue.
  trace::Trace t;
  auto ev = [&](std::uint64_t ms, EventKind k, std::uint8_t worker, std::uint32_t task, std::uint32_t a = 0,
                std::uint32_t b = 0, std::uint16_t flags = 0) {
    t.push(trace::Event{ms * 1'000'000, k, worker, flags, task, a, b});
    return t.size() - 1;
  };
  ev(0, EventKind::runtime_started, 1, 0, 0, 0, 1 | (1 << 1));
  ev(0, EventKind::task_spawned, 0, 1);                 // main: from outside, inject
  ev(0, EventKind::poll_begin, 0, 1);
  ev(0, EventKind::task_spawned, 0, 2, 1);              // from main's poll on worker 0: local 0
  ev(0, EventKind::task_spawned, 0, 3, 1);
  ev(0, EventKind::poll_end, 0, 1);
  const std::size_t steal = ev(0, EventKind::task_stolen, 1, 2, 0, 1);
  ev(0, EventKind::poll_begin, 1, 2);
  ev(0, EventKind::wake, 1, 1, 2);                      // 2 wakes main from worker 1's poll: local 1
  ev(0, EventKind::wake, 1, 2, 2, 0, trace::wake_flag::self);  // a self-wake: notified
  const std::size_t notified_end = ev(0, EventKind::poll_end, 1, 2);
  ev(0, EventKind::poll_begin, 0, 3);
  ev(0, EventKind::timer_armed, 0, 3, 1, 5000);
  ev(0, EventKind::poll_end, 0, 3);
  ev(5, EventKind::timer_fired, 0, 3, 1);
  const std::size_t timer_wake =
      ev(5, EventKind::wake, 0, 3, 0, 0, static_cast<std::uint16_t>(trace::WakeSource::timer));  // inject
  const TraceIndex index(t);
  REQUIRE(index.run().flavor == 1);
  REQUIRE(index.run().workers == 2);

  const WorldState at_steal = replay_from_start(index, steal);
  CHECK(at_steal.workers[0].local == std::deque<std::uint32_t>{2, 3});
  CHECK(at_steal.run_queue.empty());
  const WorldState after_steal = replay_from_start(index, steal + 1);
  CHECK(after_steal.workers[0].local == std::deque<std::uint32_t>{3});
  CHECK(after_steal.workers[1].local == std::deque<std::uint32_t>{2});
  const WorldState polled = replay_from_start(index, notified_end + 1);
  CHECK(polled.workers[1].local == std::deque<std::uint32_t>{1, 2});  // main, then 2 back where it ran
  CHECK(polled.workers[1].running == 0);
  const WorldState woken = replay_from_start(index, timer_wake + 1);
  CHECK(woken.run_queue == std::deque<std::uint32_t>{3});
  CHECK(woken.tasks[index.task_slot(3)].state == TaskState::scheduled);
}

TEST_CASE("a trace no asynclab runtime recorded, whose polls name two workers, is shown per worker",
          "[vis][workers][state]") {
  // What bridges/tokio writes for a Tokio program on two workers: no runtime_started, each poll on
  // the thread (worker) that ran it. Both workers poll at once; a current_thread trace of the same
  // shape (all on worker 0) keeps the single run queue.
  auto make = [](std::uint8_t second_worker) {
    trace::Trace t;
    auto ev = [&](std::uint64_t us, EventKind k, std::uint8_t worker, std::uint32_t task, std::uint32_t a = 0) {
      t.push(trace::Event{us * 1'000, k, worker, 0, task, a, 0});
    };
    ev(0, EventKind::task_spawned, 0, 1);
    ev(0, EventKind::task_spawned, 0, 2);
    ev(1, EventKind::poll_begin, 0, 1);
    ev(2, EventKind::poll_begin, second_worker, 2);
    return t;
  };
  const trace::Trace two = make(1);
  const TraceIndex index(two);
  CHECK_FALSE(index.run().asynclab_runtime);
  CHECK(index.run().workers == 2);
  const WorldState both = replay_from_start(index, two.size());
  REQUIRE(both.workers.size() == 2);
  CHECK(both.workers[0].running == 1);
  CHECK(both.workers[1].running == 2);

  const trace::Trace one = make(0);
  const TraceIndex single(one);
  CHECK(replay_from_start(single, one.size()).workers.empty());
}
