#pragma once
// The wait-for cycle of a deadlock, in order: task 1 waits on resource A, held by task 2, which waits
// on resource B, held by task 1. Read from the trace's stuck_wait events (the runtime's deadlock
// report), so the Warnings window can draw it as a small graph and a test can check it.
//
// Rules:
// * Starts at the first stuck task whose edge is on the cycle and follows each waited resource to its
//   holder until a task comes round again; that task closes the cycle (it is not repeated).
// * Empty when the run did not end stuck, or no edge is on a cycle (a lost waker, a task waiting on
//   nothing the runtime knows).
#include <cstdint>
#include <vector>

#include "model/trace_index.hpp"

namespace asynclab::vis {

struct WaitForEdge {
  std::uint32_t task = 0;      // waits on
  std::uint32_t resource = 0;  // held by the next edge's task
};

std::vector<WaitForEdge> wait_for_cycle(const TraceIndex& index);

}  // namespace asynclab::vis
