#pragma once
// WorldState: what the runtime looked like just before event i — every task's state, the run queue
// in order, armed timers, each channel's buffered count, each lock's holders and waiters, the clock.
// StateTimeline answers "state at cursor i" for any i quickly.
//
// Rules:
// * A WorldState is built only by apply(): replaying events [0, i) one by one from the empty state.
//   There is no other way to change it, so "seek equals replay" holds by construction — and a test
//   checks it anyway on random cursors.
// * The cursor i means "events [0, i) have happened": state_at(0) is before anything, state_at(size)
//   is the end of the run.
// * StateTimeline keeps a snapshot every `stride` events and replays at most stride-1 events on top
//   of the nearest one; the stride grows with the task count so snapshots cost a few bytes per event.
// * A lock wait ends when the task acquires, when the task ends, or when the future waiting is
//   dropped (a select it lost, a timeout, an outer branch cancelled). The lock records nothing for
//   that drop (sync/mutex.hpp, semaphore.hpp: the future just leaves the queue), but the combinator
//   does: future_dropped, mid-flight, of the branch holding the wait — a combinator dropped
//   mid-flight records each of its live branches, innermost included (detail/future_tree.hpp). So a
//   wait is tied to the first branch polled after its lock_waiting, and leaves the waiters when that
//   branch is dropped mid-flight. A lock future dropped outside any combinator is not seen.
// * Multi-worker traces (run().flavor == 1, the simulated multi_thread flavor): `workers` holds one
//   entry per worker — the task it polls, its local queue in order, the task blocking it — and
//   `run_queue` is the global inject queue. Where a task goes is read from the events alone, by the
//   runtime's placement rules (detail/scheduler.hpp, "Simulated workers"): a task spawned or woken
//   from a poll (the event's `a`, the running task, is not 0) goes to the local queue of the event's
//   worker; anything else (main, timer wakes, outside wakes) to the inject queue; a task woken while
//   it runs goes back to the local queue of the worker that ran it; a steal moves a task from the
//   victim's local queue to the back of the thief's. Current-thread traces leave `workers` empty.
//   A trace no asynclab runtime recorded (a Tokio program through bridges/tokio) whose events name
//   more than one worker is shown the same way: which task each worker polls is exact, and the
//   queues follow the same rules, which are tokio's too (its LIFO slot is not told apart).
// * Current-thread traces of asynclab's own runtime (RunInfo::asynclab_runtime): a task spawned
//   outside any task (the spawn's `a` is 0) is block_on's own future. The runtime never queues it (detail/scheduler.hpp): a wake makes it `block_on_woken`,
//   scheduled but in no queue, until the loop polls it once the queue has drained.
// * Channel values (channel_value, trace/value_label.hpp): a channel keeps the labels (label
//   references, see ChannelLabels; 0: no label) of the values it holds, oldest first. A channel_value is held back until the same
//   task's next channel_send on that channel: a send that sent adds it (or 0 when none came first).
//   mpsc and oneshot are FIFO: a received recv takes the oldest. A watch holds one value: a send
//   replaces it. A broadcast keeps the last `buffered` values sent (its recvs count what one receiver
//   still has to read, so they leave the labels alone). The event's count is the truth: when it and
//   the labels disagree (a trace cut short, values sent before recording began) the oldest labels are
//   dropped, or blank ones put in front, until they match.
// * Stepping back must stay quick even when the stride is long (a big trace): a backward seek that
//   replays leaves checkpoints every `fine_stride` events over the stretch before its target (a few
//   dozen kept), so the next step back replays at most fine_stride events. They are a cache: seek
//   results never depend on them.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "model/trace_index.hpp"

namespace asynclab::vis {

enum class TaskState : std::uint8_t {
  not_spawned = 0,
  scheduled,  // runnable, in the run queue
  running,    // being polled right now
  idle,       // pending, waiting for a wake
  done,
  cancelled,
  panicked,
};
const char* task_state_name(TaskState s);

struct TaskNow {
  TaskState state = TaskState::not_spawned;
  bool notified = false;        // woken while running: goes back in the queue when the poll ends
  std::uint32_t parked_at = 0;  // location id of the await it is parked at (idle tasks), 0: none — the
                                // innermost in the program's own code (poll_end's a, else its b)
  std::uint32_t polls = 0;
  std::uint32_t waiting_on = 0;  // resource id it waits on (lock_waiting), 0: none
  // The combinator branch (future node id) its lock wait sits in, 0: the task's own future; npos
  // between the lock_waiting and the first future_polled of that poll, which names the innermost
  // branch around the wait. Dropping that branch mid-flight abandons the wait (see the rules).
  std::uint32_t waiting_in = 0;
  bool operator==(const TaskNow&) const = default;
};

struct ArmedTimer {
  std::uint32_t id = 0;
  std::uint32_t owner = 0;
  std::uint64_t deadline_ns = 0;
  bool operator==(const ArmedTimer&) const = default;
};

// The labels of a channel's values, oldest first, each as a label reference: the index of the
// channel_value event that recorded it, plus one (0: a value with no label); label_text gives the
// text. (Not the string id: an integer's label is the value itself, kept in its event.) A FIFO
// over a vector: taking the oldest moves `head` instead of shifting, and the vector is compacted
// once most of it is taken, so a snapshot of a long-lived channel costs about what it holds now.
class ChannelLabels {
 public:
  std::size_t size() const { return ids_.size() - head_; }
  bool empty() const { return size() == 0; }
  std::uint32_t operator[](std::size_t i) const { return ids_[head_ + i]; }
  void push_back(std::uint32_t id) { ids_.push_back(id); }
  void pop_front();
  // Drops the oldest labels, or puts blank ones in front, until exactly `n` are left.
  void resize_from_front(std::size_t n);
  void clear() {
    ids_.clear();
    head_ = 0;
  }
  std::size_t memory_bytes() const { return ids_.capacity() * sizeof(std::uint32_t); }
  bool operator==(const ChannelLabels& o) const;

 private:
  std::vector<std::uint32_t> ids_;
  std::uint32_t head_ = 0;
};

// The text of a label reference (ChannelLabels, ResourceNow::label_held): the label its
// channel_value recorded, or "" for 0.
std::string label_text(const trace::Trace& trace, std::uint32_t label);

struct ResourceNow {
  std::uint32_t buffered = 0;             // channels: values in the buffer
  ChannelLabels labels;                  // channels: labels of the values held, oldest first (see the rules)
  std::uint32_t label_held = 0;          // a channel_value waiting for its sender's channel_send, as a
                                         // label reference (see ChannelLabels; 0: none)
  std::uint32_t label_sender = 0;        // the task that recorded label_held
  std::uint32_t permits = 0;              // semaphore: permits left
  bool closed = false;
  bool dropped = false;
  std::vector<std::uint32_t> holders;    // mutex: at most one task; semaphore: tasks holding permits
  std::vector<std::uint32_t> waiters;    // tasks waiting to lock / acquire, in arrival order
  std::uint32_t sends = 0;
  std::uint32_t recvs = 0;
  bool operator==(const ResourceNow&) const = default;
};

// One simulated worker of a multi-worker trace.
struct WorkerNow {
  std::uint32_t running = 0;           // task it is polling (0: none)
  std::uint32_t blocked = 0;           // task whose poll holds it in sim::block_for (0: none)
  std::deque<std::uint32_t> local;     // its local run queue, front first (the front runs next)
  bool operator==(const WorkerNow&) const = default;
};

struct WorldState {
  std::size_t cursor = 0;  // events [0, cursor) applied
  std::uint64_t clock_ns = 0;
  std::uint32_t running = 0;                 // task being polled (0: none); multi-worker: the latest poll begun
  std::vector<TaskNow> tasks;                // by task slot
  std::deque<std::uint32_t> run_queue;       // task ids, front first; multi-worker: the inject queue
  std::uint32_t block_on_woken = 0;          // current-thread: block_on's future, woken, waiting for the
                                             // queue to drain (0: none; see the rules)
  std::vector<WorkerNow> workers;            // multi-worker traces only, by worker number (see the rules)
  std::vector<ArmedTimer> timers;            // by deadline
  std::vector<ResourceNow> resources;        // by resource slot
  std::vector<std::uint32_t> blocking_busy;  // lane -> task holding it (0: free); index 0: the worker
                                             // (current-thread only: a blocked worker is in `workers`)
  bool stopped = false;

  bool operator==(const WorldState&) const;
};

// Applies event `i` of the index's trace to `state` (which must be at cursor i).
void apply(const TraceIndex& index, WorldState& state);
// The state before anything happened, sized for this index.
// Whether the world of this run is drawn per worker (see the rules): the simulated multi_thread
// flavor, or a foreign trace whose events name more than one worker.
bool has_workers(const RunInfo& run);

WorldState initial_state(const TraceIndex& index);

class StateTimeline {
 public:
  static constexpr std::size_t default_fine_stride = 4096;
  static constexpr std::size_t max_checkpoints = 32;
  explicit StateTimeline(const TraceIndex& index, std::size_t stride = 0,  // 0: choose
                         std::size_t fine_stride = default_fine_stride);
  // The state with events [0, cursor) applied; cursor is clamped to the trace size.
  WorldState state_at(std::size_t cursor) const;
  // Moves `state` to `cursor`, replaying forward when that is shorter than restoring a snapshot.
  void seek(WorldState& state, std::size_t cursor) const;
  std::size_t stride() const { return stride_; }
  std::size_t memory_bytes() const;

 private:
  const TraceIndex* index_;
  std::size_t stride_;
  std::size_t fine_stride_;
  std::vector<WorldState> snapshots_;  // snapshots_[k] is at cursor k * stride_
  mutable std::vector<WorldState> checkpoints_;  // recent states at multiples of fine_stride_, oldest first
};

}  // namespace asynclab::vis
