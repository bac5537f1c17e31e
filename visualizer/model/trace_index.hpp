#pragma once
// TraceIndex: a recorded run, indexed once so every view can ask "what happened to task T" or "what
// is visible between t0 and t1" without walking the whole trace.
//
// Rules:
// * Built in two passes over the events (one counts, one fills); the Trace is borrowed (it must
//   outlive the index) and never copied, so a run of millions of events is held once.
// * Task, resource, timer and request ids are the runtime's; `task_slot(id)` maps a task id to its
//   position in `tasks()` (spawn order). Slot 0 of nothing: a missing id gives `npos`.
// * Every per-task list (polls, wakes received) is sorted by event index, and therefore by time:
//   views find the visible part by binary search.
// * Event indices are 32-bit: a trace holds at most 4 billion events.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "asynclab/trace/trace.hpp"

namespace asynclab::vis {

using EventIndex = std::uint32_t;
inline constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

// One poll of one task: from its poll_begin to its poll_end.
struct PollSpan {
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
  EventIndex begin_event = 0;
  EventIndex end_event = 0;      // npos when the trace ends mid-poll
  std::uint32_t parked_at = 0;   // location id the task parked at (Pending), 0: none: the innermost
                                 // await in the program's own code when the trace says (poll_end's a)
  trace::PollResult result = trace::PollResult::pending;
};

// One wake: who (task, timer, channel, ...) made which task runnable, and when.
struct WakeEdge {
  std::uint64_t time_ns = 0;
  EventIndex event = 0;
  std::uint32_t from_task = 0;  // the task running when the wake happened (0: the runtime)
  std::uint32_t to_task = 0;
  trace::WakeSource source = trace::WakeSource::task;
  bool self = false;
  bool by_ref = false;
};

// A node of a task's future tree: a join, select or timeout combinator, or one of its branches.
struct FutureNodeInfo {
  std::uint32_t task = 0;
  std::uint32_t node = 0;
  std::uint32_t parent = 0;  // 0: the task's root future
  trace::FutureNode kind = trace::FutureNode::join;
  std::uint16_t branch = 0;  // branch index within its parent (branches only)
  EventIndex created_event = 0;
  EventIndex dropped_event = npos;
  std::uint32_t polls = 0;
  bool completed = false;    // answered Ready before it was dropped
  trace::FutureEnd end = trace::FutureEnd::cancelled;  // how it went away (once dropped_event is set)

  // A select branch left out of the race: its precondition was false, or its pattern refused its output.
  bool disabled() const {
    return dropped_event != npos &&
           (end == trace::FutureEnd::disabled_by_precondition || end == trace::FutureEnd::disabled_by_pattern);
  }
};

struct TaskInfo {
  std::uint32_t id = 0;
  std::string name;
  std::uint32_t parent = 0;          // the spawning task (0: outside any task)
  std::uint32_t spawn_location = 0;  // location id of the spawn call
  EventIndex spawned_event = 0;
  std::uint64_t spawned_ns = 0;
  EventIndex completed_event = npos;  // npos: still alive when the trace ends
  std::uint64_t completed_ns = 0;
  trace::Outcome outcome = trace::Outcome::ok;

  // tokio-console's columns.
  std::uint64_t busy_ns = 0;       // inside polls
  std::uint64_t scheduled_ns = 0;  // runnable, waiting in the run queue
  std::uint64_t idle_ns = 0;       // pending, waiting for a wake
  std::uint32_t wakes = 0;
  std::uint32_t self_wakes = 0;
  std::uint32_t waker_clones = 0;
  std::uint32_t waker_drops = 0;
  std::uint32_t lints = 0;

  std::vector<PollSpan> polls;
  std::vector<std::uint32_t> wakes_received;  // indices into TraceIndex::wakes()
  std::vector<std::uint32_t> future_nodes;    // indices into TraceIndex::future_nodes()

  bool done() const { return completed_event != npos; }
};

struct ResourceInfo {
  std::uint32_t id = 0;
  trace::ResourceKind kind = trace::ResourceKind::mpsc;
  std::string name;
  std::uint32_t creator = 0;
  std::uint32_t capacity = 0;  // channels: buffer bound; semaphore: permits; 0: unbounded / none
  EventIndex created_event = 0;
  EventIndex dropped_event = npos;
  std::vector<EventIndex> events;  // every event about this resource, in order
};

struct TimerInfo {
  std::uint32_t id = 0;  // the runtime reuses timer slots; (id, armed_event) is unique
  std::uint32_t owner = 0;
  EventIndex armed_event = 0;
  std::uint64_t armed_ns = 0;
  std::uint64_t deadline_ns = 0;
  EventIndex fired_event = npos;      // npos: cancelled, or still armed when the trace ends
  EventIndex cancelled_event = npos;  // dropped before it fired (npos: fired or still armed)
};

struct BlockingSpan {
  std::uint32_t task = 0;
  std::uint32_t lane = 0;  // 0: the worker itself was blocked (sim::block_for inside a task)
  std::uint32_t job = 0;
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
  EventIndex begin_event = 0;
  EventIndex end_event = npos;
};

struct RequestInfo {
  std::uint32_t id = 0;
  std::uint32_t task = 0;
  std::string url;
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
  EventIndex begin_event = 0;
  EventIndex end_event = npos;
  std::uint32_t status = 0;
  trace::HttpFailure failure = trace::HttpFailure::none;
};

struct LintRecord {
  EventIndex event = 0;
  std::uint64_t time_ns = 0;
  std::uint32_t task = 0;
  trace::LintKind kind = trace::LintKind::forgotten_future;
  std::uint32_t detail = 0;
  std::uint32_t location = 0;
};

struct MarkRecord {
  EventIndex event = 0;
  std::uint64_t time_ns = 0;
  std::uint32_t task = 0;
  std::string label;
};

// A task taken from one worker's queue by another (the multi_thread flavor's work stealing).
struct StealRecord {
  EventIndex event = 0;
  std::uint64_t time_ns = 0;
  std::uint32_t task = 0;
  std::uint32_t from_worker = 0;  // the worker whose queue it sat on
  std::uint32_t to_worker = 0;    // the worker that stole it
};

struct StuckRecord {
  EventIndex event = 0;
  std::uint32_t task = 0;
  std::uint32_t resource = 0;  // 0: waits on nothing the runtime knows
  std::uint32_t holder = 0;    // 0: no holder known; with `joins`, the task whose JoinHandle it awaits
  bool on_cycle = false;
  bool joins = false;          // it awaits `holder`'s JoinHandle (resource is 0)
};

// A Pinned future (asynclab/pin.hpp): where it has lived and what happened to it, in order.
struct PinStep {
  EventIndex event = 0;
  trace::PinAction action = trace::PinAction::placed;
  std::uint32_t home = 0;  // the home it is at; for self_ref, the home its self-reference points into
};
struct PinInfo {
  std::uint32_t id = 0;
  std::uint32_t task = 0;  // the task it was made in (0: outside any task)
  std::vector<PinStep> steps;
};

struct RunInfo {
  bool virtual_time = false;
  std::uint8_t flavor = 0;  // 0: current_thread, 1: multi_thread (simulated workers)
  std::uint64_t seed = 0;
  bool stopped = false;
  trace::StopReason stop_reason = trace::StopReason::finished;
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::uint32_t workers = 1;  // the highest worker field seen + 1 (runtime_started carries workers − 1)
  std::uint32_t blocking_lanes = 0;  // highest lane number seen
  // A runtime_started was recorded: the trace is asynclab's own runtime's, in which the only tasks
  // spawned outside any task are block_on's futures (world_state.hpp). A foreign trace (a Chrome
  // import) spawns every task that way.
  bool asynclab_runtime = false;
};

class TraceIndex {
 public:
  explicit TraceIndex(const trace::Trace& trace);

  const trace::Trace& trace() const { return *trace_; }
  const RunInfo& run() const { return run_; }

  const std::vector<TaskInfo>& tasks() const { return tasks_; }
  std::uint32_t task_slot(std::uint32_t id) const {
    if (id < slot_of_.size()) return slot_of_[id];
    return sparse_slots_.empty() ? npos : sparse_slot(id);
  }
  const TaskInfo* task(std::uint32_t id) const {
    std::uint32_t s = task_slot(id);
    return s == npos ? nullptr : &tasks_[s];
  }
  // The task's name, "runtime" for id 0.
  std::string task_label(std::uint32_t id) const;
  // The first task with this name, or npos.
  std::uint32_t find_task(std::string_view name) const;

  const std::vector<WakeEdge>& wakes() const { return wakes_; }
  const std::vector<FutureNodeInfo>& future_nodes() const { return future_nodes_; }
  const std::vector<ResourceInfo>& resources() const { return resources_; }
  std::uint32_t resource_slot(std::uint32_t id) const;
  const ResourceInfo* resource(std::uint32_t id) const {
    std::uint32_t s = resource_slot(id);
    return s == npos ? nullptr : &resources_[s];
  }
  std::uint32_t find_resource(std::string_view name) const;
  const std::vector<TimerInfo>& timers() const { return timers_; }
  const std::vector<BlockingSpan>& blocking() const { return blocking_; }
  const std::vector<RequestInfo>& requests() const { return requests_; }
  const std::vector<LintRecord>& lints() const { return lints_; }
  const std::vector<MarkRecord>& marks() const { return marks_; }
  const std::vector<StuckRecord>& stuck() const { return stuck_; }
  const std::vector<PinInfo>& pins() const { return pins_; }
  const std::vector<StealRecord>& steals() const { return steals_; }

  // Bytes this index holds beyond the trace itself (the benchmark's "memory per event").
  std::size_t memory_bytes() const;

 private:
  const trace::Trace* trace_;
  RunInfo run_;
  std::vector<TaskInfo> tasks_;
  std::vector<std::uint32_t> slot_of_;  // task id -> slot, for the dense ids the runtime hands out
  std::unordered_map<std::uint32_t, std::uint32_t> sparse_slots_;  // ids far apart (hand-made traces)
  std::uint32_t sparse_slot(std::uint32_t id) const;
  std::vector<WakeEdge> wakes_;
  std::vector<FutureNodeInfo> future_nodes_;
  std::vector<ResourceInfo> resources_;
  std::unordered_map<std::uint32_t, std::uint32_t> resource_slot_of_;  // resource id -> slot
  std::vector<TimerInfo> timers_;
  std::vector<BlockingSpan> blocking_;
  std::vector<RequestInfo> requests_;
  std::vector<LintRecord> lints_;
  std::vector<MarkRecord> marks_;
  std::vector<StuckRecord> stuck_;
  std::vector<PinInfo> pins_;
  std::vector<StealRecord> steals_;
};

}  // namespace asynclab::vis
