#pragma once
// The learner's run beside the reference run, in words: the differences that matter, most important
// first — "your 3 requests ran one after another; the reference's overlapped (3 at once)". The
// Exercises window says the first one under the verdict, while the two timelines share one axis.
//
// Rules:
// * A pure function of two indexed runs. Only differences a learner can act on, checked in this
//   order: how the run ended (finished, stuck in a deadlock, a lost waker); lints the reference does
//   not raise; blocking work on the worker where the reference used spawn_blocking; requests in
//   flight at once (one after another, or more than the reference ever had); the number of tasks
//   spawned; futures dropped mid-flight; the run's length (when it differs by more than a tenth).
// * Empty when none of those differ.
#include <string>
#include <vector>

#include "model/trace_index.hpp"

namespace asynclab::vis {

std::vector<std::string> run_differences(const TraceIndex& yours, const TraceIndex& reference);

}  // namespace asynclab::vis
