#pragma once
// A task's tokio-console counters as of a cursor: what the Tasks table and the Task window show at
// the moment the learner is looking at, never figures from later in the run ("polls 2" on a task not
// yet spawned, "busy 6 ms" before its first poll).
//
// Rules:
// * Replays the task's own events before the cursor (spawn, poll begins and ends, wakes received,
//   completion) through the phase machine TraceIndex uses for the whole run, and charges the phase
//   it is in up to the clock as of the cursor (the last event applied: what the Executor's clock says).
//   At the end of the trace it equals TaskInfo's figures.
// * Costs O(the task's polls and wakes before the cursor): views ask only for the rows on screen.
#include <cstddef>
#include <cstdint>

#include "model/timeline_layout.hpp"

namespace asynclab::vis {

struct TaskCounters {
  bool spawned = false;
  std::uint32_t polls = 0;
  std::uint32_t wakes = 0;
  std::uint32_t self_wakes = 0;
  std::uint32_t lints = 0;
  std::uint64_t busy_ns = 0;
  std::uint64_t scheduled_ns = 0;
  std::uint64_t idle_ns = 0;
};

// Events [0, cursor) have happened.
TaskCounters task_counters_at(const LaneIndex& lanes, std::uint32_t task_slot, std::size_t cursor);

}  // namespace asynclab::vis
