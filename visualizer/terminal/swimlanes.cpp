// The swimlane timeline in a terminal. See swimlanes.hpp for the rules.
//
// Index of this file:
// [SECTION] Text helpers: terminal columns of UTF-8 text, durations
// [SECTION] The axis: which events each column holds
// [SECTION] Lanes: what each cell shows
// [SECTION] Marks: ✓ ✗ ! ⊘, placed so that none hides another
// [SECTION] Layout
// [SECTION] Text: glyphs, colours, the box, the legend
#include "terminal/swimlanes.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"
#include "model/describe.hpp"
#include "model/nested_lanes.hpp"
#include "terminal/ansi_palette.hpp"

namespace asynclab::vis {

namespace {

using trace::WakeSource;

constexpr int max_width = 4096;  // keeps span * column within 64 bits for any trace
constexpr int max_label_width = 24;
constexpr int min_label_width = 4;
constexpr int min_tick_gap = 2;                    // spaces between two tick labels
constexpr std::uint64_t nice_steps[] = {1, 2, 5};  // ticks every 1, 2 or 5 times a power of ten

//-----------------------------------------------------------------------------
// [SECTION] Text helpers: terminal columns of UTF-8 text, durations
//-----------------------------------------------------------------------------

// Every glyph this file draws is one column wide, so columns are code points.
std::size_t columns_of(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Exactly `width` columns: padded with spaces, or cut with "…" when too long.
std::string fit(std::string_view s, std::size_t width) {
  const std::size_t cols = columns_of(s);
  if (cols <= width) return std::string(s) + std::string(width - cols, ' ');
  std::string out;
  const auto points = code_points(s);
  for (std::size_t i = 0; i + 1 < width; ++i) out += points[i];
  if (width > 0) out += "…";
  return out;
}

// Breaks text at spaces into lines of at most `width` columns (a longer word keeps a line of its
// own); every line starts with `indent`.
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::string_view indent) {
  std::vector<std::string> lines;
  std::string line(indent);
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(at, end - at);
    const bool first = line.size() == indent.size();
    if (!first && columns_of(line) + 1 + columns_of(word) > width) {
      lines.push_back(std::move(line));
      line = std::string(indent);
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    at = end + 1;
  }
  if (line.size() > indent.size()) lines.push_back(std::move(line));
  return lines;
}


// 397173 -> 397000: a column's width is an approximation, said as one.
std::uint64_t three_digits(std::uint64_t ns) {
  std::uint64_t scale = 1;
  while (ns / scale >= 1000) scale *= 10;
  return (ns + scale / 2) / scale * scale;
}

//-----------------------------------------------------------------------------
// [SECTION] The axis: which events each column holds
//-----------------------------------------------------------------------------

// The first event at or after `time_ns` (times never decrease along a trace).
EventIndex first_event_at(const trace::Trace& t, std::uint64_t time_ns) {
  std::size_t lo = 0;
  std::size_t hi = t.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (t[mid].time_ns < time_ns)
      lo = mid + 1;
    else
      hi = mid;
  }
  return static_cast<EventIndex>(lo);
}

// Column c holds the times [start + ceil(span*c/width), start + ceil(span*(c+1)/width)): a time t
// falls in column floor((t - start) * width / span), the run's last instant in the last column.
std::vector<EventIndex> time_bounds(const TraceIndex& index, int width) {
  const auto n = static_cast<EventIndex>(index.trace().size());
  std::vector<EventIndex> bounds(static_cast<std::size_t>(width) + 1, n);
  bounds[0] = 0;
  const std::uint64_t start = index.run().start_ns;
  const std::uint64_t span = index.run().end_ns - start;
  if (span == 0) return bounds;  // one instant: everything in the first column
  const auto w = static_cast<std::uint64_t>(width);
  for (int c = 1; c < width; ++c)
    bounds[static_cast<std::size_t>(c)] =
        first_event_at(index.trace(), start + (span * static_cast<std::uint64_t>(c) + w - 1) / w);
  return bounds;
}

// Where the run's polls began, as a bitmap over the events, built from the index's per-task lists:
// one pass over the polls, none over the trace. Finds the k-th poll with a popcount per 64 events.
class PollBitmap {
 public:
  explicit PollBitmap(const TraceIndex& index) : words_((index.trace().size() + 63) / 64, 0) {
    for (const TaskInfo& t : index.tasks()) {
      for (const PollSpan& p : t.polls) {
        words_[p.begin_event >> 6] |= std::uint64_t{1} << (p.begin_event & 63);
        instant_ += p.end_event != npos && p.end_ns == p.begin_ns ? 1 : 0;
      }
      size_ += t.polls.size();
    }
    before_.reserve(words_.size() + 1);
    std::size_t n = 0;
    for (std::uint64_t w : words_) {
      before_.push_back(n);
      n += static_cast<std::size_t>(std::popcount(w));
    }
    before_.push_back(n);
  }
  std::size_t size() const { return size_; }
  // Polls that took no time on the trace's clock.
  std::size_t instant() const { return instant_; }
  // The event where poll k (0-based, k < size()) began.
  EventIndex select(std::size_t k) const {
    const auto w =
        static_cast<std::size_t>(std::upper_bound(before_.begin(), before_.end(), k) - before_.begin()) - 1;
    std::uint64_t bits = words_[w];
    for (std::size_t skip = k - before_[w]; skip > 0; --skip) bits &= bits - 1;  // drop the lower set bits
    return static_cast<EventIndex>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
  }

 private:
  std::vector<std::uint64_t> words_;
  std::vector<std::size_t> before_;  // polls before each word
  std::size_t size_ = 0;
  std::size_t instant_ = 0;
};

// Who did event e: the task whose action it records (0: the runtime, firing timers).
std::uint32_t actor(const trace::Event& e) {
  namespace ev = trace::ev;
  constexpr std::uint32_t runtime = 0;
  return trace::visit(e, trace::overloaded{
    [](const ev::Wake& x) { return x.by; },
    [](const ev::WakerCloned& x) { return x.by; },
    [](const ev::WakerDropped& x) { return x.by; },
    [](const ev::ClockAdvanced&) { return runtime; },
    [](const ev::TimerFired&) { return runtime; },
    [](const ev::RuntimeStarted&) { return runtime; },
    [](const ev::RuntimeStopped&) { return runtime; },
    [](const ev::StuckWait&) { return runtime; },
    [&](const auto&) { return e.task; },
  });
}

// The first event after poll k and what its task did on the way out of it (completing, waking the
// task that awaits its JoinHandle, dropping its frame), so those stay in the poll's column. Stops at
// the next poll; looks at a bounded number of events.
EventIndex after_poll(const TraceIndex& index, const PollBitmap& polls, std::size_t k) {
  constexpr EventIndex max_tail = 256;
  const trace::Trace& trace = index.trace();
  const EventIndex begin = polls.select(k);
  const EventIndex next = k + 1 < polls.size() ? polls.select(k + 1) : static_cast<EventIndex>(trace.size());
  const std::uint32_t task = trace[begin].task;
  const TaskInfo* t = index.task(task);
  if (t == nullptr) return begin + 1;
  const auto p = std::partition_point(t->polls.begin(), t->polls.end(),
                                      [&](const PollSpan& x) { return x.begin_event < begin; });
  if (p == t->polls.end() || p->end_event == npos || p->end_event >= next) return next;
  EventIndex e = p->end_event + 1;
  while (e < next && e - p->end_event <= max_tail && actor(trace[e]) == task) ++e;
  return e;
}

// The sequence axis: of the run's P polls, poll k opens column floor(k*width/P). With more polls
// than columns, a column holds several. With fewer, each poll gets a stretch of columns: the first
// holds the poll itself, the last what happened between it and the next poll (timers firing, the
// wakes they cause), and the ones between show the lanes as that poll left them.
std::vector<EventIndex> sequence_bounds(const TraceIndex& index, const PollBitmap& polls, int width) {
  const auto n = static_cast<EventIndex>(index.trace().size());
  std::vector<EventIndex> bounds(static_cast<std::size_t>(width) + 1, n);
  bounds[0] = 0;
  const auto w = static_cast<std::uint64_t>(width);
  const std::uint64_t p = polls.size();
  for (int c = 1; c < width; ++c) {
    const auto column = static_cast<std::uint64_t>(c);
    const std::uint64_t k = (column * p + w - 1) / w;  // the first poll at or after column c
    EventIndex bound = n;
    if (k < p && k * w / p == column) {
      bound = polls.select(k);  // poll k opens this column
    } else {
      // Inside poll k-1's stretch: the column begins when that poll ended.
      bound = after_poll(index, polls, k - 1);
      if (k < p) bound = std::min(bound, polls.select(k));
    }
    bounds[static_cast<std::size_t>(c)] = std::max(bound, bounds[static_cast<std::size_t>(c) - 1]);
  }
  return bounds;
}

// The column holding event e.
int column_of(const std::vector<EventIndex>& bounds, EventIndex e) {
  const auto it = std::upper_bound(bounds.begin(), bounds.end(), e);
  const auto c = static_cast<int>(it - bounds.begin()) - 1;
  return std::clamp(c, 0, static_cast<int>(bounds.size()) - 2);
}

//-----------------------------------------------------------------------------
// [SECTION] Lanes: what each cell shows
//-----------------------------------------------------------------------------

// The events of column c that happened before the cursor.
struct Span {
  EventIndex lo;
  EventIndex hi;
};
Span column_span(const SwimlaneLayout& layout, int c) {
  const auto i = static_cast<std::size_t>(c);
  return {layout.bounds[i], std::min<EventIndex>(layout.bounds[i + 1], static_cast<EventIndex>(layout.upto))};
}

// The first of a task's wakes at or after event e.
std::vector<std::uint32_t>::const_iterator first_wake_from(const TraceIndex& index, const TaskInfo& t,
                                                           EventIndex e) {
  return std::partition_point(t.wakes_received.begin(), t.wakes_received.end(),
                              [&](std::uint32_t w) { return index.wakes()[w].event < e; });
}

Cell task_cell(const TraceIndex& index, const TaskInfo& t, Span s) {
  if (t.spawned_event >= s.hi) return {};   // not spawned yet
  if (t.completed_event < s.lo) return {};  // finished earlier
  const auto by_begin = [](const PollSpan& p, EventIndex e) { return p.begin_event < e; };
  const auto first = std::lower_bound(t.polls.begin(), t.polls.end(), s.lo, by_begin);
  const auto last = std::lower_bound(first, t.polls.end(), s.hi, by_begin);
  // A poll that began in an earlier column and had not ended when this one began (npos: never ended).
  const bool still_running = first != t.polls.begin() && std::prev(first)->end_event >= s.lo;
  const auto polls = static_cast<std::uint32_t>(last - first) + (still_running ? 1u : 0u);
  if (polls > 1) return {CellKind::polls, polls};
  if (polls == 1) return {CellKind::polled, 1};

  if (auto w = first_wake_from(index, t, s.lo); w != t.wakes_received.end() && index.wakes()[*w].event < s.hi)
    return {CellKind::woken, 0, index.wakes()[*w].source};

  if (first == t.polls.begin()) return {CellKind::scheduled};  // spawned, never polled yet
  const PollSpan& previous = *std::prev(first);
  if (previous.result != trace::PollResult::pending) return {};  // finished: its mark says how
  // Pending since: runnable again if anything woke it after that poll began (even during it).
  const auto w = first_wake_from(index, t, previous.begin_event);
  return {w != t.wakes_received.end() && index.wakes()[*w].event < s.lo ? CellKind::scheduled
                                                                        : CellKind::idle};
}

Cell blocking_cell(const std::vector<const BlockingSpan*>& jobs, Span s) {
  const auto after = std::partition_point(jobs.begin(), jobs.end(),
                                          [&](const BlockingSpan* b) { return b->begin_event < s.hi; });
  if (after == jobs.begin()) return {};
  // Jobs on one lane never overlap: only the last one to begin can still be running here.
  return (*std::prev(after))->end_event >= s.lo ? Cell{CellKind::blocking} : Cell{};
}

//-----------------------------------------------------------------------------
// [SECTION] Marks: ✓ ✗ ! ⊘, placed so that none hides another
//-----------------------------------------------------------------------------

struct Mark {
  int column;
  CellKind kind;
};

bool same_glyph(CellKind a, CellKind b) {
  const auto cancel = [](CellKind k) { return k == CellKind::cancelled || k == CellKind::cancelled_future; };
  return a == b || (cancel(a) && cancel(b));
}

// Puts the task's marks over its cells. Within a column they come in the order they happen: futures
// dropped while it ran, then the deadlock report, then the task's end. Marks sharing a column are
// spread out: the later one moves right (into the blank after a finished task), or, at the end of
// the drawn columns, the earlier ones move left. Two marks drawn alike in one column are one mark.
void place_marks(const TraceIndex& index, const TaskInfo& t, const SwimlaneLayout& layout, SwimlaneRow& lane) {
  const auto upto = static_cast<EventIndex>(layout.upto);
  if (layout.drawn_columns == 0) return;
  // A loop of timeouts drops a future per round: one flag per column, however many there are.
  std::vector<bool> dropped(static_cast<std::size_t>(layout.drawn_columns), false);
  for (std::uint32_t n : t.future_nodes) {
    const FutureNodeInfo& f = index.future_nodes()[n];
    if (f.dropped_event < upto && f.end == trace::FutureEnd::cancelled)
      dropped[static_cast<std::size_t>(column_of(layout.bounds, f.dropped_event))] = true;
  }
  std::vector<Mark> marks;
  for (std::size_t c = 0; c < dropped.size(); ++c)
    if (dropped[c]) marks.push_back({static_cast<int>(c), CellKind::cancelled_future});
  for (const StuckRecord& s : index.stuck())
    if (s.task == t.id && s.event < upto)
      marks.push_back({column_of(layout.bounds, s.event), CellKind::stuck});
  if (t.completed_event < upto) {
    const CellKind end = t.outcome == trace::Outcome::ok          ? CellKind::done
                         : t.outcome == trace::Outcome::cancelled ? CellKind::cancelled
                                                                  : CellKind::panicked;
    marks.push_back({column_of(layout.bounds, t.completed_event), end});
  }
  std::stable_sort(marks.begin(), marks.end(),
                   [](const Mark& a, const Mark& b) { return a.column < b.column; });

  std::vector<Mark> placed;
  for (const Mark& m : marks) {
    if (!placed.empty() && placed.back().column >= m.column && same_glyph(placed.back().kind, m.kind)) {
      // One glyph for both: the task's own end wins over the futures it dropped on the way out.
      if (m.kind != CellKind::cancelled_future) placed.back().kind = m.kind;
      continue;
    }
    placed.push_back({placed.empty() ? m.column : std::max(m.column, placed.back().column + 1), m.kind});
  }
  int limit = layout.drawn_columns - 1;
  for (auto it = placed.rbegin(); it != placed.rend(); ++it) {
    it->column = std::min(it->column, limit);
    limit = it->column - 1;
  }
  for (const Mark& m : placed)
    if (m.column >= 0) lane.cells[static_cast<std::size_t>(m.column)] = Cell{m.kind};
}

std::string stuck_note(const TraceIndex& index, const StuckRecord& s) {
  std::string text = "⊘ " + index.task_label(s.task);
  if (s.resource == 0 && s.joins && s.holder)
    return text + " waits for ever on the JoinHandle of " + index.task_label(s.holder) + ", which cannot finish";
  if (s.resource == 0) return text + " waits for ever, on something that is not a lock or channel";
  text += " waits for ever on ";
  if (const ResourceInfo* r = index.resource(s.resource))
    text += fmt::format("{}{}", trace::resource_kind_name(r->kind),
                        r->name.empty() ? "" : " \"" + r->name + "\"");
  else
    text += fmt::format("resource #{}", s.resource);
  if (s.holder != 0) text += ", held by " + index.task_label(s.holder);
  if (s.on_cycle) text += " — on the wait-for cycle";
  return text;
}

//-----------------------------------------------------------------------------
// [SECTION] Layout
//-----------------------------------------------------------------------------

// Which rows are drawn: workers (multi-worker traces), task slots (spawn order) and blocking lane
// numbers.
struct Rows {
  std::uint32_t workers = 0;  // worker rows: 0 for a current-thread trace
  std::vector<std::uint32_t> slots;
  std::vector<std::uint32_t> blocking_lanes;
  std::size_t spawned = 0;  // tasks spawned before the cursor
};

Rows choose_rows(const TraceIndex& index, const SwimlaneOptions& options, EventIndex upto) {
  Rows rows;
  const auto& tasks = index.tasks();
  rows.spawned = static_cast<std::size_t>(
      std::partition_point(tasks.begin(), tasks.end(),
                           [&](const TaskInfo& t) { return t.spawned_event < upto; }) -
      tasks.begin());
  // The tasks spawned so far in id order, as the GUI's lanes (a run on worker threads may record two
  // spawns in the other order); the first max_lanes of them are drawn.
  std::vector<std::uint32_t> by_id(rows.spawned);
  for (std::uint32_t s = 0; s < rows.spawned; ++s) by_id[s] = s;
  std::ranges::stable_sort(by_id,
                           [&](std::uint32_t a, std::uint32_t b) { return tasks[a].id < tasks[b].id; });
  const std::size_t shown = std::min(rows.spawned, options.max_lanes);
  rows.slots.assign(by_id.begin(), by_id.begin() + static_cast<std::ptrdiff_t>(shown));
  // The task pointed at is always drawn, in the last row when it would be beyond max_lanes.
  if (options.highlight_task && !rows.slots.empty()) {
    const std::uint32_t s = index.task_slot(*options.highlight_task);
    if (s != npos && s < rows.spawned && std::ranges::find(rows.slots, s) == rows.slots.end())
      rows.slots.back() = s;
  }
  std::vector<bool> lane_seen;
  for (const BlockingSpan& b : index.blocking()) {
    if (b.begin_event >= upto) break;
    if (lane_seen.size() <= b.lane) lane_seen.resize(b.lane + 1, false);
    lane_seen[b.lane] = true;
  }
  if (index.run().workers > 1) {
    // Each worker gets its own row; lane 0 would stack the blocks of different workers on one row,
    // and each of them already shows as its worker's poll.
    rows.workers = index.run().workers;
    if (!lane_seen.empty()) lane_seen[0] = false;
  }
  for (std::uint32_t l = 0; l < lane_seen.size(); ++l)
    if (lane_seen[l]) rows.blocking_lanes.push_back(l);
  return rows;
}

std::string worker_label(std::uint32_t worker) { return fmt::format("worker {}", worker); }

// A worker's polls never overlap, so as for a blocking lane only the last to begin can cover s.
Cell worker_cell(const std::vector<const PollSpan*>& polls, Span s) {
  const auto after = std::partition_point(polls.begin(), polls.end(),
                                          [&](const PollSpan* p) { return p->begin_event < s.hi; });
  if (after == polls.begin()) return {};
  return (*std::prev(after))->end_event >= s.lo ? Cell{CellKind::polled} : Cell{};
}

std::string blocking_label(std::uint32_t lane) {
  return lane == 0 ? std::string("worker blocked") : fmt::format("blocking lane {}", lane);
}

int label_width(const TraceIndex& index, const SwimlaneOptions& options, const Rows& rows) {
  if (options.label_width > 0) return options.label_width;
  std::size_t widest = min_label_width;
  for (std::uint32_t s : rows.slots) widest = std::max(widest, columns_of(index.tasks()[s].name));
  for (std::uint32_t l : rows.blocking_lanes) widest = std::max(widest, columns_of(blocking_label(l)));
  if (rows.workers) widest = std::max(widest, columns_of(worker_label(rows.workers - 1)));
  // Rows inside tasks say what they await ("  GET api.example/users"): room for that too.
  if (options.nested && index.tasks().size() <= 64) {
    const NestedLanes nested(index);
    const auto upto = static_cast<EventIndex>(std::min(options.upto, index.trace().size()));
    for (std::uint32_t s : rows.slots) {
      const auto inside = nested.rows_of_task(s);
      if (inside.size() > 12) continue;
      for (std::uint32_t r : inside)
        if (nested.rows()[r].span_count > 0 && nested.spans_of(r).front().begin_event < upto)
          widest = std::max(widest, 2 + columns_of(nested.rows()[r].label));
    }
  }
  return static_cast<int>(std::min<std::size_t>(widest, max_label_width));
}

// Axis ticks at round times ("0 ms", "10 ms", ...) far enough apart for their labels.
std::vector<AxisTick> time_ticks(const TraceIndex& index, int width) {
  const std::uint64_t start = index.run().start_ns;
  const std::uint64_t span = index.run().end_ns - start;
  if (span == 0) return {{0, format_duration_short(start)}};
  const double ns_per_column = static_cast<double>(span) / width;
  std::uint64_t step = 1;
  for (std::uint64_t decade = 1;; decade *= 10) {
    bool found = false;
    for (std::uint64_t m : nice_steps) {
      step = m * decade;
      // Room for the widest label ("100.5 ms") and a gap.
      if (static_cast<double>(step) / ns_per_column >= 10.0) {
        found = true;
        break;
      }
    }
    if (found || decade > span) break;
  }
  std::vector<AxisTick> ticks;
  const auto w = static_cast<std::uint64_t>(width);
  // A round time just before the first event (0 ms, when the runtime started a few µs earlier)
  // labels the first column.
  std::uint64_t first = start / step * step;
  if (static_cast<double>(start - first) >= ns_per_column) first += step;
  for (std::uint64_t t = first; t <= index.run().end_ns; t += step)
    ticks.push_back({t <= start ? 0 : static_cast<int>((t - start) * w / span), format_duration_short(t)});
  return ticks;
}

// On the sequence axis the clock is labelled where it moves: at the first column of each instant.
std::vector<AxisTick> sequence_ticks(const TraceIndex& index, const std::vector<EventIndex>& bounds,
                                     int width) {
  std::vector<AxisTick> ticks;
  const trace::Trace& t = index.trace();
  std::uint64_t shown = 0;
  int free_from = 0;
  for (int c = 0; c < width; ++c) {
    const EventIndex e = bounds[static_cast<std::size_t>(c)];
    if (e >= t.size()) break;
    const std::uint64_t now = t[e].time_ns;
    if ((c > 0 && now == shown) || c < free_from) continue;
    ticks.push_back({c, format_duration_short(now)});
    shown = now;
    free_from = c + static_cast<int>(columns_of(ticks.back().label)) + min_tick_gap;
  }
  return ticks;
}

// Drops the ticks whose labels would overlap the previous one or run past the right edge, and ends
// the axis with the run's end time.
std::vector<AxisTick> spaced_ticks(std::vector<AxisTick> ticks, const TraceIndex& index, int width) {
  const std::string end_label = format_duration_short(index.run().end_ns);
  AxisTick end{width - static_cast<int>(columns_of(end_label)), end_label, true};
  std::vector<AxisTick> kept;
  int free_from = 0;
  for (AxisTick& t : ticks) {
    const int right = t.column + static_cast<int>(columns_of(t.label));
    if (t.column < free_from || right + min_tick_gap > end.column) continue;
    free_from = right + min_tick_gap;
    kept.push_back(std::move(t));
  }
  if (end.column >= free_from && (kept.empty() || kept.back().label != end.label))
    kept.push_back(std::move(end));
  return kept;
}

}  // namespace

namespace {

// A row inside a task: its spans, as the cursor sees them (a span ending at or after the cursor is
// still running), one cell per column; the column of a span's end shows how it ended.
SwimlaneRow inside_row(const NestedLanes& nested, std::uint32_t row_index, const SwimlaneLayout& layout) {
  const NestedRow& row = nested.rows()[row_index];
  SwimlaneRow lane{"  " + row.label, row.task, 0, false, std::vector<Cell>(static_cast<std::size_t>(layout.width))};
  lane.inside = true;
  const auto upto = static_cast<EventIndex>(layout.upto);
  for (const NestedSpan& span : nested.spans_of(row_index)) {
    if (span.begin_event >= upto) continue;
    const bool ended = span.end_event != npos && span.end_event < upto;
    const int first = column_of(layout.bounds, span.begin_event);
    const int last = ended ? column_of(layout.bounds, span.end_event) : layout.drawn_columns - 1;
    for (int c = std::max(first, 0); c <= last && c < layout.width; ++c) {
      Cell& cell = lane.cells[static_cast<std::size_t>(c)];
      const CellKind kind = span.waiting ? CellKind::inside_waiting : CellKind::inside;
      if (kind > cell.kind) cell.kind = kind;
    }
    if (ended && last >= 0 && last < layout.width) {
      Cell& end = lane.cells[static_cast<std::size_t>(last)];
      if (span.end == SpanEnd::cancelled) end.kind = CellKind::cancelled_future;
      else if (span.end == SpanEnd::disabled) end.kind = CellKind::disabled_future;
      else if (span.end == SpanEnd::failed) end.kind = CellKind::inside_failed;
    }
  }
  return lane;
}

}  // namespace

SwimlaneLayout layout_swimlanes(const TraceIndex& index, const SwimlaneOptions& options) {
  SwimlaneLayout layout;
  const trace::Trace& trace = index.trace();
  const std::size_t n = trace.size();
  layout.width = std::clamp(options.width, 1, max_width);
  layout.upto = std::min(options.upto, n);
  const auto upto = static_cast<EventIndex>(layout.upto);
  const int width = layout.width;

  // The axis. Automatic: the sequence axis when most polls took no time on the trace's clock, as in
  // every virtual-time run (its clock stands still while tasks run, so all that happens between two
  // timer firings is one instant), or when more than half of the events would share one column of
  // time. A time axis would stack those instants into single columns and hide which task ran when
  // and who woke whom (a wake and the poll it causes would share a column); on the sequence axis the
  // polls are drawn in order and the clock is marked above them. Otherwise, time.
  layout.bounds = time_bounds(index, width);
  layout.axis = SwimlaneAxis::time;
  std::size_t polls = 0;
  if (options.axis != SwimlaneAxis::time) {
    const PollBitmap bitmap(index);
    polls = bitmap.size();
    EventIndex fullest = 0;
    for (std::size_t c = 0; c + 1 < layout.bounds.size(); ++c)
      fullest = std::max(fullest, layout.bounds[c + 1] - layout.bounds[c]);
    const bool instants = bitmap.instant() * 2 > polls || std::size_t{fullest} * 2 > n;
    if (polls > 0 && (options.axis == SwimlaneAxis::sequence || instants)) {
      layout.bounds = sequence_bounds(index, bitmap, width);
      layout.axis = SwimlaneAxis::sequence;
    }
  }
  layout.drawn_columns = upto == n ? width : upto == 0 ? 0 : column_of(layout.bounds, upto - 1) + 1;

  if (layout.axis == SwimlaneAxis::time) {
    const std::uint64_t span = index.run().end_ns - index.run().start_ns;
    layout.scale = span == 0 ? "the whole run is one instant"
                             : "one column = " + format_duration_short(three_digits(std::max<std::uint64_t>(
                                                     1, span / static_cast<std::uint64_t>(width))));
    layout.ticks = spaced_ticks(time_ticks(index, width), index, width);
  } else {
    const double per_column = static_cast<double>(polls) / width;
    const auto columns_each = static_cast<long>(1.0 / per_column + 0.5);
    if (per_column > 1.0)
      layout.scale =
          fmt::format("{} polls, about {:.{}f} per column", polls, per_column, per_column < 10 ? 1 : 0);
    else if (columns_each == 1)
      layout.scale = fmt::format("{} polls, one column each", polls);
    else
      layout.scale = fmt::format("{} polls, about {} columns each", polls, columns_each);
    layout.ticks = spaced_ticks(sequence_ticks(index, layout.bounds, width), index, width);
  }

  // The rows.
  const Rows rows = choose_rows(index, options, upto);
  if (rows.workers) {
    std::vector<std::vector<const PollSpan*>> ran(rows.workers);
    for (const TaskInfo& t : index.tasks())
      for (const PollSpan& p : t.polls)
        if (p.begin_event < upto && trace[p.begin_event].worker < rows.workers)
          ran[trace[p.begin_event].worker].push_back(&p);
    for (std::uint32_t w = 0; w < rows.workers; ++w) {
      std::sort(ran[w].begin(), ran[w].end(),
                [](const PollSpan* a, const PollSpan* b) { return a->begin_event < b->begin_event; });
      SwimlaneRow lane{worker_label(w), 0, 0, false, std::vector<Cell>(static_cast<std::size_t>(width)), true, w};
      for (int c = 0; c < layout.drawn_columns; ++c)
        lane.cells[static_cast<std::size_t>(c)] = worker_cell(ran[w], column_span(layout, c));
      layout.lanes.push_back(std::move(lane));
    }
  }
  // The rows inside tasks, as the GUI opens them by default: a few dozen tasks, a dozen rows each.
  std::optional<NestedLanes> nested;
  if (options.nested && index.tasks().size() <= 64) nested.emplace(index);
  for (std::uint32_t slot : rows.slots) {
    const TaskInfo& t = index.tasks()[slot];
    SwimlaneRow lane{t.name, t.id, 0, options.highlight_task == t.id,
              std::vector<Cell>(static_cast<std::size_t>(width))};
    for (int c = 0; c < layout.drawn_columns; ++c)
      lane.cells[static_cast<std::size_t>(c)] = task_cell(index, t, column_span(layout, c));
    place_marks(index, t, layout, lane);
    layout.lanes.push_back(std::move(lane));
    if (!nested) continue;
    const auto inside = nested->rows_of_task(slot);
    if (inside.size() > 12) continue;
    for (std::uint32_t r : inside) {
      const auto spans = nested->spans_of(r);
      if (spans.empty() || spans.front().begin_event >= upto) continue;  // not begun by the cursor
      layout.lanes.push_back(inside_row(*nested, r, layout));
    }
  }
  for (std::uint32_t number : rows.blocking_lanes) {
    std::vector<const BlockingSpan*> jobs;
    for (const BlockingSpan& b : index.blocking()) {
      if (b.begin_event >= upto) break;
      if (b.lane == number) jobs.push_back(&b);
    }
    SwimlaneRow lane{blocking_label(number), 0, number, false, std::vector<Cell>(static_cast<std::size_t>(width))};
    for (int c = 0; c < layout.drawn_columns; ++c)
      lane.cells[static_cast<std::size_t>(c)] = blocking_cell(jobs, column_span(layout, c));
    layout.lanes.push_back(std::move(lane));
  }
  layout.hidden_tasks = rows.spawned - rows.slots.size();
  for (const StuckRecord& s : index.stuck())
    if (s.event < upto) layout.stuck_notes.push_back(stuck_note(index, s));

  // The summary's numbers.
  layout.tasks = rows.spawned;
  for (std::size_t s = 0; s < rows.spawned; ++s) {
    const auto& p = index.tasks()[s].polls;
    layout.polls += static_cast<std::size_t>(
        std::partition_point(p.begin(), p.end(), [&](const PollSpan& x) { return x.begin_event < upto; }) -
        p.begin());
  }
  const auto& wakes = index.wakes();
  layout.wakes = static_cast<std::size_t>(
      std::partition_point(wakes.begin(), wakes.end(), [&](const WakeEdge& w) { return w.event < upto; }) -
      wakes.begin());
  if (upto > 0) layout.elapsed_ns = trace[upto - 1].time_ns - index.run().start_ns;
  return layout;
}

int swimlane_width_for(const TraceIndex& index, const SwimlaneOptions& options, int columns) {
  const auto upto = static_cast<EventIndex>(std::min(options.upto, index.trace().size()));
  const int label = label_width(index, options, choose_rows(index, options, upto));
  // "▸" + name + " " + "│" + cells + "│"
  return std::clamp(columns - label - 4, 10, max_width);
}

//-----------------------------------------------------------------------------
// [SECTION] Text: glyphs, colours, the box, the legend
//-----------------------------------------------------------------------------

namespace {

std::string_view wake_glyph(WakeSource s) {
  switch (s) {
    case WakeSource::task:
      return "w";
    case WakeSource::timer:
      return "t";
    case WakeSource::channel:
      return "c";
    case WakeSource::io:
      return "i";
    case WakeSource::blocking:
      return "b";
    case WakeSource::runtime:
      return "r";
    case WakeSource::budget:
      return "y";
  }
  return "?";
}

std::string_view wake_meaning(WakeSource s) {
  switch (s) {
    case WakeSource::task:
      return "woken by a task";
    case WakeSource::timer:
      return "woken by a timer";
    case WakeSource::channel:
      return "woken by a channel or lock";
    case WakeSource::io:
      return "woken by I/O";
    case WakeSource::blocking:
      return "woken by a blocking job's end";
    case WakeSource::runtime:
      return "woken by the runtime";
    case WakeSource::budget:
      return "made to yield: its budget was spent";
  }
  return "woken";
}

constexpr std::string_view fold_digits[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

std::string_view glyph(const Cell& c) {
  switch (c.kind) {
    case CellKind::blank:
      return " ";
    case CellKind::idle:
      return "·";
    case CellKind::scheduled:
      return "░";
    case CellKind::woken:
      return wake_glyph(c.source);
    case CellKind::blocking:
      return "▬";
    case CellKind::inside_waiting:
      return "┄";
    case CellKind::inside:
      return "━";
    case CellKind::inside_failed:
      return "?";
    case CellKind::polled:
      return "█";
    case CellKind::polls:
      return c.polls <= 9 ? fold_digits[c.polls] : "#";
    case CellKind::cancelled_future:
    case CellKind::cancelled:
      return "✗";
    case CellKind::disabled_future:
      return "∅";
    case CellKind::done:
      return "✓";
    case CellKind::panicked:
      return "!";
    case CellKind::stuck:
      return "⊘";
  }
  return "?";
}

std::string_view colour(CellKind k) {
  switch (k) {
    case CellKind::blank:
      return {};
    case CellKind::idle:
      return ansi::idle;
    case CellKind::scheduled:
      return ansi::scheduled;
    case CellKind::woken:
      return ansi::wake;
    case CellKind::blocking:
      return ansi::blocking;
    case CellKind::inside_waiting:
    case CellKind::inside:
      return ansi::inside;
    case CellKind::inside_failed:
      return ansi::cancelled;
    case CellKind::polled:
    case CellKind::polls:
      return ansi::pending;
    case CellKind::cancelled_future:
    case CellKind::cancelled:
      return ansi::cancelled;
    case CellKind::disabled_future:
      return ansi::idle;
    case CellKind::done:
      return ansi::ready;
    case CellKind::panicked:
    case CellKind::stuck:
      return ansi::failed;
  }
  return {};
}

// Appends text to a line, switching colour only when it changes.
class Painter {
 public:
  Painter(std::string& out, bool enabled) : out_(out), enabled_(enabled) {}
  void put(std::string_view text, std::string_view sgr = {}) {
    if (enabled_ && sgr != current_) {
      if (!current_.empty()) out_ += ansi::reset;
      out_ += sgr;
      current_ = sgr;
    }
    out_ += text;
  }
  void end_line() {
    put("", {});
    out_ += '\n';
  }

 private:
  std::string& out_;
  bool enabled_;
  std::string_view current_;
};

struct LegendItem {
  std::string glyphs;
  std::string_view sgr;
  std::string meaning;
};

// The glyphs this drawing uses, each with what it means, in the order a task meets them.
std::vector<LegendItem> legend_for(const SwimlaneLayout& layout) {
  bool used[static_cast<int>(CellKind::stuck) + 1] = {};
  bool source_used[static_cast<int>(WakeSource::budget) + 1] = {};
  for (const SwimlaneRow& lane : layout.lanes)
    for (const Cell& c : lane.cells) {
      used[static_cast<int>(c.kind)] = true;
      if (c.kind == CellKind::woken) source_used[static_cast<int>(c.source)] = true;
    }
  const auto is = [&](CellKind k) { return used[static_cast<int>(k)]; };
  std::vector<LegendItem> items;
  if (is(CellKind::polled)) items.push_back({"█", ansi::pending, "polled"});
  if (is(CellKind::polls)) items.push_back({"2-9 #", ansi::pending, "polls in one column (# 10 or more)"});
  if (is(CellKind::idle)) items.push_back({"·", ansi::idle, "idle: waiting for a wake"});
  for (int s = 0; s <= static_cast<int>(WakeSource::budget); ++s)
    if (source_used[s]) {
      const auto source = static_cast<WakeSource>(s);
      items.push_back({std::string(wake_glyph(source)), ansi::wake, std::string(wake_meaning(source))});
    }
  if (is(CellKind::scheduled))
    items.push_back({"░", ansi::scheduled, "scheduled: runnable, waiting its turn"});
  if (is(CellKind::blocking)) items.push_back({"▬", ansi::blocking, "a blocking job running"});
  if (is(CellKind::inside))
    items.push_back({"━", ansi::inside, "inside a task: a branch, request, lock held or job in flight"});
  if (is(CellKind::inside_waiting)) items.push_back({"┄", ansi::inside, "waiting for a lock"});
  if (is(CellKind::inside_failed)) items.push_back({"?", ansi::cancelled, "a request answered with an error"});
  if (is(CellKind::cancelled_future) || is(CellKind::cancelled))
    items.push_back({"✗", ansi::cancelled, "cancelled: a future dropped unfinished, or the task"});
  if (is(CellKind::disabled_future))
    items.push_back({"∅", ansi::idle, "a select branch disabled: its pattern refused what it gave"});
  if (is(CellKind::done)) items.push_back({"✓", ansi::ready, "done"});
  if (is(CellKind::panicked)) items.push_back({"!", ansi::failed, "panicked"});
  if (is(CellKind::stuck)) items.push_back({"⊘", ansi::failed, "stuck for ever"});
  if (is(CellKind::woken) && layout.axis == SwimlaneAxis::sequence)
    items.push_back(
        {"", {}, "(a wake shares its column with the poll that made it; timers fire between polls)"});
  return items;
}

}  // namespace

std::string render_swimlanes(const TraceIndex& index, const SwimlaneOptions& options) {
  const SwimlaneLayout layout = layout_swimlanes(index, options);
  if (layout.tasks == 0) {
    if (index.tasks().empty()) return "timeline: no tasks (the trace has no spawned task to draw)\n";
    return "timeline: no tasks yet (the cursor is before the first spawn)\n";
  }
  const auto upto = static_cast<EventIndex>(layout.upto);
  const Rows rows = choose_rows(index, options, upto);
  const auto name_width = static_cast<std::size_t>(label_width(index, options, rows));
  const auto width = static_cast<std::size_t>(layout.width);
  const std::string indent(name_width + 2, ' ');  // under "▸" + name + " "
  const bool virtual_time = index.run().virtual_time;
  const bool cursor = layout.upto < index.trace().size();

  std::string out;
  Painter paint(out, options.color);

  // Title and axis.
  const std::size_t line_width = indent.size() + width + 2;  // the box's right edge
  const auto put_wrapped = [&](std::string_view text, std::string_view sgr = {}) {
    for (const std::string& line : wrap(text, line_width, " ")) {
      paint.put(line, sgr);
      paint.end_line();
    }
  };
  const std::string clock = virtual_time ? "virtual time" : "real time";
  if (layout.axis == SwimlaneAxis::time)
    put_wrapped(fmt::format("timeline — {}, {}", clock, layout.scale));
  else
    put_wrapped(fmt::format("timeline — poll by poll ({} marked above): {}", clock, layout.scale));

  std::vector<std::string_view> labels(width, " ");
  std::vector<bool> tick_at(width, false);
  for (const AxisTick& t : layout.ticks) {
    const auto points = code_points(t.label);
    for (std::size_t i = 0; i < points.size() && static_cast<std::size_t>(t.column) + i < width; ++i)
      labels[static_cast<std::size_t>(t.column) + i] = points[i];
    tick_at[static_cast<std::size_t>(t.column)] = !t.end;
  }
  paint.put(indent);
  paint.put(" ");
  for (std::string_view l : labels) paint.put(l);
  paint.end_line();

  paint.put(indent);
  paint.put("┌", ansi::frame);
  for (std::size_t c = 0; c < width; ++c) {
    if (cursor && static_cast<int>(c) == layout.drawn_columns - 1)
      paint.put("▼", ansi::cursor);
    else
      paint.put(tick_at[c] ? "┬" : "─", ansi::frame);
  }
  paint.put("┐", ansi::frame);
  paint.end_line();

  // One row per lane.
  for (const SwimlaneRow& lane : layout.lanes) {
    paint.put(lane.highlighted ? "▸" : " ", lane.highlighted ? ansi::highlight : std::string_view{});
    paint.put(fit(lane.label, name_width), lane.highlighted ? ansi::highlight : std::string_view{});
    paint.put(" ");
    paint.put("│", ansi::frame);
    for (const Cell& c : lane.cells) paint.put(glyph(c), colour(c.kind));
    paint.put("│", ansi::frame);
    paint.end_line();
  }
  paint.put(indent);
  paint.put("└", ansi::frame);
  for (std::size_t c = 0; c < width; ++c) paint.put("─", ansi::frame);
  paint.put("┘", ansi::frame);
  paint.end_line();
  if (layout.hidden_tasks > 0) {
    paint.put(fmt::format(" … and {} more task{}", layout.hidden_tasks, layout.hidden_tasks == 1 ? "" : "s"));
    paint.end_line();
  }

  for (const std::string& note : layout.stuck_notes) put_wrapped(note, ansi::failed);

  // The legend, wrapped to the drawing's width.
  std::size_t at = 0;
  for (const LegendItem& item : legend_for(layout)) {
    if (item.glyphs.empty()) {  // a remark rather than a glyph: a paragraph of its own
      if (at > 0) paint.end_line();
      at = 0;
      put_wrapped(item.meaning);
      continue;
    }
    const std::size_t need = columns_of(item.glyphs) + 1 + columns_of(item.meaning);
    if (at > 0 && at + 3 + need > line_width) {
      paint.end_line();
      at = 0;
    }
    paint.put(at == 0 ? " " : "   ");
    paint.put(item.glyphs, item.sgr);
    paint.put(" " + item.meaning);
    at += (at == 0 ? 1 : 3) + need;
  }
  if (at > 0) paint.end_line();

  std::string summary =
      fmt::format("{} task{} · {} poll{} · {} wake{} · {} of {}", layout.tasks, layout.tasks == 1 ? "" : "s",
                  layout.polls, layout.polls == 1 ? "" : "s", layout.wakes, layout.wakes == 1 ? "" : "s",
                  format_duration_short(layout.elapsed_ns), clock);
  if (cursor) summary += fmt::format(" · up to event {} of {}", layout.upto, index.trace().size());
  put_wrapped(summary);
  return out;
}

}  // namespace asynclab::vis
