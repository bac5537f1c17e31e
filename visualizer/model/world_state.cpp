// WorldState replay and the snapshot timeline. See world_state.hpp for the rules.
#include "model/world_state.hpp"

#include <algorithm>

#include "asynclab/trace/codec.hpp"

namespace asynclab::vis {

using trace::Event;
using trace::EventKind;
namespace ev = trace::ev;

const char* task_state_name(TaskState s) {
  switch (s) {
    case TaskState::not_spawned: return "not spawned";
    case TaskState::scheduled: return "scheduled";
    case TaskState::running: return "running";
    case TaskState::idle: return "idle";
    case TaskState::done: return "done";
    case TaskState::cancelled: return "cancelled";
    case TaskState::panicked: return "panicked";
  }
  return "?";
}

bool WorldState::operator==(const WorldState&) const = default;

std::string label_text(const trace::Trace& trace, std::uint32_t label) {
  return label == 0 || label > trace.size() ? std::string() : trace.value_label(trace[label - 1]);
}

void ChannelLabels::pop_front() {
  if (empty()) return;
  ++head_;
  if (head_ >= 32 && head_ * 2 >= ids_.size()) {
    ids_.erase(ids_.begin(), ids_.begin() + head_);
    head_ = 0;
  }
}

void ChannelLabels::resize_from_front(std::size_t n) {
  while (size() > n) pop_front();
  if (size() < n) ids_.insert(ids_.begin() + head_, n - size(), 0u);
}

// Equal when they hold the same labels: where the oldest one sits in the vector does not matter.
bool ChannelLabels::operator==(const ChannelLabels& o) const {
  return std::equal(ids_.begin() + head_, ids_.end(), o.ids_.begin() + o.head_, o.ids_.end());
}

bool has_workers(const RunInfo& run) {
  return run.flavor == 1 || (!run.asynclab_runtime && run.workers > 1);
}

WorldState initial_state(const TraceIndex& index) {
  WorldState s;
  s.tasks.resize(index.tasks().size());
  s.resources.resize(index.resources().size());
  s.blocking_busy.resize(index.run().blocking_lanes + 1u, 0);
  if (has_workers(index.run())) s.workers.resize(std::max<std::uint32_t>(index.run().workers, 1));
  if (!index.trace().empty()) s.clock_ns = index.trace()[0].time_ns;
  return s;
}

namespace {

template <class Container>
void erase_one(Container& c, std::uint32_t value) {
  // The executor takes from the front, so the common case costs nothing to find.
  if (!c.empty() && c.front() == value) {
    c.erase(c.begin());
    return;
  }
  if (auto it = std::find(c.begin(), c.end(), value); it != c.end()) c.erase(it);
}

// Puts a task in the queue it joins. `from_poll_on` is the worker whose poll scheduled it, or npos
// when no poll did (main, a timer, an outside wake). Current-thread traces have one queue; with
// simulated workers a poll's spawns and wakes go to its worker's local queue, the rest to the inject
// queue (the placement rules in world_state.hpp).
void schedule(WorldState& s, TaskNow& t, std::uint32_t id, std::uint32_t from_poll_on, bool block_on_future) {
  t.state = TaskState::scheduled;
  if (block_on_future) s.block_on_woken = id;
  else if (from_poll_on < s.workers.size()) s.workers[from_poll_on].local.push_back(id);
  else s.run_queue.push_back(id);
}

// The worker whose poll recorded `e`, if a poll did: spawns and wakes name the task that acted (the
// parent, the waker), and only a worker's poll has one (the run loop's timer wakes carry 0).
std::uint32_t polled_by(std::uint32_t acting_task, const Event& e) { return acting_task != 0 ? e.worker : npos; }

// Takes a task out of whichever queue holds it, looking first where it most likely is: the front
// of `worker`'s local queue (a worker takes from its own queue first), then the inject queue.
void unqueue(WorldState& s, std::uint32_t id, std::uint32_t worker) {
  if (s.workers.empty()) {
    erase_one(s.run_queue, id);
    return;
  }
  if (worker < s.workers.size()) {
    std::deque<std::uint32_t>& local = s.workers[worker].local;
    if (auto it = std::find(local.begin(), local.end(), id); it != local.end()) {
      local.erase(it);
      return;
    }
  }
  if (auto it = std::find(s.run_queue.begin(), s.run_queue.end(), id); it != s.run_queue.end()) {
    s.run_queue.erase(it);
    return;
  }
  for (WorkerNow& w : s.workers)
    if (auto it = std::find(w.local.begin(), w.local.end(), id); it != w.local.end()) {
      w.local.erase(it);
      return;
    }
}


// Where `a` goes in timers sorted by (deadline, id): after every timer that is not later. Written
// without branches on the comparisons (the compiler uses conditional moves): deadlines arrive in no
// particular order, so a branchy binary search mispredicted most of its steps, and arming timers
// is one of the commonest events.
std::size_t insertion_point(const std::vector<ArmedTimer>& timers, const ArmedTimer& a) {
  std::size_t first = 0, len = timers.size();
  while (len > 0) {
    const std::size_t half = len / 2;
    const ArmedTimer& x = timers[first + half];
    const bool after = x.deadline_ns < a.deadline_ns || (x.deadline_ns == a.deadline_ns && x.id <= a.id);
    first = after ? first + half + 1 : first;
    len = after ? len - half - 1 : half;
  }
  return first;
}

// Removes timer `id` (there is at most one: arming removes a leftover first). A timer fires in
// deadline order, so the search usually stops at the front.
void disarm(WorldState& s, std::uint32_t id) {
  auto it = std::find_if(s.timers.begin(), s.timers.end(), [&](const ArmedTimer& a) { return a.id == id; });
  if (it != s.timers.end()) s.timers.erase(it);
}

}  // namespace

void apply(const TraceIndex& index, WorldState& s) {
  const Event e = index.trace()[s.cursor];
  ++s.cursor;
  s.clock_ns = e.time_ns;
  const std::uint32_t slot = index.task_slot(e.task);
  TaskNow* t = slot != npos && slot < s.tasks.size() ? &s.tasks[slot] : nullptr;
  // Only resource events carry a resource id in `a`; looking `a` up for every event (a hash lookup)
  // took about a third of a replay's time.
  const std::optional<std::uint32_t> resource = trace::resource_of(e);
  const std::uint32_t rslot = resource ? index.resource_slot(*resource) : npos;
  ResourceNow* r = rslot != npos && rslot < s.resources.size() ? &s.resources[rslot] : nullptr;

  // block_on's own future on the current-thread loop: never in the queue (see the rules).
  const bool block_on_future = s.workers.empty() && index.run().asynclab_runtime && slot != npos &&
                               slot < index.tasks().size() && index.tasks()[slot].parent == 0;

  const trace::ResourceKind rkind = r ? index.resources()[rslot].kind : trace::ResourceKind{};
  trace::visit(e, trace::overloaded{
    [&](const ev::TaskSpawned& x) {
      if (t && t->state == TaskState::not_spawned) schedule(s, *t, x.task, polled_by(x.parent, e), block_on_future);
    },
    [&](const ev::PollBegin& x) {
      if (!t) return;
      if (s.block_on_woken == x.task) s.block_on_woken = 0;
      else unqueue(s, x.task, e.worker);
      t->state = TaskState::running;
      t->notified = false;
      ++t->polls;
      s.running = x.task;
      if (e.worker < s.workers.size()) s.workers[e.worker].running = x.task;
    },
    [&](const ev::PollEnd& x) {
      if (s.running == x.task) s.running = 0;
      if (e.worker < s.workers.size() && s.workers[e.worker].running == x.task) s.workers[e.worker].running = 0;
      if (!t) return;
      if (x.result != trace::PollResult::pending) return;  // completion follows
      t->parked_at = x.shown_at();  // the learner's own line when the innermost await is asynclab's
      if (t->waiting_in == npos) t->waiting_in = 0;  // no combinator around the wait: the task's own
      if (t->notified) {
        t->notified = false;
        schedule(s, *t, x.task, e.worker, block_on_future);  // back to the queue of the worker that ran it
      } else {
        t->state = TaskState::idle;
      }
    },
    [&](const ev::Wake& x) {
      if (!t) return;
      if (t->state == TaskState::running) t->notified = true;
      else if (t->state == TaskState::idle) schedule(s, *t, x.woken, polled_by(x.by, e), block_on_future);
    },
    [&](const ev::TaskCompleted& x) {
      if (!t) return;
      if (s.block_on_woken == x.task) s.block_on_woken = 0;
      unqueue(s, x.task, e.worker);
      for (WorkerNow& w : s.workers)
        if (w.running == x.task) w.running = 0;
      switch (x.outcome) {
        case trace::Outcome::ok: t->state = TaskState::done; break;
        case trace::Outcome::panicked: t->state = TaskState::panicked; break;
        case trace::Outcome::cancelled: t->state = TaskState::cancelled; break;
      }
      // A task cancelled while queued for a lock leaves the queue with its lock future; the runtime
      // records no separate event for that.
      if (t->waiting_on) {
        const std::uint32_t waited = index.resource_slot(t->waiting_on);
        if (waited != npos && waited < s.resources.size()) erase_one(s.resources[waited].waiters, x.task);
      }
      t->notified = false;
      t->waiting_on = 0;
      t->waiting_in = 0;
      t->parked_at = 0;
      if (s.running == x.task) s.running = 0;
    },
    [&](const ev::TimerArmed& x) {
      disarm(s, x.timer);  // a reused slot
      const ArmedTimer armed{x.timer, x.owner, e.time_ns + std::uint64_t{x.delay_us} * 1000};
      s.timers.insert(s.timers.begin() + static_cast<std::ptrdiff_t>(insertion_point(s.timers, armed)), armed);
    },
    [&](const ev::TimerFired& x) { disarm(s, x.timer); },
    [&](const ev::TimerCancelled& x) { disarm(s, x.timer); },
    [&](const ev::RuntimeStopped&) {
      s.stopped = true;
      s.running = 0;
      for (WorkerNow& w : s.workers) w.running = 0;
      s.timers.clear();  // shutdown drops whatever was still armed
    },
    [&](const ev::ResourceCreated&) {
      if (r) *r = ResourceNow{};
    },
    [&](const ev::ResourceLimits& x) {
      if (r && rkind == trace::ResourceKind::semaphore) r->permits = x.limit;
    },
    [&](const ev::ResourceDropped&) {
      if (r) r->dropped = true;
    },
    [&](const ev::ChannelValue& x) {
      if (!r) return;
      r->label_held = static_cast<std::uint32_t>(s.cursor);  // this event's index plus one: its reference
      r->label_sender = x.task;
    },
    [&](const ev::ChannelSend& x) {
      if (!r) return;
      const std::uint32_t label = r->label_sender == x.task ? r->label_held : 0;
      if (r->label_sender == x.task) r->label_held = r->label_sender = 0;
      if (x.result != trace::SendResult::sent) return;
      r->buffered = x.buffered;
      ++r->sends;
      r->labels.push_back(label);
      r->labels.resize_from_front(rkind == trace::ResourceKind::watch ? 1 : x.buffered);
    },
    [&](const ev::ChannelRecv& x) {
      if (!r || x.result != trace::RecvResult::received) return;
      ++r->recvs;
      // A watch or broadcast receive takes nothing out of the channel: what it holds is what the
      // sends said (its count is this receiver's own unread count, not the channel's).
      if (rkind == trace::ResourceKind::watch || rkind == trace::ResourceKind::broadcast) return;
      r->buffered = x.count;
      r->labels.pop_front();
      r->labels.resize_from_front(x.count);
    },
    [&](const ev::ChannelClosed&) {
      if (r) r->closed = true;
    },
    [&](const ev::LockWaiting& x) {
      if (r && std::find(r->waiters.begin(), r->waiters.end(), x.task) == r->waiters.end()) r->waiters.push_back(x.task);
      if (t) {
        t->waiting_on = x.resource;
        t->waiting_in = npos;  // the next future_polled of this poll names the branch around it
      }
    },
    [&](const ev::LockAcquired& x) {
      if (r) {
        erase_one(r->waiters, x.task);
        r->holders.push_back(x.task);
        if (rkind == trace::ResourceKind::semaphore) r->permits = x.permits_left;
      }
      if (t) {
        t->waiting_on = 0;
        t->waiting_in = 0;
      }
    },
    [&](const ev::LockReleased& x) {
      if (!r) return;
      // A guard may be released by a task other than the one that took it (guards move); a mutex
      // has one holder either way.
      if (auto it = std::find(r->holders.begin(), r->holders.end(), x.task); it != r->holders.end())
        r->holders.erase(it);
      else if (!r->holders.empty())
        r->holders.erase(r->holders.begin());
      if (rkind == trace::ResourceKind::semaphore) r->permits = x.permits_left;
    },
    [&](const ev::BlockingBegin& x) {
      if (x.lane == 0 && e.worker < s.workers.size()) {  // sim::block_for holds this worker alone
        s.workers[e.worker].blocked = x.task;
        return;
      }
      if (x.lane >= s.blocking_busy.size()) s.blocking_busy.resize(x.lane + 1u, 0);
      s.blocking_busy[x.lane] = x.task;
    },
    [&](const ev::BlockingEnd& x) {
      if (x.lane == 0 && e.worker < s.workers.size()) {
        s.workers[e.worker].blocked = 0;
        return;
      }
      if (x.lane < s.blocking_busy.size()) s.blocking_busy[x.lane] = 0;
    },
    [&](const ev::FuturePolled& x) {
      if (t && t->waiting_in == npos) t->waiting_in = x.node;
    },
    [&](const ev::FutureDropped& x) {
      // The branch holding a lock wait dropped mid-flight: the wait is abandoned (see the rules).
      if (t && t->waiting_on && x.end == trace::FutureEnd::cancelled && t->waiting_in == x.node) {
        const std::uint32_t waited = index.resource_slot(t->waiting_on);
        if (waited != npos && waited < s.resources.size()) erase_one(s.resources[waited].waiters, x.task);
        t->waiting_on = 0;
        t->waiting_in = 0;
      }
    },
    [&](const ev::TaskStolen& x) {
      // The thief takes the task from the victim's queue to the back of its own. A task aborted while
      // idle is queued by the runtime with no event, so a steal may be the first sign it is queued.
      if (!t || x.to_worker >= s.workers.size()) return;
      unqueue(s, x.task, x.from_worker);
      s.workers[x.to_worker].local.push_back(x.task);
      if (t->state == TaskState::idle) t->state = TaskState::scheduled;
    },
    // Nothing else changes the world the picture shows: wakers, the clock, marks, lints, pins,
    // requests and the deadlock report are read from the TraceIndex.
    [](const auto&) {},
  });
}

namespace {

std::size_t snapshot_bytes(const WorldState& s) {
  std::size_t bytes = sizeof(WorldState) + s.tasks.capacity() * sizeof(TaskNow) +
                      s.run_queue.size() * sizeof(std::uint32_t) + s.timers.capacity() * sizeof(ArmedTimer) +
                      s.blocking_busy.capacity() * sizeof(std::uint32_t);
  for (const WorkerNow& w : s.workers) bytes += sizeof(WorkerNow) + w.local.size() * sizeof(std::uint32_t);
  for (const ResourceNow& r : s.resources)
    bytes += sizeof(ResourceNow) + (r.holders.capacity() + r.waiters.capacity()) * sizeof(std::uint32_t) +
             r.labels.memory_bytes();
  return bytes;
}

}  // namespace

StateTimeline::StateTimeline(const TraceIndex& index, std::size_t stride, std::size_t fine_stride)
    : index_(&index), stride_(stride), fine_stride_(std::max<std::size_t>(fine_stride, 1)) {
  WorldState s = initial_state(index);
  if (stride_ == 0) {
    // Snapshots should cost about 2 bytes per event: the bigger the world (tasks, resources), the
    // further apart they are. Replaying a stride is still well under a millisecond.
    stride_ = std::max<std::size_t>(4096, snapshot_bytes(s) / 2);
  }
  const std::size_t n = index.trace().size();
  snapshots_.reserve(n / stride_ + 1);
  snapshots_.push_back(s);
  while (s.cursor < n) {
    apply(index, s);
    if (s.cursor % stride_ == 0) snapshots_.push_back(s);
  }
}

WorldState StateTimeline::state_at(std::size_t cursor) const {
  WorldState s = snapshots_.front();
  seek(s, cursor);
  return s;
}

void StateTimeline::seek(WorldState& state, std::size_t cursor) const {
  cursor = std::min(cursor, index_->trace().size());
  // The closest known state at or before the cursor: a snapshot, a checkpoint, or `state` itself.
  const WorldState* start = &snapshots_[std::min(cursor / stride_, snapshots_.size() - 1)];
  for (const WorldState& c : checkpoints_)
    if (c.cursor <= cursor && c.cursor > start->cursor) start = &c;
  // Checkpoints pay off for a learner stepping back: leave them only when going backwards, so a
  // forward jump (dragging the slider ahead, playing) costs no copies.
  const bool backwards = state.cursor > cursor;
  if (!(state.cursor <= cursor && state.cursor >= start->cursor)) state = *start;
  const bool leave_checkpoints = backwards && stride_ > fine_stride_ && cursor - state.cursor > fine_stride_;
  while (state.cursor < cursor) {
    apply(*index_, state);
    // Only the stretch just before the target is worth keeping: that is where stepping back goes.
    if (leave_checkpoints && state.cursor % fine_stride_ == 0 && state.cursor % stride_ != 0 &&
        cursor - state.cursor < max_checkpoints * fine_stride_ &&
        std::none_of(checkpoints_.begin(), checkpoints_.end(), [&](const WorldState& c) { return c.cursor == state.cursor; })) {
      if (checkpoints_.size() == max_checkpoints) checkpoints_.erase(checkpoints_.begin());
      checkpoints_.push_back(state);
    }
  }
}

std::size_t StateTimeline::memory_bytes() const {
  std::size_t bytes = sizeof(*this);
  for (const WorldState& s : snapshots_) bytes += snapshot_bytes(s);
  for (const WorldState& s : checkpoints_) bytes += snapshot_bytes(s);
  return bytes;
}

}  // namespace asynclab::vis
