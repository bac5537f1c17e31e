// Timeline layout: spans folded into runs by search, instants folded per bucket, gaps found from the
// wakes each task received. See timeline_layout.hpp for the rules.
#include "model/timeline_layout.hpp"

#include <algorithm>
#include <cmath>

namespace asynclab::vis {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

// The first k in [lo, hi) for which below(k) is false; below must be true up to some k, then false.
template <class Below>
std::size_t bisect(std::size_t lo, std::size_t hi, Below below) {
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (below(mid))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// The same answer as bisect, found by galloping from lo: while folding, the next target is usually a
// few items away, so this costs O(log distance) and touches memory near lo instead of across the lane.
template <class Below>
std::size_t gallop(std::size_t lo, std::size_t hi, Below below) {
  if (lo >= hi || !below(lo)) return lo;
  std::size_t known_below = lo;
  for (std::size_t step = 1;; step *= 2) {
    const std::size_t probe = known_below + step;
    if (probe >= hi) break;
    if (!below(probe)) {
      hi = probe;
      break;
    }
    known_below = probe;
  }
  return bisect(known_below + 1, hi, below);
}

// The same answer again, searched outwards from a guess. Folding moves through a lane by a fairly
// steady number of items per step, so "as far as last time" lands near the answer; a short walk from
// there (consecutive memory, branches the CPU predicts) beats a binary search's scattered probes.
// Beyond a few steps it gallops, so a step never costs more than O(log n).
template <class Below>
std::size_t search_near(std::size_t lo, std::size_t hi, std::size_t guess, Below below) {
  constexpr std::size_t walk = 16;
  guess = std::clamp(guess, lo, hi);
  if (guess < hi && below(guess)) {
    const std::size_t end = std::min(hi, guess + 1 + walk);
    std::size_t k = guess + 1;
    for (; k < end; ++k)
      if (!below(k)) return k;
    return gallop(k, hi, below);
  }
  std::size_t k = guess;  // the answer is in [lo, k]: walk back
  const std::size_t end = k - std::min(walk, k - lo);
  for (; k > end; --k)
    if (below(k - 1)) return k;
  return k == lo ? lo : bisect(lo, k, below);
}

// Everything one frame's layout reads, and the list it writes.
struct Frame {
  const TraceIndex& index;
  const TimelineViewport& view;
  AxisMap map;
  double v0, v1;      // the visible axis range
  double min_units;   // min_px in axis units
  double extent_end;  // where things still open at the end of the trace stop
  std::vector<DrawCmd>& out;
  std::vector<std::uint32_t> lane_of_slot;  // task slot -> its lane in `lanes`, npos: none

  bool time_axis() const { return view.axis == Axis::time; }
  double at(EventIndex event, std::uint64_t ns) const {
    return time_axis() ? static_cast<double>(ns) : static_cast<double>(event);
  }
  // A span of events [b, e]: e's time, or one past e's index so that a zero-time span has a width.
  double span_end(EventIndex end_event, std::uint64_t end_ns) const {
    if (end_event == npos) return extent_end;
    return time_axis() ? static_cast<double>(end_ns) : static_cast<double>(end_event) + 1.0;
  }
  double begin_of(const PollSpan& p) const { return at(p.begin_event, p.begin_ns); }
  double end_of(const PollSpan& p) const { return span_end(p.end_event, p.end_ns); }

  bool visible(double begin, double end) const { return end >= v0 && begin <= v1; }
  // A gap that only touches the view's edge covers no pixel of it.
  bool covers(double begin, double end) const { return end > v0 && begin < v1; }
  float x(double value) const {
    const double px = std::clamp(map.x(value), -1.0, static_cast<double>(view.width_px) + 1.0);
    return static_cast<float>(px);
  }
  std::uint32_t lane_of_task(std::uint32_t task) const {
    if (task == 0) return npos;
    const std::uint32_t slot = index.task_slot(task);
    return slot == npos ? npos : lane_of_slot[slot];
  }

  void span(DrawKind kind, std::uint32_t lane, double begin, double end, std::uint32_t count,
            std::uint32_t event, std::uint32_t aux, trace::WakeSource source = trace::WakeSource::task) {
    out.push_back(DrawCmd{kind, source, lane, x(begin), x(end), count, event, aux});
  }
  void instant(DrawKind kind, std::uint32_t lane, double at_value, std::uint32_t count, std::uint32_t event,
               std::uint32_t aux, trace::WakeSource source = trace::WakeSource::task) {
    const float px = x(at_value);
    out.push_back(DrawCmd{kind, source, lane, px, px, count, event, aux});
  }
  // Gaps are background: one narrower than min_px is not worth a command.
  void gap(DrawKind kind, std::uint32_t lane, double begin, double end, std::uint32_t event,
           std::uint32_t aux, trace::WakeSource source = trace::WakeSource::task) {
    if (end - begin < min_units || !covers(begin, end)) return;
    span(kind, lane, begin, end, 1, event, aux, source);
  }
};

// Folds the spans [from, n) of one lane — sorted and never overlapping, so begin(k) and end(k) both
// grow with k — and calls item(first, last, run_end) for each command-to-be, left to right. `from`
// must be the first span ending at or after the view's start.
//
// A narrow span starts a run. The run swallows, in one search, every span ending less than
// min_px past it (those are narrow and close by construction); then it looks at the one span after
// them, which ends at least min_px further: if that one is narrow and starts within min_px, the run
// takes it and goes on. Each round moves the run's end by at least min_px, so a lane costs
// O(width / min_px) searches. Spans starting after the view are never counted.
template <class Begin, class End, class Item>
void fold_spans(const Frame& f, std::size_t from, std::size_t n, Begin begin, End end, Item item) {
  const std::size_t stop = gallop(from, n, [&](std::size_t k) { return begin(k) <= f.v1; });
  std::size_t i = from;
  std::size_t stride = 1;  // how many spans the last round passed: the next round's guess
  while (i < stop) {
    std::size_t last = i;
    double run_end = end(i);
    if (run_end - begin(i) < f.min_units) {
      while (run_end <= f.v1) {
        const double reach = run_end + f.min_units;
        const std::size_t j =
            search_near(last + 1, stop, last + stride, [&](std::size_t k) { return end(k) < reach; });
        stride = std::max<std::size_t>(1, j - last);
        if (j > last + 1) {
          last = j - 1;
          run_end = std::max(run_end, end(last));
        }
        if (j == stop || begin(j) - run_end >= f.min_units || end(j) - begin(j) >= f.min_units) break;
        last = j;
        run_end = end(j);
      }
    }
    item(i, last, run_end);
    i = last + 1;
  }
}

// The first span of a lane that ends at or after the view's start.
template <class End>
std::size_t first_visible(const Frame& f, std::size_t n, End end) {
  return bisect(0, n, [&](std::size_t k) { return end(k) < f.v0; });
}

// Calls item(first, count, value) once per min_px bucket of a sorted list of instants in the view.
template <class Value, class Item>
void fold_instants(const Frame& f, std::size_t n, Value value, Item item) {
  std::size_t k = bisect(0, n, [&](std::size_t i) { return value(i) < f.v0; });
  const std::size_t stop = gallop(k, n, [&](std::size_t i) { return value(i) <= f.v1; });
  std::size_t stride = 1;  // how many instants the last bucket held: the next search's guess
  while (k < stop) {
    const double v = value(k);
    const double reach = v + f.min_units;
    const std::size_t next =
        search_near(k + 1, stop, k + stride, [&](std::size_t i) { return value(i) < reach; });
    stride = next - k;
    item(k, static_cast<std::uint32_t>(next - k), v);
    k = next;
  }
}

// Keeps the glyphs of commands [first, end) — one lane's instants of one kind, left to right —
// `inset` pixels inside both edges of the lane (see the rules), and merges any that the move leaves
// closer than min_px into the first of them, counting all, as folding would have.
void keep_inside(Frame& f, std::size_t first, float inset) {
  const float right = std::max(inset, f.view.width_px - inset);
  const float min_px = f.view.min_px;
  std::size_t kept = first;
  for (std::size_t k = first; k < f.out.size(); ++k) {
    DrawCmd c = f.out[k];
    c.x0 = c.x1 = std::clamp(c.x0, inset, right);
    if (kept > first && c.x0 - f.out[kept - 1].x0 < min_px) {
      f.out[kept - 1].count += c.count;
      continue;
    }
    f.out[kept++] = c;
  }
  f.out.resize(kept);
}

// Cancelled marks and lint markers: one command per min_px bucket, aux = the first one's ref.
void instants(Frame& f, const InstantList& list, DrawKind kind, std::uint32_t lane) {
  fold_instants(
      f, list.size(), [&](std::size_t k) { return f.at(list.events[k], list.times[k]); },
      [&](std::size_t k, std::uint32_t count, double at) {
        f.instant(kind, lane, at, count, list.events[k], list.refs[k]);
      });
}

// The wakes one task received, and where the last gap's search stopped: gaps are asked left to
// right, so each search goes on from there.
struct Wakes {
  InstantList list;
  std::span<const trace::WakeSource> sources;
  std::size_t cursor = 0;
};

// The gap after poll `a` of a task (a == none: between its spawn and its first poll), up to its next
// poll, or its completion, or the end of the trace. After a Pending poll the task is idle until the
// first wake that follows, then scheduled until it is polled; a wake that came during the poll left
// it notified, so it is scheduled at once (as the runtime and the index count it).
void task_gap(Frame& f, const TaskInfo& t, Wakes& wakes, std::uint32_t lane, std::size_t a) {
  const std::vector<PollSpan>& polls = t.polls;
  const std::size_t b = a == none ? 0 : a + 1;
  double stop;
  EventIndex stop_event;
  if (b < polls.size()) {
    stop = f.begin_of(polls[b]);
    stop_event = polls[b].begin_event;
  } else if (t.done()) {
    stop = f.at(t.completed_event, t.completed_ns);
    stop_event = t.completed_event;
  } else {
    stop = f.extent_end;
    stop_event = static_cast<EventIndex>(f.index.trace().size());
  }
  if (a == none) {
    f.gap(DrawKind::scheduled_gap, lane, f.at(t.spawned_event, t.spawned_ns), stop, t.spawned_event, npos);
    return;
  }
  const PollSpan& p = polls[a];
  if (p.end_event == npos || p.result != trace::PollResult::pending) return;
  const double start = f.end_of(p);
  if (stop - start < f.min_units || !f.covers(start, stop)) return;  // before the search below

  const InstantList& list = wakes.list;
  const std::size_t w = wakes.cursor =
      gallop(wakes.cursor, list.size(), [&](std::size_t k) { return list.events[k] <= p.begin_event; });
  if (w < list.size() && list.events[w] < p.end_event) {
    f.gap(DrawKind::scheduled_gap, lane, start, stop, list.events[w], f.lane_of_task(list.refs[w]),
          wakes.sources[w]);
  } else if (w < list.size() && list.events[w] < stop_event) {
    const double woken = f.at(list.events[w], list.times[w]);
    f.gap(DrawKind::idle_gap, lane, start, woken, p.end_event, p.parked_at);
    f.gap(DrawKind::scheduled_gap, lane, woken, stop, list.events[w], f.lane_of_task(list.refs[w]),
          wakes.sources[w]);
  } else {
    f.gap(DrawKind::idle_gap, lane, start, stop, p.end_event, p.parked_at);
  }
}

// `unfolded`: the task's nested rows are drawn under it, and they show its cancelled branches.
void task_lane(Frame& f, const LaneIndex& lists, std::uint32_t slot, std::uint32_t lane, bool unfolded) {
  const TaskInfo& t = f.index.tasks()[slot];
  const double born = f.at(t.spawned_event, t.spawned_ns);
  const double gone = t.done() ? f.at(t.completed_event, t.completed_ns) : f.extent_end;
  if (!f.visible(born, gone)) return;

  // Gaps and polls.
  const std::vector<PollSpan>& polls = t.polls;
  const std::span<const LaneIndex::TimeSpan> times = lists.poll_times(slot);
  const std::span<const LaneIndex::StepSpan> steps = lists.poll_steps(slot);
  const bool time_axis = f.time_axis();
  auto begin = [&](std::size_t k) {
    return time_axis ? static_cast<double>(times[k].begin) : static_cast<double>(steps[k].begin);
  };
  auto end = [&](std::size_t k) {
    if (time_axis) return times[k].end == LaneIndex::open ? f.extent_end : static_cast<double>(times[k].end);
    return steps[k].end == npos ? f.extent_end : static_cast<double>(steps[k].end);
  };
  const std::size_t from = first_visible(f, polls.size(), end);
  Wakes wakes{lists.wakes(slot), lists.wake_sources(slot)};
  task_gap(f, t, wakes, lane, from == 0 ? none : from - 1);
  fold_spans(f, from, polls.size(), begin, end, [&](std::size_t first, std::size_t last, double run_end) {
    if (first == last)
      f.span(DrawKind::poll, lane, begin(first), run_end, 1, polls[first].begin_event,
             static_cast<std::uint32_t>(polls[first].result));
    else
      f.span(DrawKind::folded, lane, begin(first), run_end, static_cast<std::uint32_t>(last - first + 1),
             polls[first].begin_event, 0);
    task_gap(f, t, wakes, lane, last);
  });

  // Marks.
  if (f.visible(born, born))
    f.instant(DrawKind::spawn_mark, lane, born, 1, t.spawned_event, f.lane_of_task(t.parent));
  if (t.done() && f.visible(gone, gone))
    f.instant(DrawKind::done_mark, lane, gone, 1, t.completed_event, static_cast<std::uint32_t>(t.outcome));
  if (!unfolded) instants(f, lists.cancelled(slot), DrawKind::cancelled_mark, lane);
  instants(f, lists.lints(slot), DrawKind::lint_marker, lane);

  // Wake arrows, on top, kept glyph_inset_px inside the lane (see the rules).
  const InstantList& received = wakes.list;
  const std::size_t first_arrow = f.out.size();
  fold_instants(
      f, received.size(), [&](std::size_t k) { return f.at(received.events[k], received.times[k]); },
      [&](std::size_t k, std::uint32_t count, double at) {
        f.instant(DrawKind::wake_arrow, lane, at, count, received.events[k], f.lane_of_task(received.refs[k]),
                  wakes.sources[k]);
      });
  keep_inside(f, first_arrow, glyph_inset_px);
}

void blocking_lane(Frame& f, const LaneIndex& lists, std::uint32_t id, std::uint32_t lane) {
  const std::span<const std::uint32_t> jobs = lists.blocking(id);
  const std::vector<BlockingSpan>& all = f.index.blocking();
  auto begin = [&](std::size_t k) { return f.at(all[jobs[k]].begin_event, all[jobs[k]].begin_ns); };
  auto end = [&](std::size_t k) { return f.span_end(all[jobs[k]].end_event, all[jobs[k]].end_ns); };
  fold_spans(f, first_visible(f, jobs.size(), end), jobs.size(), begin, end,
             [&](std::size_t first, std::size_t last, double run_end) {
               const BlockingSpan& job = all[jobs[first]];
               if (first == last)
                 f.span(DrawKind::blocking_span, lane, begin(first), run_end, 1, job.begin_event, job.task);
               else
                 f.span(DrawKind::folded, lane, begin(first), run_end,
                        static_cast<std::uint32_t>(last - first + 1), job.begin_event, 0);
             });
}

void worker_lane(Frame& f, const LaneIndex& lists, std::uint32_t id, std::uint32_t lane) {
  const std::span<const WorkerPoll> ran = lists.worker_polls(id);
  auto poll = [&](std::size_t k) -> const PollSpan& {
    return f.index.tasks()[ran[k].slot].polls[ran[k].poll];
  };
  auto begin = [&](std::size_t k) { return f.begin_of(poll(k)); };
  auto end = [&](std::size_t k) { return f.end_of(poll(k)); };
  fold_spans(f, first_visible(f, ran.size(), end), ran.size(), begin, end,
             [&](std::size_t first, std::size_t last, double run_end) {
               const PollSpan& p = poll(first);
               if (first == last)
                 f.span(DrawKind::poll, lane, begin(first), run_end, 1, p.begin_event,
                        static_cast<std::uint32_t>(p.result));
               else
                 f.span(DrawKind::folded, lane, begin(first), run_end,
                        static_cast<std::uint32_t>(last - first + 1), p.begin_event, 0);
             });
  // Steals: folded like any instant, then kept glyph_inset_px inside the lane (see the rules).
  const std::size_t first_steal = f.out.size();
  instants(f, lists.steals(id), DrawKind::steal_mark, lane);
  keep_inside(f, first_steal, glyph_inset_px);
}

// A nested row: its spans fold like polls; each one alone is a nested_span.
void nested_lane(Frame& f, const LaneIndex& lists, std::uint32_t row, std::uint32_t lane) {
  const NestedLanes& nested = lists.nested();
  if (row >= nested.rows().size()) return;
  const std::span<const NestedSpan> spans = nested.spans_of(row);
  const std::uint32_t first_index = nested.rows()[row].first_span;
  auto begin = [&](std::size_t k) { return f.at(spans[k].begin_event, spans[k].begin_ns); };
  auto end = [&](std::size_t k) { return f.span_end(spans[k].end_event, spans[k].end_ns); };
  fold_spans(f, first_visible(f, spans.size(), end), spans.size(), begin, end,
             [&](std::size_t first, std::size_t last, double run_end) {
               if (first == last)
                 f.span(DrawKind::nested_span, lane, begin(first), run_end, 1, spans[first].begin_event,
                        first_index + static_cast<std::uint32_t>(first));
               else
                 f.span(DrawKind::folded, lane, begin(first), run_end, static_cast<std::uint32_t>(last - first + 1),
                        spans[first].begin_event, 0);
             });
}

// User marks and lints of no task: drawn across every row.
void timeline_wide(Frame& f, const LaneIndex& lists) {
  const std::vector<MarkRecord>& marks = f.index.marks();
  fold_instants(
      f, marks.size(), [&](std::size_t k) { return f.at(marks[k].event, marks[k].time_ns); },
      [&](std::size_t k, std::uint32_t count, double at) {
        f.instant(DrawKind::user_mark, npos, at, count, marks[k].event, static_cast<std::uint32_t>(k));
      });
  instants(f, lists.runtime_lints(), DrawKind::lint_marker, npos);
}

}  // namespace

std::vector<Lane> default_lanes(const TraceIndex& index) {
  std::vector<Lane> lanes;
  lanes.reserve(index.tasks().size() + index.run().blocking_lanes + 1);
  for (const TaskInfo& t : index.tasks()) lanes.push_back(Lane{LaneKind::task, t.id});
  // Ids are handed out in spawn order; on worker threads two spawns at nearly the same moment may be
  // recorded in the other order (each worker stamps its own events), so the lanes follow the ids: a
  // run draws its tasks in the same order every time, the Tasks table's.
  const auto by_id = [](const Lane& a, const Lane& b) { return a.id < b.id; };
  if (!std::is_sorted(lanes.begin(), lanes.end(), by_id)) std::stable_sort(lanes.begin(), lanes.end(), by_id);
  const bool worker_blocked = std::any_of(index.blocking().begin(), index.blocking().end(),
                                          [](const BlockingSpan& b) { return b.lane == 0; });
  const bool lane0 = worker_blocked && index.run().workers == 1;
  for (std::uint32_t l = lane0 ? 0 : 1; l <= index.run().blocking_lanes; ++l)
    lanes.push_back(Lane{LaneKind::blocking, l});
  return lanes;
}

const char* lane_kind_name(LaneKind kind) {
  switch (kind) {
    case LaneKind::task: return "task";
    case LaneKind::blocking: return "blocking";
    case LaneKind::worker: return "worker";
    case LaneKind::future: return "future";
    case LaneKind::request: return "request";
    case LaneKind::lock: return "lock";
    case LaneKind::job: return "job";
  }
  return "?";
}

const char* span_end_name(SpanEnd end) {
  switch (end) {
    case SpanEnd::done: return "done";
    case SpanEnd::cancelled: return "cancelled";
    case SpanEnd::failed: return "failed";
    case SpanEnd::running: return "running";
    case SpanEnd::disabled: return "disabled";
    case SpanEnd::released: return "released";
  }
  return "?";
}

LaneExtent lane_extent(const LaneIndex& lanes, const Lane& lane) {
  const TraceIndex& index = lanes.index();
  const trace::Trace& t = index.trace();
  const std::uint64_t start = index.run().start_ns;
  const std::uint64_t trace_end = index.run().end_ns;
  const auto last_event = static_cast<EventIndex>(t.empty() ? 0 : t.size() - 1);
  LaneExtent x;
  auto cover = [&](EventIndex b, std::uint64_t b_ns, EventIndex e, std::uint64_t e_ns) {
    if (x.empty) {
      x.first_event = b;
      x.first_ns = b_ns;
    }
    x.empty = false;
    x.last_event = e == npos ? last_event : e;
    x.last_ns = e == npos ? trace_end : e_ns;
  };
  switch (lane.kind) {
    case LaneKind::task: {
      const TaskInfo* task = index.task(lane.id);
      if (task == nullptr) break;
      cover(task->spawned_event, task->spawned_ns, task->completed_event, task->completed_ns);
      x.end = !task->done()                                  ? SpanEnd::running
              : task->outcome == trace::Outcome::ok          ? SpanEnd::done
              : task->outcome == trace::Outcome::cancelled   ? SpanEnd::cancelled
                                                             : SpanEnd::failed;
      break;
    }
    case LaneKind::blocking:
      for (std::uint32_t j : lanes.blocking(lane.id)) {
        const BlockingSpan& b = index.blocking()[j];
        cover(b.begin_event, b.begin_ns, b.end_event, b.end_ns);
        x.end = b.end_event == npos ? SpanEnd::running : SpanEnd::done;
      }
      break;
    case LaneKind::worker: {
      const std::span<const WorkerPoll> ran = lanes.worker_polls(lane.id);
      for (const WorkerPoll* w : {ran.empty() ? nullptr : &ran.front(), ran.empty() ? nullptr : &ran.back()}) {
        if (w == nullptr) continue;
        const PollSpan& p = index.tasks()[w->slot].polls[w->poll];
        cover(p.begin_event, p.begin_ns, p.end_event, p.end_ns);
        x.end = p.end_event == npos ? SpanEnd::running : SpanEnd::done;
      }
      break;
    }
    case LaneKind::future:
    case LaneKind::request:
    case LaneKind::lock:
    case LaneKind::job: {
      const NestedLanes& nested = lanes.nested();
      if (lane.id >= nested.rows().size()) break;
      const std::span<const NestedSpan> spans = nested.spans_of(lane.id);
      if (spans.empty()) break;
      cover(spans.front().begin_event, spans.front().begin_ns, spans.front().end_event, spans.front().end_ns);
      cover(spans.back().begin_event, spans.back().begin_ns, spans.back().end_event, spans.back().end_ns);
      x.end = spans.back().end;
      x.spans = static_cast<std::uint32_t>(spans.size());
      x.parent_task = nested.rows()[lane.id].task;
      break;
    }
  }
  x.first_ns -= std::min(x.first_ns, start);
  x.last_ns -= std::min(x.last_ns, start);
  return x;
}

std::size_t nested_row_count(const TraceIndex& index, const NestedLanes& nested, std::uint32_t task) {
  const std::uint32_t slot = index.task_slot(task);
  return slot == npos ? 0 : nested.rows_of_task(slot).size();
}

double axis_extent_end(const TraceIndex& index, Axis axis) {
  if (axis == Axis::sequence) return static_cast<double>(index.trace().size());
  return index.trace().empty() ? 0.0 : static_cast<double>(index.run().end_ns);
}

double axis_value(const TraceIndex& index, std::size_t event, Axis axis) {
  const std::size_t n = index.trace().size();
  if (axis == Axis::sequence) return static_cast<double>(std::min(event, n));
  if (event >= n) return axis_extent_end(index, axis);
  return static_cast<double>(index.trace()[event].time_ns);
}

double cursor_axis_value(const TraceIndex& index, std::size_t cursor, Axis axis) {
  const std::size_t n = index.trace().size();
  if (axis == Axis::sequence || n == 0) return axis_value(index, cursor, axis);
  return static_cast<double>(index.trace()[cursor == 0 ? 0 : std::min(cursor, n) - 1].time_ns);
}

AxisRange frame_events(const TraceIndex& index, Axis axis, std::size_t begin, std::size_t end,
                       std::uint64_t at_least_ns, std::size_t context) {
  const std::size_t n = index.trace().size();
  end = std::min(end, n);
  begin = std::min(begin, end);
  const double whole = std::max(axis_extent_end(index, axis), 1.0);
  double b = 0, e = whole;
  if (end > begin) {
    b = axis_value(index, begin, axis);
    e = axis == Axis::sequence ? static_cast<double>(end) : static_cast<double>(index.trace()[end - 1].time_ns);
    if (axis == Axis::time) e = std::max(e, static_cast<double>(at_least_ns));
    // In virtual time a step's events often share one instant (the clock stands still while tasks
    // run). Frame the lead-up to it instead: from the last moment before it, or up to the next.
    if (axis == Axis::time && e - b < 1000.0) {
      const std::size_t at = event_at(index, b, axis);  // the first event at that instant
      if (context < n && static_cast<double>(index.trace()[context].time_ns) < b) {
        b = static_cast<double>(index.trace()[context].time_ns);
      } else if (at > 0) {
        b = static_cast<double>(index.trace()[at - 1].time_ns);
      } else {
        const std::size_t after = event_at(index, b + 1000.0, axis);
        if (after < n) e = static_cast<double>(index.trace()[after].time_ns);
      }
    }
    // Still nothing to frame (one instant is the whole run): show the run.
    if (e - b < (axis == Axis::time ? 1000.0 : 1.0)) {
      b = 0;
      e = whole;
    }
  }
  const double margin = (e - b) * 0.05;
  return AxisRange{b - margin, e + margin};
}

std::size_t event_at(const TraceIndex& index, double value, Axis axis) {
  const std::size_t n = index.trace().size();
  if (axis == Axis::sequence) {
    if (!(value > 0)) return 0;  // NaN included
    return static_cast<std::size_t>(std::min(std::ceil(value), static_cast<double>(n)));
  }
  return bisect(0, n, [&](std::size_t k) { return static_cast<double>(index.trace()[k].time_ns) < value; });
}

namespace {

// Groups items 0..n-1 by key (key_of returns a key below `keys`, or npos to leave an item out),
// keeping their order within each key: start[k]..start[k + 1] are key k's places in `items`.
template <class KeyOf>
void fill_buckets(std::vector<std::uint32_t>& start, std::vector<std::uint32_t>& items, std::size_t keys,
                  std::size_t n, KeyOf key_of) {
  start.assign(keys + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (const std::uint32_t k = key_of(i); k != npos) ++start[k + 1];
  for (std::size_t k = 0; k < keys; ++k) start[k + 1] += start[k];
  items.resize(start[keys]);
  std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    if (const std::uint32_t k = key_of(i); k != npos) items[next[k]++] = static_cast<std::uint32_t>(i);
}

}  // namespace

InstantList LaneIndex::Instants::of(std::uint32_t key) const {
  if (key + std::size_t{1} >= start.size()) return {};
  const std::size_t first = start[key], count = start[key + 1] - first;
  return InstantList{std::span<const EventIndex>(events).subspan(first, count),
                     std::span<const std::uint64_t>(times).subspan(first, count),
                     std::span<const std::uint32_t>(refs).subspan(first, count)};
}

std::size_t LaneIndex::Instants::memory_bytes() const {
  return (start.capacity() + events.capacity() + refs.capacity()) * sizeof(std::uint32_t) +
         times.capacity() * sizeof(std::uint64_t);
}

template <class KeyOf, class At>
void LaneIndex::Instants::fill(std::size_t keys, std::size_t n, KeyOf key_of, At at,
                               std::vector<trace::WakeSource>* sources) {
  // Two passes in the list's own order (counting, then placing), so the list is streamed, not
  // read in per-key order — that was a cache miss per item.
  start.assign(keys + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (const std::uint32_t k = key_of(i); k != npos) ++start[k + 1];
  for (std::size_t k = 0; k < keys; ++k) start[k + 1] += start[k];
  const std::size_t total = start[keys];
  events.resize(total);
  times.resize(total);
  refs.resize(total);
  if (sources) sources->resize(total);
  std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = key_of(i);
    if (k == npos) continue;
    const std::uint32_t pos = next[k]++;
    const Instant item = at(i);
    events[pos] = item.event;
    times[pos] = item.time;
    refs[pos] = item.ref;
    if (sources) (*sources)[pos] = item.source;
  }
  for (std::size_t k = 0; k < keys; ++k) {
    const std::uint32_t first = start[k], count = start[k + 1] - first;
    if (std::is_sorted(events.begin() + first, events.begin() + first + count)) continue;
    std::vector<std::uint32_t> order(count);
    for (std::uint32_t j = 0; j < count; ++j) order[j] = first + j;
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return events[a] < events[b]; });
    auto permute = [&](auto& column) {
      std::vector<std::decay_t<decltype(column[0])>> sorted(count);
      for (std::uint32_t j = 0; j < count; ++j) sorted[j] = column[order[j]];
      std::copy(sorted.begin(), sorted.end(), column.begin() + first);
    };
    permute(events);
    permute(times);
    permute(refs);
    if (sources) permute(*sources);
  }
}

LaneIndex::LaneIndex(const TraceIndex& index) : index_(&index), nested_(index) {
  const auto slots = static_cast<std::uint32_t>(index.tasks().size());
  poll_start_.assign(slots + std::size_t{1}, 0);
  for (std::uint32_t s = 0; s < slots; ++s)
    poll_start_[s + 1] = poll_start_[s] + static_cast<std::uint32_t>(index.tasks()[s].polls.size());
  poll_times_.reserve(poll_start_.back());
  poll_steps_.reserve(poll_start_.back());
  for (const TaskInfo& t : index.tasks())
    for (const PollSpan& p : t.polls) {
      const bool running = p.end_event == npos;
      poll_times_.push_back(TimeSpan{p.begin_ns, running ? open : p.end_ns});
      poll_steps_.push_back(StepSpan{p.begin_event, running ? npos : p.end_event + 1});
    }

  const std::vector<WakeEdge>& wakes = index.wakes();
  wakes_.fill(
      slots, wakes.size(), [&](std::size_t i) { return index.task_slot(wakes[i].to_task); },
      [&](std::size_t i) {
        return Instants::Instant{wakes[i].event, wakes[i].time_ns, wakes[i].from_task, wakes[i].source};
      },
      &wake_sources_);

  // Nodes are listed as they were created, and an outer combinator outlives the branches inside it,
  // so drops come in another order: fill() sorts them.
  const std::vector<FutureNodeInfo>& nodes = index.future_nodes();
  cancelled_.fill(
      slots, nodes.size(),
      [&](std::size_t i) {
        return nodes[i].dropped_event != npos && nodes[i].end == trace::FutureEnd::cancelled ? index.task_slot(nodes[i].task)
                                                                                       : npos;
      },
      [&](std::size_t i) {
        const EventIndex dropped = nodes[i].dropped_event;
        return Instants::Instant{dropped, index.trace()[dropped].time_ns, static_cast<std::uint32_t>(i)};
      });

  const std::vector<LintRecord>& lints = index.lints();
  runtime_key_ = slots;
  lints_.fill(
      slots + std::size_t{1}, lints.size(),
      [&](std::size_t i) {
        const std::uint32_t slot = index.task_slot(lints[i].task);
        return slot == npos ? runtime_key_ : slot;
      },
      [&](std::size_t i) {
        return Instants::Instant{lints[i].event, lints[i].time_ns, static_cast<std::uint32_t>(i)};
      });

  const std::vector<BlockingSpan>& jobs = index.blocking();
  fill_buckets(blocking_start_, blocking_, index.run().blocking_lanes + std::size_t{1}, jobs.size(),
               [&](std::size_t i) { return jobs[i].lane; });

  if (index.run().workers > 1) {
    workers_.resize(index.run().workers);
    for (std::uint32_t s = 0; s < slots; ++s) {
      const std::vector<PollSpan>& polls = index.tasks()[s].polls;
      for (std::uint32_t p = 0; p < polls.size(); ++p)
        workers_[index.trace()[polls[p].begin_event].worker].push_back(WorkerPoll{s, p});
    }
    for (std::vector<WorkerPoll>& ran : workers_)
      std::sort(ran.begin(), ran.end(), [&](const WorkerPoll& a, const WorkerPoll& b) {
        return index.tasks()[a.slot].polls[a.poll].begin_event <
               index.tasks()[b.slot].polls[b.poll].begin_event;
      });
    const std::vector<StealRecord>& steals = index.steals();
    steals_.fill(
        index.run().workers, steals.size(),
        [&](std::size_t i) { return steals[i].to_worker < index.run().workers ? steals[i].to_worker : npos; },
        [&](std::size_t i) { return Instants::Instant{steals[i].event, steals[i].time_ns, steals[i].from_worker}; });
  }
}

std::span<const LaneIndex::TimeSpan> LaneIndex::poll_times(std::uint32_t task_slot) const {
  if (task_slot + std::size_t{1} >= poll_start_.size()) return {};
  return std::span<const TimeSpan>(poll_times_)
      .subspan(poll_start_[task_slot], poll_start_[task_slot + 1] - poll_start_[task_slot]);
}

std::span<const LaneIndex::StepSpan> LaneIndex::poll_steps(std::uint32_t task_slot) const {
  if (task_slot + std::size_t{1} >= poll_start_.size()) return {};
  return std::span<const StepSpan>(poll_steps_)
      .subspan(poll_start_[task_slot], poll_start_[task_slot + 1] - poll_start_[task_slot]);
}

std::span<const trace::WakeSource> LaneIndex::wake_sources(std::uint32_t task_slot) const {
  if (task_slot + std::size_t{1} >= wakes_.start.size()) return {};
  return std::span<const trace::WakeSource>(wake_sources_)
      .subspan(wakes_.start[task_slot], wakes_.start[task_slot + 1] - wakes_.start[task_slot]);
}

std::span<const std::uint32_t> LaneIndex::blocking(std::uint32_t lane) const {
  if (lane + std::size_t{1} >= blocking_start_.size()) return {};
  return std::span<const std::uint32_t>(blocking_).subspan(blocking_start_[lane],
                                                           blocking_start_[lane + 1] - blocking_start_[lane]);
}

std::size_t LaneIndex::memory_bytes() const {
  std::size_t bytes =
      sizeof(*this) + wakes_.memory_bytes() + cancelled_.memory_bytes() + lints_.memory_bytes() +
      steals_.memory_bytes();
  bytes += wake_sources_.capacity() * sizeof(trace::WakeSource);
  bytes += poll_start_.capacity() * sizeof(std::uint32_t) + poll_times_.capacity() * sizeof(TimeSpan) +
           poll_steps_.capacity() * sizeof(StepSpan);
  bytes += (blocking_start_.capacity() + blocking_.capacity()) * sizeof(std::uint32_t);
  bytes += workers_.capacity() * sizeof(workers_[0]) + nested_.memory_bytes() - sizeof(nested_);
  for (const std::vector<WorkerPoll>& ran : workers_) bytes += ran.capacity() * sizeof(WorkerPoll);
  return bytes;
}

void layout_timeline(const LaneIndex& lane_index, std::span<const Lane> lanes, const TimelineViewport& view,
                     std::vector<DrawCmd>& out) {
  out.clear();
  const TraceIndex& index = lane_index.index();
  const AxisMap map(view);
  if (map.px_per_unit <= 0 || index.trace().empty()) return;
  Frame f{index,
          view,
          map,
          view.begin,
          view.end,
          view.min_px / map.px_per_unit,
          axis_extent_end(index, view.axis),
          out,
          {}};

  const std::size_t first = std::min(view.first_lane, lanes.size());
  const std::size_t last = first + std::min(view.lane_count, lanes.size() - first);
  // Spawn and wake commands name the other task's lane, which may be off-screen: map every task.
  f.lane_of_slot.assign(index.tasks().size(), npos);
  for (std::size_t l = 0; l < lanes.size(); ++l)
    if (lanes[l].kind == LaneKind::task)
      if (const std::uint32_t slot = index.task_slot(lanes[l].id);
          slot != npos && f.lane_of_slot[slot] == npos)
        f.lane_of_slot[slot] = static_cast<std::uint32_t>(l);

  for (std::size_t l = first; l < last; ++l) {
    const auto lane = static_cast<std::uint32_t>(l);
    switch (lanes[l].kind) {
      case LaneKind::task:
        if (const std::uint32_t slot = index.task_slot(lanes[l].id); slot != npos)
          task_lane(f, lane_index, slot, lane, l + 1 < lanes.size() && is_nested(lanes[l + 1].kind));
        break;
      case LaneKind::blocking:
        blocking_lane(f, lane_index, lanes[l].id, lane);
        break;
      case LaneKind::worker:
        worker_lane(f, lane_index, lanes[l].id, lane);
        break;
      case LaneKind::future:
      case LaneKind::request:
      case LaneKind::lock:
      case LaneKind::job:
        nested_lane(f, lane_index, lanes[l].id, lane);
        break;
    }
  }
  timeline_wide(f, lane_index);
}

std::vector<DrawCmd> layout_timeline(const LaneIndex& lane_index, std::span<const Lane> lanes,
                                     const TimelineViewport& view) {
  std::vector<DrawCmd> out;
  layout_timeline(lane_index, lanes, view, out);
  return out;
}

const DrawCmd* hit_test(std::span<const DrawCmd> cmds, std::uint32_t lane, float x, float slop_px) {
  for (auto it = cmds.rbegin(); it != cmds.rend(); ++it) {
    if (it->lane != lane) continue;
    const float slop = it->x1 - it->x0 < 1 ? slop_px : 0;
    if (x >= it->x0 - slop && x <= it->x1 + slop) return &*it;
  }
  return nullptr;
}

}  // namespace asynclab::vis
