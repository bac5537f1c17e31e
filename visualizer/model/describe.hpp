#pragma once
// Events and times in words, for tooltips, the playback bar, the terminal runner and failure
// messages: "wake  fetch b ← timer", "poll_end  consumer → Pending at scenario.cpp:42".
//
// Rules:
// * Pure functions of the index and one event; no ImGui, no allocation beyond the returned string.
// * Task names come from the index ("runtime" for task 0); resources by name, else "resource N".
#include <cstdint>
#include <string>

#include "asynclab/trace/event.hpp"
#include "model/trace_index.hpp"

namespace asynclab::vis {

// "12.500 ms", "3.2 µs", "0 ns": the shortest readable form of a duration.
std::string format_duration(std::uint64_t ns);
// "500 µs", "12.5 ms", "2 s", "0 ms": the unit that reads best, at most three decimals, no trailing
// zeros — for axes, narration and summaries, where space is short.
std::string format_duration_short(std::uint64_t ns);
// One line about an event: what happened, to whom, and the detail that matters for its kind.
std::string describe_event(const TraceIndex& index, const trace::Event& e);
// "resource 3" or its name with its kind: "mpsc \"jobs\"".
std::string describe_resource(const TraceIndex& index, std::uint32_t resource_id);
// `count` steals by one worker from the task_stolen event `first_event` on (a timeline steal mark,
// which folds a thief's steals that fall close together): "parse 0 stolen by worker 1 from worker 0",
// "2 tasks stolen by worker 1 from worker 0: parse 0, parse 1".
std::string describe_steals(const TraceIndex& index, std::uint32_t first_event, std::uint32_t count);
// One line of the deadlock report: "chef 1 waits on mutex \"board\", held by chef 2", "main awaits the
// JoinHandle of chef 1, which cannot finish", "main waits on nothing that can wake it".
std::string describe_stuck(const TraceIndex& index, const StuckRecord& stuck);
// A lint in words, with the advice a learner can act on.
std::string describe_lint(const TraceIndex& index, const LintRecord& lint);
// A wake a task received, as the Task window lists it: "  300.000 ms  ← itself (wake_by_ref)".
std::string describe_wake_received(const TraceIndex& index, const WakeEdge& wake);

}  // namespace asynclab::vis
