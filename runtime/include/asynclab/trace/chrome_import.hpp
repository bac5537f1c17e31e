#pragma once
// Importing Chrome trace-event JSON: a trace written by `asynclab trace export --chrome` (or by
// another tool) becomes a trace::Trace again, so the visualizer can open what Perfetto opens. The
// export it reads back is trace/export.hpp's write_chrome_json (runtime/src/trace_export.cpp).
//
// Rules:
// * Our own export (recognised by its "asynclab ..." process name) comes back whole: every event, in
//   its recorded order, with its worker. Task ids are the track ids; names, spawn parents and sites,
//   poll results and parked-at locations, wakes, completions, lints, marks, clock advances, the seed,
//   the flavor and worker count come from the drawn events, and the resources and everything else
//   (the future tree, waker clones and drops, timers, pins, steals, blocking jobs, requests, the
//   deadlock report) from the instants that carry them whole (runtime/src/trace_export.cpp); a
//   channel_value's label comes back as text.
//   In virtual time the exact recorded times come back too (the export spreads events a nanosecond
//   apart; the clock only ever moves at a clock advance, whose new time the export keeps).
// * Older exports load as before, without what they did not write (resources, details, workers).
// * What the export never writes stays lost: the function and column of a location (it is written
//   "folder/file.cpp:42"). In real time the times stay as displayed: at most a few nanoseconds late.
// * Another tool's trace: every (pid, tid) track with events becomes a task named after its
//   thread_name, numbered 1, 2, ... in order of first appearance; its top-level "X" slices (or B/E
//   pairs) become polls, flow "s"/"f" pairs become wakes, instant events become marks. Times are
//   rebased so the first event is at 0.
// * The result is always well formed: every task is spawned before its first event, polls of one
//   task never overlap, times are in nanoseconds and never decrease.
// * Bad input gives an error message that starts "not a Chrome trace:" — never an exception.
#include <expected>
#include <string>
#include <string_view>

#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

std::expected<trace::Trace, std::string> import_chrome_json(std::string_view json_text);

}  // namespace asynclab::trace
