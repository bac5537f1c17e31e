#pragma once
// The swimlane timeline, drawn in a terminal: one row per task, one character per column of the
// axis, from the same model the GUI draws from (model/trace_index.hpp). `asynclab trace info` and
// `asynclab demo` print it; the lesson runner prints it "up to this step".
//
//  timeline — poll by poll (virtual time marked above): 17 polls, about 3 columns each
//                    0 ms  200 ms  550 ms  600 ms     610 ms  620 ms   630 ms
//                   ┌┬─────┬───────┬───────┬──────────┬───────┬──────────────┐
//  main             │█·t█·t█·t█··t✗·····w░░░█············w░░█··w░░░█··w░░✓   │
//  background fetch │             ░░░█·t✓                                    │
//  worker 2         │                       ░░░░░░█·····t✓                   │
//                   └────────────────────────────────────────────────────────┘
//  █ polled   · idle: waiting for a wake   w woken by a task   t woken by a timer
//  ░ scheduled: runnable, waiting its turn   ✗ cancelled: ...   ✓ done
//
// Rules:
// * Pure: (index, options) -> text. Nothing here asks the terminal anything; the caller says how
//   wide to draw and whether to colour.
// * Every cell is exactly one terminal column: single-width glyphs only, and colour is SGR sequences
//   around them, nothing else.
// * The axis maps each column to a range of events once, up front (`SwimlaneLayout::bounds`). A cell
//   then shows the most important thing that happened to its lane in that range, so folding never
//   hides it: a mark (✓ done, ✗ cancelled, ! panicked, ⊘ stuck) > polls > a wake > scheduled > idle.
//   When two marks fall in one column, the later one moves a column right (or the earlier one left).
// * Work is bounded by what is drawn: a few binary searches over the index's sorted per-task lists
//   per lane and column, never a walk over the trace (the time axis binary-searches it by time).
//   Choosing or drawing the sequence axis passes once over the polls, into a bitmap.
// * With `nested`, the rows inside tasks are built from the whole trace once (NestedLanes): meant for
//   lessons and small traces, not for a million events.
// * `upto` is a cursor: events [0, upto) are drawn, later ones do not exist yet. The axis still spans
//   the whole run, so stepping the cursor moves it across a still picture.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/trace/event.hpp"
#include "model/trace_index.hpp"

namespace asynclab::vis {

enum class SwimlaneAxis : std::uint8_t {
  // Sequence when most polls took no time on the trace's clock — every virtual-time run: its clock
  // stands still while tasks run, so all that happens between two timer firings is one instant, one
  // column on a time axis, where the order of polls and wakes is lost — or when more than half of
  // the events would fall into one column of time. Time otherwise (real-time runs).
  automatic,
  time,      // columns are equal slices of the run's clock
  sequence,  // columns are the polls in the order the runtime ran them (one or more polls each)
};

struct SwimlaneOptions {
  int width = 100;      // columns of the timeline itself, after the label column (at least 1)
  int label_width = 0;  // characters for task names; 0: fit the longest drawn name, at most 24
  bool color = false;   // ANSI SGR colours (ansi_palette.hpp); false: plain UTF-8 text
  std::size_t upto = std::numeric_limits<std::size_t>::max();  // draw events [0, upto) only
  SwimlaneAxis axis = SwimlaneAxis::automatic;
  std::size_t max_lanes = 40;  // task rows at most; the rest are counted in "… and N more tasks"
  std::optional<std::uint32_t> highlight_task;  // a task id whose row is pointed at (▸)
  // Under each task, its rows inside (model/nested_lanes.hpp: join / select / timeout branches,
  // requests, locks waited for and held, blocking jobs), as the GUI opens them by default: for a task
  // with a dozen rows or fewer, in a trace of a few dozen tasks. A span is ━ (┄ waiting for a lock),
  // its end ✗ when it was dropped mid-flight, ? when it failed (a request's error, not a panic).
  bool nested = false;
};

// What one cell shows, most important last: a cell takes the kind of highest rank that happened in it.
enum class CellKind : std::uint8_t {
  blank,             // not spawned yet, already finished, or after the cursor
  idle,              // pending: waiting for a wake
  scheduled,         // woken (or just spawned) and waiting in the run queue to be polled
  woken,             // a wake arrived in this column (Cell::source says from where)
  blocking,          // a blocking job occupies this lane (blocking lanes only)
  inside_waiting,    // a row inside a task: waiting for a lock
  inside,            // a row inside a task: a branch, request, lock held or blocking job in flight
  inside_failed,     // a row inside a task: where a request ended with an error (not a panic)
  polled,            // one poll, or a poll still running from an earlier column
  polls,             // several polls folded into one column (Cell::polls says how many)
  cancelled_future,  // a future of this task was dropped before it finished (a select's loser)
  disabled_future,   // a select branch answered, but its pattern refused the output (Some(v) got None)
  done,
  cancelled,  // the task itself was cancelled (aborted, or dropped with the runtime)
  panicked,
  stuck,  // the runtime stopped with this task waiting for ever (see the stuck notes)
};

struct Cell {
  CellKind kind = CellKind::blank;
  std::uint32_t polls = 0;                             // polls touching this column
  trace::WakeSource source = trace::WakeSource::task;  // kind == woken
  bool operator==(const Cell&) const = default;
};

struct SwimlaneRow {
  std::string label;
  std::uint32_t task = 0;           // the task's id; 0 for a blocking lane
  std::uint32_t blocking_lane = 0;  // for a blocking lane: its number (0: the worker itself)
  bool highlighted = false;
  std::vector<Cell> cells;  // exactly `width` cells
  bool is_worker = false;   // a worker's row (multi-worker traces): the polls that worker ran
  std::uint32_t worker = 0;
  bool inside = false;  // a row inside the task above it (SwimlaneOptions::nested)
};

struct AxisTick {
  int column = 0;
  std::string label;  // "10 ms"
  bool end = false;   // the run's end time, drawn flush right rather than at a tick
};

// The timeline before it is turned into text: what every cell shows and where the axis ticks are.
struct SwimlaneLayout {
  SwimlaneAxis axis = SwimlaneAxis::time;  // never automatic: the axis actually chosen
  int width = 0;
  std::size_t upto = 0;            // the cursor, clamped to the trace size
  int drawn_columns = 0;           // columns [0, drawn_columns) hold events before the cursor
  std::vector<EventIndex> bounds;  // width + 1 entries: column c holds events [bounds[c], bounds[c+1])
  std::vector<AxisTick> ticks;
  std::string scale;                     // "one column = 500 µs", "one column = 1 poll"
  std::vector<SwimlaneRow> lanes;  // the workers (several only), tasks in spawn order, then the blocking
                                   // lanes (lane 0, "worker blocked", only with one worker)
  std::size_t hidden_tasks = 0;          // spawned before the cursor but beyond max_lanes
  std::vector<std::string> stuck_notes;  // "alice waits on mutex "second", held by bob ..."
  // The summary line's numbers, counting events before the cursor only.
  std::size_t tasks = 0;
  std::size_t polls = 0;
  std::size_t wakes = 0;
  std::uint64_t elapsed_ns = 0;
};

SwimlaneLayout layout_swimlanes(const TraceIndex& index, const SwimlaneOptions& options);

// The timeline as text, one line per row, each ending in '\n': a title, the axis, one row per task
// (and per blocking lane), stuck notes, a legend of the glyphs used and a summary line. A trace with
// no task spawned before the cursor gives one line saying so.
std::string render_swimlanes(const TraceIndex& index, const SwimlaneOptions& options);

// The `width` that makes the whole timeline fit in a terminal `columns` wide (at least 10).
int swimlane_width_for(const TraceIndex& index, const SwimlaneOptions& options, int columns);

}  // namespace asynclab::vis
