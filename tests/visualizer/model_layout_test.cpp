// The timeline layout (visualizer/model/timeline_layout.hpp): which draw commands one frame gets at
// each zoom level — polls drawn as themselves when wide enough, folded into counted runs when not,
// gaps, marks and wake arrows — checked with tables of zoom levels over hand-built and recorded traces.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using asynclab::testing::showcase_trace;
using trace::EventKind;

namespace {

// Writes events straight into a Trace, in time order, the way the recorder would.
class TraceBuilder {
 public:
  std::uint32_t spawn(const std::string& name, std::uint64_t at, std::uint32_t parent = 0) {
    const std::uint32_t site = trace_.add_site(trace::SpawnSite{trace_.add_string(name), 0});
    const std::uint32_t id = ++tasks_;
    push(at, EventKind::task_spawned, id, parent, site);
    return id;
  }
  void poll(std::uint32_t task, std::uint64_t begin, std::uint64_t end,
            trace::PollResult result = trace::PollResult::pending) {
    begin_poll(task, begin);
    end_poll(task, end, result);
  }
  void begin_poll(std::uint32_t task, std::uint64_t at, std::uint8_t worker = 0) {
    push(at, EventKind::poll_begin, task, 0, 0, 0, worker);
  }
  void end_poll(std::uint32_t task, std::uint64_t at, trace::PollResult result = trace::PollResult::pending,
                std::uint8_t worker = 0) {
    push(at, EventKind::poll_end, task, 0, 0, static_cast<std::uint16_t>(result), worker);
  }
  void wake(std::uint32_t task, std::uint64_t at, std::uint32_t from = 0,
            trace::WakeSource source = trace::WakeSource::timer) {
    push(at, EventKind::wake, task, from, 0, static_cast<std::uint16_t>(source));
  }
  void complete(std::uint32_t task, std::uint64_t at, trace::Outcome outcome = trace::Outcome::ok) {
    push(at, EventKind::task_completed, task, 0, 0, static_cast<std::uint16_t>(outcome));
  }
  void push(std::uint64_t at, EventKind kind, std::uint32_t task, std::uint32_t a = 0, std::uint32_t b = 0,
            std::uint16_t flags = 0, std::uint8_t worker = 0) {
    trace_.push(trace::Event{at, kind, worker, flags, task, a, b});
  }
  trace::Trace take() { return std::move(trace_); }

 private:
  trace::Trace trace_;
  std::uint32_t tasks_ = 0;
};

constexpr std::uint64_t us = 1000;

// One task "ticker" polled `polls` times: a 1 µs poll every 10 µs; after each Pending poll a timer
// wakes it 7 µs later (idle 7 µs), and it waits 2 µs in the run queue (scheduled 2 µs). The last poll
// is Ready. Its lane is lane 0.
trace::Trace ticker_trace(std::uint32_t polls = 1000) {
  TraceBuilder b;
  const std::uint32_t t = b.spawn("ticker", 0);
  for (std::uint32_t k = 0; k < polls; ++k) {
    const std::uint64_t at = k * 10 * us;
    const bool last = k + 1 == polls;
    b.poll(t, at, at + us, last ? trace::PollResult::ready : trace::PollResult::pending);
    if (last)
      b.complete(t, at + us);
    else
      b.wake(t, at + 8 * us);
  }
  return b.take();
}

TimelineViewport view_at(double begin, double units_per_px, float width_px, Axis axis = Axis::time,
                         std::size_t lanes = 1000) {
  TimelineViewport v;
  v.begin = begin;
  v.end = begin + units_per_px * width_px;
  v.width_px = width_px;
  v.first_lane = 0;
  v.lane_count = lanes;
  v.axis = axis;
  return v;
}

bool is_span(const DrawCmd& c) {
  return c.kind == DrawKind::poll || c.kind == DrawKind::folded || c.kind == DrawKind::blocking_span;
}

std::vector<DrawCmd> only(const std::vector<DrawCmd>& cmds, DrawKind kind, std::uint32_t lane) {
  std::vector<DrawCmd> out;
  for (const DrawCmd& c : cmds)
    if (c.kind == kind && c.lane == lane) out.push_back(c);
  return out;
}

std::uint64_t span_count(const std::vector<DrawCmd>& cmds, std::uint32_t lane) {
  std::uint64_t n = 0;
  for (const DrawCmd& c : cmds)
    if (c.lane == lane && is_span(c)) n += c.count;
  return n;
}

// The polls of a task overlapping [begin, end] on the time axis, counted one by one.
std::uint64_t polls_overlapping(const TaskInfo& t, double begin, double end) {
  return static_cast<std::uint64_t>(std::count_if(t.polls.begin(), t.polls.end(), [&](const PollSpan& p) {
    return static_cast<double>(p.end_ns) >= begin && static_cast<double>(p.begin_ns) <= end;
  }));
}

std::uint32_t lane_of(const std::vector<Lane>& lanes, const TraceIndex& index, const char* name) {
  const std::uint32_t id = index.find_task(name);
  const auto it = std::find(lanes.begin(), lanes.end(), Lane{LaneKind::task, id});
  REQUIRE(it != lanes.end());
  return static_cast<std::uint32_t>(it - lanes.begin());
}

}  // namespace

TEST_CASE("a poll is drawn as itself when wider than min_px, or when narrow with no neighbour within min_px",
          "[vis][layout]") {
  const trace::Trace t = ticker_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  // ns per pixel, where the view starts: a 1 µs poll is 1000 px, 100 px, 1 px (narrow, but the next
  // poll is 9 px away), 0.33 px with 3 px between polls.
  auto [ns_per_px, begin, every_poll_alone] = GENERATE(table<double, double, bool>({
      {1.0, 5'000'000.0, true},
      {10.0, 5'000'500.0, true},
      {1000.0, 2'000'000.0, true},
      {2500.0, 2'000'000.0, true},
      {3300.0, 0.0, false},
      {100'000.0, 0.0, false},
  }));
  CAPTURE(ns_per_px, begin);
  const TimelineViewport view = view_at(begin, ns_per_px, 1000);
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  const std::uint64_t in_view = polls_overlapping(index.tasks()[0], view.begin, view.end);
  REQUIRE(in_view > 0);
  CHECK(only(cmds, DrawKind::folded, 0).empty() == every_poll_alone);
  if (every_poll_alone) CHECK(only(cmds, DrawKind::poll, 0).size() == in_view);
  for (const DrawCmd& c : only(cmds, DrawKind::poll, 0)) {
    CHECK(c.count == 1);
    CHECK(t[c.event].kind == EventKind::poll_begin);
  }
}

TEST_CASE("the span commands of a lane count exactly the polls overlapping the view, folded or not",
          "[vis][layout][lod]") {
  const trace::Trace t = ticker_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  auto [ns_per_px, begin] = GENERATE(table<double, double>({
      {1.0, 0.0},
      {50.0, 3'000'000.0},
      {1000.0, 1'234'567.0},
      {5000.0, 500.0},
      {100'000.0, 0.0},          // 100 µs per pixel: ten polls per pixel
      {100'000.0, 9'000'000.0},  // the last polls, the view running past the end of the trace
      {1'000'000.0, 0.0},
      {20.0, 9'989'000.0},
  }));
  const float width = GENERATE(200.0f, 1600.0f);
  CAPTURE(ns_per_px, begin, width);
  const TimelineViewport view = view_at(begin, ns_per_px, width);
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  CHECK(span_count(cmds, 0) == polls_overlapping(index.tasks()[0], view.begin, view.end));
  // Left to right, never overlapping.
  const std::vector<DrawCmd> polls_and_runs = [&] {
    std::vector<DrawCmd> v;
    std::copy_if(cmds.begin(), cmds.end(), std::back_inserter(v), is_span);
    return v;
  }();
  for (std::size_t i = 1; i < polls_and_runs.size(); ++i)
    CHECK(polls_and_runs[i - 1].x1 <= polls_and_runs[i].x0);
}

TEST_CASE(
    "at whole-trace zoom a lane costs at most width / min_px commands, and its counts still sum to its polls",
    "[vis][layout][lod]") {
  // 100,000 polls at irregular intervals: bursts of back-to-back polls and pauses of up to 50 ms.
  TraceBuilder b;
  const std::uint32_t task = b.spawn("bursty", 0);
  std::mt19937_64 rng(7);
  std::uint64_t now = 0;
  const std::uint32_t polls = 100'000;
  for (std::uint32_t k = 0; k < polls; ++k) {
    now += rng() % 8 == 0 ? rng() % (50'000 * us) : rng() % (2 * us);
    const std::uint64_t took = 100 + rng() % (3 * us);
    const bool last = k + 1 == polls;
    b.poll(task, now, now + took, last ? trace::PollResult::ready : trace::PollResult::pending);
    now += took;
    if (!last) b.wake(task, now + 1);
    now += 2;
  }
  b.complete(task, now);
  const trace::Trace t = b.take();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);

  auto [width, min_px] = GENERATE(table<float, float>({{1600, 3}, {800, 3}, {1600, 1}, {300, 8}}));
  CAPTURE(width, min_px);
  TimelineViewport view = view_at(0, axis_extent_end(index, Axis::time) / width, width);
  view.min_px = min_px;
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  std::size_t spans = 0, gaps = 0, arrows = 0;
  std::uint64_t wakes = 0;
  for (const DrawCmd& c : cmds) {
    spans += is_span(c);
    gaps += c.kind == DrawKind::idle_gap || c.kind == DrawKind::scheduled_gap;
    if (c.kind == DrawKind::wake_arrow) {
      ++arrows;
      wakes += c.count;
    }
  }
  const auto budget = static_cast<std::size_t>(width / min_px) + 2;
  CHECK(spans <= budget);
  CHECK(gaps <= 2 * (spans + 1));
  CHECK(arrows <= budget);
  CHECK(span_count(cmds, 0) == polls);
  CHECK(wakes == polls - 1);
}

TEST_CASE("idle and scheduled gaps fill the time between polls, and narrow ones are left out",
          "[vis][layout]") {
  const trace::Trace t = ticker_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  // Poll 500 runs [5000, 5001) µs; idle until the wake at 5008 µs, scheduled until 5010 µs.
  auto [ns_per_px, idle_px, scheduled_px] = GENERATE(table<double, float, float>({
      {10.0, 700.0f, 200.0f}, {1000.0, 7.0f, 0.0f},  // 2 px of scheduled time: narrower than min_px, left out
  }));
  CAPTURE(ns_per_px);
  const std::vector<DrawCmd> cmds =
      layout_timeline(lanes_index, lanes, view_at(5'000'000.0, ns_per_px, 1200));
  const std::vector<DrawCmd> idle = only(cmds, DrawKind::idle_gap, 0);
  const std::vector<DrawCmd> scheduled = only(cmds, DrawKind::scheduled_gap, 0);
  REQUIRE_FALSE(idle.empty());
  CHECK(idle.front().x1 - idle.front().x0 == Approx(std::min(idle_px, 1201.0f - idle.front().x0)));
  CHECK(t[idle.front().event].kind == EventKind::poll_end);
  if (scheduled_px == 0) {
    CHECK(scheduled.empty());
  } else {
    REQUIRE_FALSE(scheduled.empty());
    CHECK(scheduled.front().x0 == Approx(idle.front().x1));
    CHECK(scheduled.front().x1 - scheduled.front().x0 == Approx(scheduled_px));
    // It starts at the timer's wake, which came from no task.
    CHECK(t[scheduled.front().event].kind == EventKind::wake);
    CHECK(scheduled.front().source == trace::WakeSource::timer);
    CHECK(scheduled.front().aux == npos);
  }
}

TEST_CASE("nothing is emitted outside the visible range, and every x is clamped to the viewport",
          "[vis][layout]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const Axis axis = GENERATE(Axis::time, Axis::sequence);
  const double extent = axis_extent_end(index, axis);
  auto [from, to] = GENERATE(table<double, double>({{0.0, 1.0}, {0.25, 0.5}, {0.4, 0.41}, {0.9, 1.5}}));
  CAPTURE(axis == Axis::time, from, to);
  TimelineViewport view = view_at(from * extent, (to - from) * extent / 800, 800, axis);
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  REQUIRE_FALSE(cmds.empty());
  for (const DrawCmd& c : cmds) {
    CAPTURE(static_cast<int>(c.kind), c.lane, c.event);
    CHECK(c.x0 >= -1.0f);
    CHECK(c.x1 <= 801.0f);
    CHECK(c.x0 <= c.x1);
    // An instant's position is its event's: inside the view, so never clamped.
    if (c.x0 == c.x1 && !is_span(c)) {
      const double at = axis_value(index, c.event, axis);
      CHECK(at >= view.begin);
      CHECK(at <= view.end);
      CHECK(c.x0 >= 0.0f);
      CHECK(c.x0 <= 800.0f);
    }
  }
}

TEST_CASE("only the lanes on screen get commands, timeline-wide marks have no lane", "[vis][layout]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  auto [first, count] = GENERATE(table<std::size_t, std::size_t>({{0, 1}, {2, 3}, {5, 100}, {100, 5}}));
  CAPTURE(first, count);
  TimelineViewport view = view_at(0, axis_extent_end(index, Axis::sequence) / 1000, 1000, Axis::sequence);
  view.first_lane = first;
  view.lane_count = count;
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  std::vector<bool> seen(lanes.size(), false);
  for (const DrawCmd& c : cmds) {
    if (c.lane == npos) {
      CHECK(c.kind == DrawKind::user_mark);
      continue;
    }
    REQUIRE(c.lane < lanes.size());
    CHECK(c.lane >= first);
    CHECK(c.lane < first + count);
    seen[c.lane] = true;
  }
  for (std::size_t l = first; l < std::min(first + count, lanes.size()); ++l) CHECK(seen[l]);
  CHECK(std::count_if(cmds.begin(), cmds.end(),
                      [](const DrawCmd& c) { return c.kind == DrawKind::user_mark; }) == 1);
}

TEST_CASE("on the sequence axis a poll that takes no virtual time still has a width", "[vis][layout]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const std::uint32_t fetch_a = lane_of(lanes, index, "fetch a");
  const PollSpan& first = index.task(index.find_task("fetch a"))->polls.front();
  REQUIRE(first.begin_ns == first.end_ns);  // virtual time: polls are instants
  const float px_per_event = GENERATE(4.0f, 10.0f);
  CAPTURE(px_per_event);

  const TimelineViewport steps =
      view_at(first.begin_event, 1.0 / px_per_event, 40 * px_per_event, Axis::sequence);
  const std::vector<DrawCmd> polls =
      only(layout_timeline(lanes_index, lanes, steps), DrawKind::poll, fetch_a);
  REQUIRE_FALSE(polls.empty());
  CHECK(polls.front().event == first.begin_event);
  CHECK(polls.front().x0 == 0.0f);
  CHECK(polls.front().x1 == Approx((first.end_event + 1 - first.begin_event) * px_per_event));

  const TimelineViewport time = view_at(static_cast<double>(first.begin_ns) - 500, 1, 1000, Axis::time);
  const std::vector<DrawCmd> instants =
      only(layout_timeline(lanes_index, lanes, time), DrawKind::poll, fetch_a);
  REQUIRE_FALSE(instants.empty());
  CHECK(instants.front().x0 == instants.front().x1);
}

TEST_CASE("a wake arrow lands on the woken task's lane and names the waker's lane", "[vis][layout][wake]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const Axis axis = GENERATE(Axis::time, Axis::sequence);
  CAPTURE(axis == Axis::time);
  // Zoomed in far enough that wakes at different events or nanoseconds get arrows of their own.
  const double extent = axis_extent_end(index, axis);
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view_at(0, extent / 1e7, 1e7f, axis));

  std::size_t wakes = 0;
  for (const DrawCmd& c : cmds) {
    if (c.kind != DrawKind::wake_arrow) continue;
    wakes += c.count;
    const trace::Event e = t[c.event];
    REQUIRE(e.kind == EventKind::wake);
    CHECK(lanes[c.lane] == Lane{LaneKind::task, e.task});
    if (e.a == 0)
      CHECK(c.aux == npos);
    else
      CHECK(lanes[c.aux] == Lane{LaneKind::task, e.a});
    CHECK(c.source == static_cast<trace::WakeSource>(e.flags & trace::wake_flag::source_mask));
  }
  CHECK(wakes == index.wakes().size());

  // "fetch b" is woken by its timer, from no task; the producer, waiting on the full channel, by the
  // consumer's receive; "main", awaiting "fetch a", by "fetch a" finishing.
  const std::vector<DrawCmd> fetch_b = only(cmds, DrawKind::wake_arrow, lane_of(lanes, index, "fetch b"));
  REQUIRE(fetch_b.size() == 1);
  CHECK(fetch_b[0].source == trace::WakeSource::timer);
  CHECK(fetch_b[0].aux == npos);
  const std::vector<DrawCmd> producer = only(cmds, DrawKind::wake_arrow, lane_of(lanes, index, "producer"));
  REQUIRE_FALSE(producer.empty());
  for (const DrawCmd& c : producer) {
    CHECK(c.aux == lane_of(lanes, index, "consumer"));
    CHECK(c.source == trace::WakeSource::channel);
  }
  // The time it then waits in the run queue names the same waker.
  std::size_t woken_gaps = 0;
  for (const DrawCmd& c : only(cmds, DrawKind::scheduled_gap, lane_of(lanes, index, "producer"))) {
    if (t[c.event].kind != EventKind::wake) continue;  // its first wait, after the spawn
    ++woken_gaps;
    CHECK(c.aux == lane_of(lanes, index, "consumer"));
    CHECK(c.source == trace::WakeSource::channel);
  }
  if (axis == Axis::sequence) CHECK(woken_gaps == producer.size());
  const std::vector<DrawCmd> main = only(cmds, DrawKind::wake_arrow, lane_of(lanes, index, "main"));
  CHECK(std::any_of(main.begin(), main.end(), [&](const DrawCmd& c) {
    return c.aux == lane_of(lanes, index, "fetch a") && c.source == trace::WakeSource::task;
  }));
}

TEST_CASE("wakes fold to at most one arrow per lane per min_px bucket, counting them all",
          "[vis][layout][wake][lod]") {
  const trace::Trace t = ticker_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  auto [ns_per_px, min_px] =
      GENERATE(table<double, float>({{1000, 3}, {5000, 3}, {100'000, 3}, {100'000, 20}}));
  CAPTURE(ns_per_px, min_px);
  TimelineViewport view = view_at(0, ns_per_px, 1000);
  view.min_px = min_px;
  const std::vector<DrawCmd> arrows =
      only(layout_timeline(lanes_index, lanes, view), DrawKind::wake_arrow, 0);
  std::uint64_t wakes = 0;
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    wakes += arrows[i].count;
    if (i > 0) CHECK(arrows[i].x0 - arrows[i - 1].x0 >= min_px);
  }
  const auto in_view = static_cast<std::uint64_t>(
      std::count_if(index.wakes().begin(), index.wakes().end(),
                    [&](const WakeEdge& w) { return static_cast<double>(w.time_ns) <= view.end; }));
  CHECK(wakes == in_view);
}

TEST_CASE("the racer's losing select branch gets a cancelled mark where it was dropped", "[vis][layout]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const Axis axis = GENERATE(Axis::time, Axis::sequence);
  CAPTURE(axis == Axis::time);
  const std::vector<DrawCmd> cmds =
      layout_timeline(lanes_index, lanes, view_at(0, axis_extent_end(index, axis) / 1000, 1000, axis));
  const std::uint32_t racer = lane_of(lanes, index, "racer");
  const std::vector<DrawCmd> marks = only(cmds, DrawKind::cancelled_mark, racer);
  REQUIRE(marks.size() == 1);
  const FutureNodeInfo& branch = index.future_nodes()[marks[0].aux];
  CHECK(branch.kind == trace::FutureNode::branch);
  CHECK_FALSE(branch.completed);
  CHECK(marks[0].event == branch.dropped_event);
  if (axis == Axis::time) CHECK(t[marks[0].event].time_ns == 20'000'000);  // the 20 ms branch won
  // No other lane has a cancelled mark: nothing else was dropped mid-flight.
  CHECK(std::count_if(cmds.begin(), cmds.end(),
                      [](const DrawCmd& c) { return c.kind == DrawKind::cancelled_mark; }) == 1);
}

TEST_CASE("every task that completed gets a done mark with its outcome, and a spawn mark naming its parent",
          "[vis][layout]") {
  TraceBuilder b;
  const std::uint32_t main = b.spawn("main", 0);
  b.begin_poll(main, 10);
  const std::uint32_t ok = b.spawn("ok", 15, main);
  const std::uint32_t aborted = b.spawn("aborted", 16, main);
  b.end_poll(main, 20);
  b.poll(ok, 30, 40, trace::PollResult::ready);
  b.complete(ok, 40);
  b.complete(aborted, 50, trace::Outcome::cancelled);
  const std::uint32_t alive = b.spawn("alive", 60);
  b.poll(alive, 70, 80);
  const trace::Trace t = b.take();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view_at(0, 0.1, 1000));

  auto done_on = [&](std::uint32_t task) {
    return only(cmds, DrawKind::done_mark, lane_of(lanes, index, t.task_name(task).c_str()));
  };
  REQUIRE(done_on(ok).size() == 1);
  CHECK(done_on(ok)[0].aux == static_cast<std::uint32_t>(trace::Outcome::ok));
  CHECK(done_on(ok)[0].x0 == Approx(400));
  REQUIRE(done_on(aborted).size() == 1);
  CHECK(done_on(aborted)[0].aux == static_cast<std::uint32_t>(trace::Outcome::cancelled));
  CHECK(done_on(main).empty());
  CHECK(done_on(alive).empty());

  const std::vector<DrawCmd> spawned = only(cmds, DrawKind::spawn_mark, lane_of(lanes, index, "ok"));
  REQUIRE(spawned.size() == 1);
  CHECK(spawned[0].aux == lane_of(lanes, index, "main"));
  CHECK(only(cmds, DrawKind::spawn_mark, lane_of(lanes, index, "main"))[0].aux == npos);
  // Never polled before it was aborted: scheduled from its spawn to its end.
  const std::vector<DrawCmd> waiting = only(cmds, DrawKind::scheduled_gap, lane_of(lanes, index, "aborted"));
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].x0 == Approx(160));
  CHECK(waiting[0].x1 == Approx(500));
}

TEST_CASE("a blocking job is drawn on its blocking lane, after the task lanes", "[vis][layout]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  REQUIRE(lanes.size() == index.tasks().size() + index.run().blocking_lanes);
  for (std::size_t l = 0; l < index.tasks().size(); ++l)
    CHECK(lanes[l] == Lane{LaneKind::task, index.tasks()[l].id});
  const BlockingSpan& job = index.blocking().front();
  const auto lane = static_cast<std::uint32_t>(index.tasks().size() + job.lane - 1);
  REQUIRE(lanes[lane] == Lane{LaneKind::blocking, job.lane});

  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view_at(0, 100'000, 1000));
  const std::vector<DrawCmd> jobs = only(cmds, DrawKind::blocking_span, lane);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].event == job.begin_event);
  CHECK(jobs[0].aux == job.task);
  CHECK(jobs[0].x1 - jobs[0].x0 == Approx(150));  // 15 ms at 100 µs per pixel
}

TEST_CASE("a worker lane shows the polls its worker ran, whatever the task", "[vis][layout]") {
  TraceBuilder b;
  const std::uint32_t first = b.spawn("first", 0);
  const std::uint32_t second = b.spawn("second", 1);
  b.begin_poll(first, 2, 0);
  b.begin_poll(second, 5, 1);  // at the same time, on the other worker
  b.end_poll(first, 10, trace::PollResult::ready, 0);
  b.complete(first, 10);
  b.end_poll(second, 15, trace::PollResult::pending, 1);
  b.wake(second, 18);
  b.poll(second, 20, 30, trace::PollResult::ready);  // back on worker 0
  const trace::Trace t = b.take();
  const TraceIndex index(t);
  REQUIRE(index.run().workers == 2);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = {{LaneKind::worker, 0}, {LaneKind::worker, 1}, {LaneKind::worker, 7}};
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view_at(0, 0.1, 400));
  std::vector<std::uint32_t> on_worker0, on_worker1;
  for (const DrawCmd& c : only(cmds, DrawKind::poll, 0)) on_worker0.push_back(t[c.event].task);
  for (const DrawCmd& c : only(cmds, DrawKind::poll, 1)) on_worker1.push_back(t[c.event].task);
  CHECK(on_worker0 == std::vector<std::uint32_t>{first, second});
  CHECK(on_worker1 == std::vector<std::uint32_t>{second});
  CHECK(std::none_of(cmds.begin(), cmds.end(),
                     [](const DrawCmd& c) { return c.lane == 2; }));  // no such worker
  // A current-thread trace has no worker lists: its one worker is every task lane stacked.
  const trace::Trace single = ticker_trace(5);
  const TraceIndex single_index(single);
  CHECK(LaneIndex(single_index).worker_polls(0).empty());
}

TEST_CASE("hit_test answers the topmost command under the mouse, with some slop for instants",
          "[vis][layout]") {
  const trace::Trace t = ticker_trace(3);
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  // 10 ns per pixel: poll 1 at [1000, 1100) px, its wake arrow at 1800 px, inside its idle gap.
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view_at(0, 10, 3000));
  auto [x, kind] = GENERATE(table<float, DrawKind>({
      {1050.0f, DrawKind::poll},
      {1500.0f, DrawKind::idle_gap},
      {1799.0f, DrawKind::wake_arrow},
      {1802.0f, DrawKind::wake_arrow},
      {1850.0f, DrawKind::scheduled_gap},
  }));
  CAPTURE(x);
  const DrawCmd* hit = hit_test(cmds, 0, x);
  REQUIRE(hit != nullptr);
  CHECK(hit->kind == kind);
  CHECK(hit_test(cmds, 1, x) == nullptr);
  CHECK(hit_test(cmds, 0, 2950.0f) == nullptr);  // after the task completed
}

TEST_CASE("the axis maps values to pixels and back, and the cursor line sits at its event", "[vis][layout]") {
  const trace::Trace t = ticker_trace(10);
  const TraceIndex index(t);
  const TimelineViewport view = view_at(1000, 10, 500);
  const AxisMap map(view);
  CHECK(map.x(1000) == 0);
  CHECK(map.x(6000) == Approx(500));
  CHECK(map.value(250) == Approx(3500));
  CHECK(AxisMap(TimelineViewport{}).px_per_unit == 0);

  CHECK(axis_extent_end(index, Axis::time) == 91'000);
  CHECK(axis_extent_end(index, Axis::sequence) == static_cast<double>(t.size()));
  for (std::size_t e : {std::size_t{0}, std::size_t{5}, t.size() - 1, t.size()}) {
    CAPTURE(e);
    CHECK(axis_value(index, e, Axis::sequence) == static_cast<double>(e));
    CHECK(event_at(index, axis_value(index, e, Axis::sequence), Axis::sequence) == e);
    const double at = axis_value(index, e, Axis::time);
    CHECK(at == (e < t.size() ? static_cast<double>(t[e].time_ns) : 91'000.0));
    if (e < t.size()) CHECK(t[event_at(index, at, Axis::time)].time_ns == t[e].time_ns);
    // The cursor line: on the steps axis at the boundary; on the time axis at the clock now, the
    // time of the last event applied, never the next event's (which may be far ahead).
    CHECK(cursor_axis_value(index, e, Axis::sequence) == static_cast<double>(e));
    CHECK(cursor_axis_value(index, e, Axis::time) == static_cast<double>(t[e == 0 ? 0 : e - 1].time_ns));
  }
  // Between two events far apart in time the cursor stays at the earlier one.
  for (std::size_t e = 1; e < t.size(); ++e) {
    if (t[e].time_ns == t[e - 1].time_ns) continue;
    CHECK(cursor_axis_value(index, e, Axis::time) < axis_value(index, e, Axis::time));
    break;
  }
}

TEST_CASE("an empty trace or an empty viewport lays out nothing", "[vis][layout]") {
  const trace::Trace empty;
  const TraceIndex empty_index(empty);
  CHECK(layout_timeline(LaneIndex(empty_index), default_lanes(empty_index), view_at(0, 1, 100)).empty());
  const trace::Trace t = ticker_trace(10);
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  TimelineViewport zero_width = view_at(0, 1, 100);
  zero_width.width_px = 0;
  CHECK(layout_timeline(lanes_index, default_lanes(index), zero_width).empty());
  CHECK(layout_timeline(lanes_index, {}, view_at(0, 1, 100)).empty());
}

TEST_CASE("wake arrows at the lane's edges stay whole inside it, merged when the move brings them together",
          "[vis][layout][wake]") {
  // "a" is woken at 0, 4 µs and 999.999 µs; "b" at 0. At 1 µs per pixel over 1000 px, without the
  // inset the arrows at 0 and at the last nanosecond would sit on the lane's edges, half cut away.
  TraceBuilder b;
  const std::uint32_t a = b.spawn("a", 0);
  const std::uint32_t bb = b.spawn("b", 0);
  b.wake(a, 0);
  b.wake(bb, 0);
  b.poll(a, 1, 2);
  b.poll(bb, 1, 2, trace::PollResult::ready);
  b.wake(a, 4 * us);
  b.poll(a, 5 * us, 5 * us + 1);
  b.wake(a, 999'999);
  b.poll(a, 1'000'000, 1'000'001, trace::PollResult::ready);
  const trace::Trace t = b.take();
  const TraceIndex index(t);
  const LaneIndex lanes_index(index);
  const std::vector<Lane> lanes = default_lanes(index);
  const float width = 1000;
  TimelineViewport view = view_at(0, 1000, width);
  view.min_px = 3;
  const std::vector<DrawCmd> cmds = layout_timeline(lanes_index, lanes, view);
  const std::vector<DrawCmd> on_a = only(cmds, DrawKind::wake_arrow, lane_of(lanes, index, "a"));
  const std::vector<DrawCmd> on_b = only(cmds, DrawKind::wake_arrow, lane_of(lanes, index, "b"));
  // The wakes at 0 and 4 µs were 4 px apart, two buckets; moved inside they would overlap, so they
  // are one arrow counting both.
  REQUIRE(on_a.size() == 2);
  CHECK(on_a[0].x0 == glyph_inset_px);
  CHECK(on_a[0].count == 2);
  CHECK(on_a[1].x0 == width - glyph_inset_px);
  CHECK(on_a[1].count == 1);
  REQUIRE(on_b.size() == 1);
  CHECK(on_b[0].x0 == glyph_inset_px);
  // The hit test finds an arrow where it is drawn.
  const DrawCmd* hit = hit_test(cmds, lane_of(lanes, index, "b"), glyph_inset_px);
  REQUIRE(hit != nullptr);
  CHECK(hit->kind == DrawKind::wake_arrow);

  // Zoomed in to 10 ns per pixel, the wake at 4 µs is far from the edge and stays where it is.
  TimelineViewport fine = view_at(0, 10, width);
  fine.min_px = 3;
  const std::vector<DrawCmd> zoomed =
      only(layout_timeline(lanes_index, lanes, fine), DrawKind::wake_arrow, lane_of(lanes, index, "a"));
  REQUIRE(zoomed.size() == 2);
  CHECK(zoomed[0].x0 == glyph_inset_px);
  CHECK(zoomed[0].count == 1);
  CHECK(zoomed[1].x0 == 400.0f);
  CHECK(zoomed[1].count == 1);
}
