#pragma once
// Exporting a Trace for other tools.
//
// * Chrome trace-event JSON (opens in Perfetto and chrome://tracing): one track per task named after
//   it, polls as complete ("X") slices coloured by result, wakes as flow arrows from the waking poll
//   to the woken task's next poll; lints, marks and the resource events (channel sends and
//   receives, lock waits and hand-overs, resources made and dropped) as instant events on the
//   acting task's track, with the resource's name and kind in their args. Every other event (waker
//   clones and drops, the future tree, timers, pins, steals, blocking jobs, requests, the deadlock
//   report, a wake with no poll after it) is an instant in a second process, "asynclab details",
//   with a track per task, carrying the event whole: Perfetto shows that group apart, where it does
//   not bury the polls, and the visualizer's importer gets the whole trace back. The runtime's
//   flavor and worker count are in the "runtime started" instant; in a multi-worker trace every
//   slice, flow and instant says its worker. In virtual time many events share one instant; the
//   export spreads them by a nanosecond each so slices keep their order and a visible width.
// * JSON Lines: one JSON object per event, with names and locations resolved — for grep, jq and
//   scripts.
#include <ostream>
#include <string>

#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

void write_chrome_json(const Trace& trace, std::ostream& out);
void write_json_lines(const Trace& trace, std::ostream& out);

}  // namespace asynclab::trace
