#pragma once
// Importing Chrome trace-event JSON: a trace written by `asynclab trace export --chrome` (or by
// another tool) becomes a trace::Trace again, so the visualizer can open what Perfetto opens.
//
// Rules:
// * Our own export (recognised by its "asynclab ..." process name) comes back as faithfully as it
//   went out: task ids are the track ids, names, spawn parents and sites, poll results and parked-at
//   locations, wakes (source, self, by_ref), completions, lints, marks, clock advances, the seed,
//   and the resources — every channel, lock and notify event, carried whole in the args of a
//   "resource" instant (kind, resource id, value, flags; the name with resource_created, the label
//   with channel_value).
//   In virtual time the exact recorded times come back too (the export spreads events a nanosecond
//   apart; the clock only ever moves at a clock advance, whose new time the export keeps).
// * Files exported before resources were written load as before, without resources.
// * What the export never wrote stays lost: waker clones and drops, the future tree (so a lock wait
//   abandoned by a dropped branch stays listed), timers, blocking jobs, requests, the deadlock
//   report, wakes of a task never polled again
//   (they have no flow arrow to carry them), the worker and runtime flavor, and the function and
//   column of a location (it is written "folder/file.cpp:42"). In real time the times stay as
//   displayed: at most a few nanoseconds late.
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

namespace asynclab::vis {

std::expected<trace::Trace, std::string> import_chrome_json(std::string_view json_text);

}  // namespace asynclab::vis
