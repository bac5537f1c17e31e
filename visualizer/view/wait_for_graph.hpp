#pragma once
// The deadlock's wait-for cycle as a small graph, drawn under the report in the Warnings window:
// tasks as rounded boxes and the resources they wait on as square ones, on a ring, with arrows
// "waits for" (task → resource) and "held by" (resource → task) all the way round.
#include "model/trace_index.hpp"

namespace asynclab::vis {

// Draws the cycle of model/wait_for.hpp in the current window, as wide as it allows (nothing when
// the run has no cycle).
void show_wait_for_cycle(const TraceIndex& index);

}  // namespace asynclab::vis
