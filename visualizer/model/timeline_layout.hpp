#pragma once
// Timeline layout: what the timeline window draws in one frame, as a flat list of draw commands,
// computed from the index alone. As in Tracy, the level of detail is decided here, before drawing:
// the view only walks the list and paints, and the tests check the list with tables of zoom levels.
//
// Rules:
// * Axes. On the time axis x comes from nanoseconds since the runtime started. On the sequence axis
//   ("steps") event i occupies [i, i + 1): in virtual time many polls happen at one instant, and
//   there every event still gets a width. A span of events [b, e] covers [time(b), time(e)] on the
//   time axis and [b, e + 1) on the sequence axis; an instant event i sits at time(i), or at i.
//   Something still open when the trace ends (a poll, a blocking job) runs to axis_extent_end().
// * Coordinates. DrawCmd::x0 / x1 are pixels from the viewport's left edge, clamped to
//   [-1, width_px + 1], so the cut edge of a clipped span lies just off-screen. Instants have x0 == x1.
//   Wake arrows and steal marks are the exception: they stay glyph_inset_px inside both edges,
//   because tasks are woken and idle workers steal at the very start of a run (0 ms, the lane's left
//   edge) and a glyph there would be cut in half; the hit test then finds them where they are drawn.
//   Glyphs the move leaves closer than min_px merge into one command, counting them all.
// * Lanes. DrawCmd::lane indexes the `lanes` list passed in, not the visible rows. Only lanes
//   [first_lane, first_lane + lane_count) get commands; timeline-wide commands (user marks, lints of
//   no task) have lane == npos and are drawn across every row.
// * Visibility. A command is emitted only when it overlaps [viewport.begin, viewport.end].
// * Level of detail (Tracy's MinVisSize), for every kind:
//   - consecutive spans narrower than min_px, with gaps between them narrower than min_px, fold into
//     one `folded` run carrying their count. A run grows by searching for the first span that ends
//     at least min_px beyond it (a few steps from a guess, then a galloping binary search: never a
//     walk over its spans), so each round costs O(log n) and moves the run by min_px or more: a lane
//     costs O(width_px / min_px · log n) whatever its length. A narrow span alone stays itself.
//     Counts are exact: on a lane, the counts of the span commands sum to the spans overlapping the view.
//   - instants (wakes, marks, lints, cancellations, steals) fold per min_px bucket: one command at the first
//     of them, counting those less than min_px after it (so at most one wake arrow per lane per bucket);
//   - idle and scheduled gaps narrower than min_px are left out: they are background.
// * Nested rows (future, request, lock and job lanes, model/nested_lanes.hpp) fold their spans as a
//   task lane folds polls. A task lane followed by its own nested rows leaves its cancelled marks
//   to them: the cut branch says it, where it happened; a folded task keeps the ✗ marks.
// * Order. Per visible lane: gaps and spans (they never overlap), then marks (a worker lane's steal
//   marks too), then wake arrows;
//   timeline-wide commands come last. Later commands draw on top; hit_test answers the topmost.
// * Everything here is a pure function of its arguments: no caches filled behind the caller's back.
//   What the layout needs beyond the TraceIndex (per-lane lists the index does not keep) is built
//   once per trace, explicitly, as a LaneIndex.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "model/nested_lanes.hpp"
#include "model/trace_index.hpp"

namespace asynclab::vis {

enum class Axis : std::uint8_t { time, sequence };

enum class LaneKind : std::uint8_t {
  task,      // id: a task id — its polls, the gaps between them, its marks and the wakes it receives
  blocking,  // id: a blocking lane (0: the worker itself, blocked inside a task) — its jobs
  worker,    // id: a worker number — the polls it ran, whatever the task (multi-worker traces only)
  // What happens inside a task, on rows under its lane (model/nested_lanes.hpp). id: the row's index
  // in LaneIndex::nested().rows(); the kind repeats the row's, so a lane list reads on its own.
  future,    // a join / try_join / select / timeout branch
  request,   // a simulated request
  lock,      // a lock or permit waited for and held
  job,       // a blocking job of the task
};

inline bool is_nested(LaneKind kind) { return kind >= LaneKind::future; }

struct Lane {
  LaneKind kind = LaneKind::task;
  std::uint32_t id = 0;
  bool operator==(const Lane&) const = default;
};

// Tasks in id order (the order they were spawned in), then the blocking lanes (lane 0 only when a task blocked its worker, and
// only with one worker: with several, lane 0's jobs of different workers overlap, and each shows
// inside its own worker lane's poll instead).
std::vector<Lane> default_lanes(const TraceIndex& index);

// `out` becomes `lanes` with each task's nested rows inserted right under its lane, for the tasks
// `unfolded(id)` says are open. Keep `out` between frames and a warm call allocates nothing.
template <class Unfolded>
void with_nested_rows(std::vector<Lane>& out, const std::vector<Lane>& lanes, const TraceIndex& index,
                      const NestedLanes& nested, Unfolded unfolded);
// How many nested rows a task has (by id); 0 for an unknown task.
std::size_t nested_row_count(const TraceIndex& index, const NestedLanes& nested, std::uint32_t task);

struct TimelineViewport {
  double begin = 0;  // visible axis range, in axis units (ns or event index)
  double end = 0;
  float width_px = 0;
  std::size_t first_lane = 0;  // the rows on screen: lanes [first_lane, first_lane + lane_count)
  std::size_t lane_count = 0;
  float min_px = 3;  // anything narrower folds or is left out (Tracy's MinVisSize)
  Axis axis = Axis::time;
};

// Axis value <-> pixel for one viewport.
struct AxisMap {
  double begin = 0;        // the axis value at x = 0
  double px_per_unit = 0;  // 0 for an empty viewport (nothing is visible)

  explicit AxisMap(const TimelineViewport& view)
      : begin(view.begin),
        px_per_unit(view.end > view.begin && view.width_px > 0 ? view.width_px / (view.end - view.begin)
                                                               : 0) {}
  double x(double value) const { return (value - begin) * px_per_unit; }
  double value(double x) const { return px_per_unit > 0 ? begin + x / px_per_unit : begin; }
};

// The end of the trace in axis units (the time of the last event, or the event count); the axis
// starts at 0 either way.
double axis_extent_end(const TraceIndex& index, Axis axis);
// Where the cursor "events [0, event) have happened" sits: the axis value of event `event`'s start
// (the end of the trace for event == size).
double axis_value(const TraceIndex& index, std::size_t event, Axis axis);
// Where the playback cursor is drawn when events [0, cursor) have happened. On the steps axis that
// is axis_value. On the time axis it is the clock now: the time of the last event applied (the
// trace's first event's time before any), not the next event's, which may lie far ahead: a request
// in flight must not look finished while the Executor still says "clock 0 ns".
double cursor_axis_value(const TraceIndex& index, std::size_t cursor, Axis axis);
// The first event whose axis value is at or after `value` (size when none): a click seeks there.
std::size_t event_at(const TraceIndex& index, double value, Axis axis);

// The visible range that frames events [begin, end) — a lesson step's moment — with a margin of 5% on
// each side; on the time axis it reaches at least `at_least_ns` (a step comparing its run with the
// previous step's). On the time axis, events that all share one virtual instant are framed with
// their lead-up: from event `context` (where the story of the step before began) when that is
// earlier, else from the last moment before the instant (or, at 0, up to the next one). A range
// still without width frames the whole run.
struct AxisRange {
  double begin = 0, end = 0;
};
AxisRange frame_events(const TraceIndex& index, Axis axis, std::size_t begin, std::size_t end,
                       std::uint64_t at_least_ns = 0, std::size_t context = static_cast<std::size_t>(-1));

// How far inside the lane's edges a wake arrow or steal mark stays (half the wider glyph, the steal's,
// plus a pixel).
inline constexpr float glyph_inset_px = 7.0f;

enum class DrawKind : std::uint8_t {
  poll,            // one poll. event: its poll_begin. aux: PollResult
  folded,          // `count` spans narrower than min_px, drawn as one run. event: the first's begin. aux: 0
  idle_gap,        // a pending task waiting for a wake. event: the poll_end. aux: the location it parked at
  scheduled_gap,   // a woken (or new) task waiting in the run queue. event: the wake (or the spawn).
                   // aux and source: as for the wake's arrow (npos for a spawn)
  wake_arrow,      // `count` wakes of this lane's task. lane: target. event: the first wake.
                   // aux: the waker's lane, npos for wakes from no task or from one without a lane.
                   // source: the first wake's source
  cancelled_mark,  // `count` select/join branches dropped mid-flight. event: the drop.
                   // aux: index into TraceIndex::future_nodes() of the first
  done_mark,       // the task completed. event: task_completed. aux: Outcome
  blocking_span,   // one blocking job. event: blocking_begin. aux: the task the job belongs to
  lint_marker,     // `count` lints. event: the first. aux: index into TraceIndex::lints()
  user_mark,       // `count` marks (timeline-wide, lane npos). event: the first. aux: index into marks()
  spawn_mark,      // the task was spawned. event: task_spawned. aux: the parent's lane, or npos
  steal_mark,      // `count` tasks stolen by this worker lane's worker. event: the first task_stolen.
                   // aux: the worker it robbed
  nested_span,     // one span of a nested row (a branch's life, a request, a lock wait or hold, a job).
                   // event: its begin. aux: its index in LaneIndex::nested().spans()
};

// One thing to draw; produced per frame, so it stays small (28 bytes).
struct DrawCmd {
  DrawKind kind = DrawKind::poll;
  trace::WakeSource source = trace::WakeSource::task;  // wake arrows and scheduled gaps
  std::uint32_t lane = 0;
  float x0 = 0;
  float x1 = 0;
  std::uint32_t count = 1;
  std::uint32_t event = 0;
  std::uint32_t aux = 0;
};

// One poll as a worker lane sees it: the task (by slot) and which of its polls.
struct WorkerPoll {
  std::uint32_t slot = 0;
  std::uint32_t poll = 0;
};

// Instants of one lane (wakes, cancellations, lints), sorted by event: their event, time and what
// they are (`refs`, see each LaneIndex accessor) side by side.
struct InstantList {
  std::span<const EventIndex> events;
  std::span<const std::uint64_t> times;
  std::span<const std::uint32_t> refs;
  std::size_t size() const { return events.size(); }
};

// The per-lane lists the layout searches and the TraceIndex does not keep in that shape, built once
// per trace: each task's polls, wakes, cancellations and lints as plain contiguous arrays, blocking
// jobs by lane, and (for multi-worker traces only) each worker's polls. Searching through the index's own
// lists would touch a scattered record — or an event in the trace — per probe; a frame at
// whole-trace zoom makes tens of thousands of probes. The index must outlive it.
class LaneIndex {
 public:
  explicit LaneIndex(const TraceIndex& index);

  const TraceIndex& index() const { return *index_; }
  // Each poll of a task (TaskInfo::polls' order) as the two axes see it, begin and end side by side.
  // Folding searches these: reading them out of the 32-byte PollSpans made a whole-trace frame stream
  // every poll of every lane on screen through the cache.
  struct TimeSpan {
    std::uint64_t begin = 0, end = 0;  // ns; end is `open` while the poll runs at the end of the trace
  };
  struct StepSpan {
    EventIndex begin = 0, end = 0;  // poll_begin, and one past poll_end; `npos` while open
  };
  static constexpr std::uint64_t open = ~std::uint64_t{0};
  std::span<const TimeSpan> poll_times(std::uint32_t task_slot) const;
  std::span<const StepSpan> poll_steps(std::uint32_t task_slot) const;
  // The wakes a task received; refs: the waking task (0: none — a timer, the runtime). An arrow needs
  // only that and the source, and reading them from the scattered WakeEdges cost a cache miss each.
  InstantList wakes(std::uint32_t task_slot) const { return wakes_.of(task_slot); }
  // The sources of those wakes, in the same order.
  std::span<const trace::WakeSource> wake_sources(std::uint32_t task_slot) const;
  // Future nodes of a task dropped mid-flight, by drop event; refs: indices into index.future_nodes().
  InstantList cancelled(std::uint32_t task_slot) const { return cancelled_.of(task_slot); }
  // Lints raised in a task; refs: indices into index.lints().
  InstantList lints(std::uint32_t task_slot) const { return lints_.of(task_slot); }
  // Lints raised outside any known task: they have no lane and are drawn timeline-wide.
  InstantList runtime_lints() const { return lints_.of(runtime_key_); }
  // Jobs on one blocking lane (indices into index.blocking()), in order.
  std::span<const std::uint32_t> blocking(std::uint32_t lane) const;
  // The polls one worker ran, in order. Empty for a current-thread trace: there the single worker's
  // lane would be every task lane stacked, so it is not built (it would cost 8 bytes per poll).
  std::span<const WorkerPoll> worker_polls(std::uint32_t worker) const {
    return worker < workers_.size() ? std::span<const WorkerPoll>(workers_[worker])
                                    : std::span<const WorkerPoll>();
  }
  // The steals a worker made, as the thief; refs: the worker robbed. Empty for one worker.
  InstantList steals(std::uint32_t worker) const { return steals_.of(worker); }
  // What happens inside each task, as rows (the future, request, lock and job lanes).
  const NestedLanes& nested() const { return nested_; }
  std::size_t memory_bytes() const;

 private:
  // Lists for keys 0..k-1 stored back to back: key k's items are [start[k], start[k + 1]).
  struct Instants {
    std::vector<std::uint32_t> start;
    std::vector<EventIndex> events;
    std::vector<std::uint64_t> times;
    std::vector<std::uint32_t> refs;
    InstantList of(std::uint32_t key) const;
    std::size_t memory_bytes() const;
    // From items 0..n-1 of a TraceIndex list, read once in order: key_of(i) is the item's key (npos:
    // none), at(i) its Instant. Within a key, items end up sorted by event. `sources`, when given,
    // receives each item's source alongside.
    struct Instant {
      EventIndex event = 0;
      std::uint64_t time = 0;
      std::uint32_t ref = 0;
      trace::WakeSource source = trace::WakeSource::task;
    };
    template <class KeyOf, class At>
    void fill(std::size_t keys, std::size_t n, KeyOf key_of, At at,
              std::vector<trace::WakeSource>* sources = nullptr);
  };

  const TraceIndex* index_;
  std::uint32_t runtime_key_ = 0;          // the lints_ key after the last task slot
  std::vector<std::uint32_t> poll_start_;  // by task slot, as in Instants
  std::vector<TimeSpan> poll_times_;
  std::vector<StepSpan> poll_steps_;
  Instants wakes_;
  std::vector<trace::WakeSource> wake_sources_;  // parallel to wakes_.events
  Instants cancelled_;
  Instants lints_;
  std::vector<std::uint32_t> blocking_start_;  // by lane, as in Instants
  std::vector<std::uint32_t> blocking_;
  std::vector<std::vector<WorkerPoll>> workers_;
  Instants steals_;  // by thief worker
  NestedLanes nested_;
};

template <class Unfolded>
void with_nested_rows(std::vector<Lane>& out, const std::vector<Lane>& lanes, const TraceIndex& index,
                      const NestedLanes& nested, Unfolded unfolded) {
  out.clear();
  for (const Lane& lane : lanes) {
    out.push_back(lane);
    if (lane.kind != LaneKind::task || !unfolded(lane.id)) continue;
    const std::uint32_t slot = index.task_slot(lane.id);
    if (slot == npos) continue;
    for (std::uint32_t row : nested.rows_of_task(slot)) {
      const NestedKind kind = nested.rows()[row].kind;
      out.push_back(Lane{kind == NestedKind::future    ? LaneKind::future
                         : kind == NestedKind::request ? LaneKind::request
                         : kind == NestedKind::lock    ? LaneKind::lock
                                                       : LaneKind::job,
                         row});
    }
  }
}

// A lane's life as a whole, for reports and tests: from its first thing to its last, and how it ended.
struct LaneExtent {
  std::uint64_t first_ns = 0, last_ns = 0;  // since the runtime started
  EventIndex first_event = 0, last_event = 0;
  SpanEnd end = SpanEnd::running;           // tasks: done (ok), cancelled, failed (panicked), running
  std::uint32_t spans = 0;                  // nested rows: how many things shared the row
  std::uint32_t parent_task = 0;            // nested rows: the task they sit under
  bool empty = true;                        // nothing on it (a worker that never polled)
};
LaneExtent lane_extent(const LaneIndex& lanes, const Lane& lane);
const char* lane_kind_name(LaneKind kind);  // "task", "future", ...
const char* span_end_name(SpanEnd end);      // "done", "cancelled", "failed", "running"

// The draw commands for one frame. `out` is cleared and refilled: keep it between frames and a warm
// frame allocates nothing.
void layout_timeline(const LaneIndex& lane_index, std::span<const Lane> lanes, const TimelineViewport& view,
                     std::vector<DrawCmd>& out);
std::vector<DrawCmd> layout_timeline(const LaneIndex& lane_index, std::span<const Lane> lanes,
                                     const TimelineViewport& view);

// The topmost command on `lane` under pixel x (for tooltips), or nullptr. Instants (x0 == x1) are hit
// within `slop_px` of their x, so a 1-pixel mark can be pointed at.
const DrawCmd* hit_test(std::span<const DrawCmd> cmds, std::uint32_t lane, float x, float slop_px = 2);

}  // namespace asynclab::vis
