// See task_counters.hpp.
#include "model/task_counters.hpp"

#include <algorithm>

namespace asynclab::vis {

TaskCounters task_counters_at(const LaneIndex& lanes, std::uint32_t task_slot, std::size_t cursor) {
  const TraceIndex& index = lanes.index();
  TaskCounters c;
  if (task_slot >= index.tasks().size()) return c;
  const TaskInfo& t = index.tasks()[task_slot];
  if (t.spawned_event >= cursor) return c;
  c.spawned = true;
  // "Now" is the clock as of the cursor: the time of the last event applied (the Executor's clock),
  // not of the next one, which has not happened yet (a task parked at 0 ms has been idle 0 ms there,
  // even when the next event is its wake at 300 ms).
  const std::size_t applied = std::min(cursor, index.trace().size());
  const std::uint64_t now = applied == index.trace().size() ? static_cast<std::uint64_t>(axis_extent_end(index, Axis::time))
                                                             : index.trace()[applied - 1].time_ns;

  enum class Phase { scheduled, running, idle, done };
  Phase phase = Phase::scheduled;
  bool notified = false;
  std::uint64_t since = t.spawned_ns;
  auto enter = [&](Phase next, std::uint64_t at) {
    const std::uint64_t spent = at > since ? at - since : 0;
    if (phase == Phase::scheduled) c.scheduled_ns += spent;
    if (phase == Phase::running) c.busy_ns += spent;
    if (phase == Phase::idle) c.idle_ns += spent;
    phase = next;
    since = std::max(since, at);
  };

  // The task's polls and received wakes, merged in event order, up to the cursor.
  const InstantList wakes = lanes.wakes(task_slot);
  const std::vector<PollSpan>& polls = t.polls;
  std::size_t p = 0, w = 0;
  bool in_poll = false;  // polls[p] has begun and not ended
  const std::vector<WakeEdge>& edges = index.wakes();
  while (true) {
    // The next of: poll p's begin (or end, while in it), wake w, and stop at the cursor.
    EventIndex poll_at = npos;
    if (p < polls.size()) poll_at = in_poll ? polls[p].end_event : polls[p].begin_event;
    const EventIndex wake_at = w < wakes.size() ? wakes.events[w] : npos;
    const EventIndex done_at = phase == Phase::done ? npos : t.completed_event;
    const EventIndex next = std::min({poll_at, wake_at, done_at});
    if (next == npos || next >= cursor) break;
    if (next == done_at) {
      enter(Phase::done, t.completed_ns);
    } else if (next == wake_at) {
      ++c.wakes;
      if (phase == Phase::done) {
        // Woken after it finished: counted, as the index counts it, and nothing more.
      } else if (phase == Phase::running) notified = true;
      else if (phase == Phase::idle) enter(Phase::scheduled, wakes.times[w]);
      ++w;
    } else if (!in_poll) {
      ++c.polls;
      if (phase != Phase::done) enter(Phase::running, polls[p].begin_ns);
      notified = false;
      in_poll = true;
    } else {
      if (phase != Phase::done && polls[p].result == trace::PollResult::pending)
        enter(notified ? Phase::scheduled : Phase::idle, polls[p].end_ns);
      in_poll = false;
      ++p;
    }
  }
  if (phase != Phase::done) enter(phase, now);

  // Self-wakes among the wakes counted; lints raised before the cursor.
  for (std::uint32_t k = 0; k < c.wakes && k < t.wakes_received.size(); ++k)
    if (edges[t.wakes_received[k]].self) ++c.self_wakes;
  const InstantList lints = lanes.lints(task_slot);
  c.lints = static_cast<std::uint32_t>(std::lower_bound(lints.events.begin(), lints.events.end(), cursor) -
                                       lints.events.begin());
  return c;
}

}  // namespace asynclab::vis
