// TraceIndex: a counting pass sizes every list, then one pass over the events fills every per-task
// and per-resource list. See trace_index.hpp for the rules.
#include "model/trace_index.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace asynclab::vis {

using trace::Event;
using trace::EventKind;

namespace {

// Task ids the runtime hands out are dense; a table indexed by id serves them. Ids beyond this
// distance from the tasks seen so far go to a map instead of growing the table to match.
constexpr std::uint32_t dense_id_slack = 1u << 16;

// What the indexer remembers about a task between events, to split its life into busy, scheduled
// and idle time as tokio-console does.
struct TaskClock {
  enum Phase : std::uint8_t { scheduled, running, idle, done } phase = scheduled;
  bool notified = false;  // woken while running: scheduled again when the poll ends
  std::uint64_t since_ns = 0;
};

// id -> index while indexing, for ids the runtime hands out densely (timer slots, future nodes,
// requests, resources): a table indexed by id — hash lookups stood near the top of a profile of a
// 10M-event trace — with a map for ids beyond `dense_limit` (hand-made or hostile traces).
class IdMap {
 public:
  explicit IdMap(std::size_t dense_limit) : dense_limit_(dense_limit) {}
  std::uint32_t find(std::uint32_t id) const {
    if (id < dense_.size()) return dense_[id];
    if (id < dense_limit_ || sparse_.empty()) return npos;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? npos : it->second;
  }
  void set(std::uint32_t id, std::uint32_t value) {
    if (id >= dense_limit_) {
      sparse_[id] = value;
      return;
    }
    if (id >= dense_.size()) dense_.resize(std::max<std::size_t>(id + std::size_t{1}, dense_.size() * 2), npos);
    dense_[id] = value;
  }
  void erase(std::uint32_t id) {
    if (id < dense_.size()) dense_[id] = npos;
    else if (id >= dense_limit_) sparse_.erase(id);
  }

 private:
  std::size_t dense_limit_;
  std::vector<std::uint32_t> dense_;
  std::unordered_map<std::uint32_t, std::uint32_t> sparse_;
};

// How many entries each list will hold, counted in a first pass so that every vector is allocated
// once at its final size: growing by doubling copied the data again on the way and left about a
// fifth of the index as unused capacity. Per-task and per-resource counts are kept for dense ids only.
struct ListSizes {
  std::size_t of_kind[static_cast<std::size_t>(EventKind::kind_count_) + 1] = {};
  std::vector<std::uint32_t> polls, wakes, nodes;  // by task id
  std::vector<std::uint32_t> resource_events;      // by resource id

  ListSizes(const trace::Trace& trace, std::size_t dense_limit) {
    auto bump = [&](std::vector<std::uint32_t>& counts, std::uint32_t id) {
      if (id >= dense_limit) return;
      if (id >= counts.size()) counts.resize(std::max<std::size_t>(id + std::size_t{1}, counts.size() * 2), 0);
      ++counts[id];
    };
    for (std::size_t i = 0, n = trace.size(); i < n; ++i) {
      const Event e = trace[i];
      const auto k = static_cast<std::size_t>(e.kind);
      if (k < std::size(of_kind)) ++of_kind[k];
      switch (e.kind) {
        case EventKind::poll_begin: bump(polls, e.task); break;
        case EventKind::wake: bump(wakes, e.task); break;
        case EventKind::future_created: bump(nodes, e.task); break;
        default:
          if (trace::is_resource_event(e.kind)) bump(resource_events, e.a);
          break;
      }
    }
  }
  std::size_t of(EventKind k) const { return of_kind[static_cast<std::size_t>(k)]; }
  static std::uint32_t at(const std::vector<std::uint32_t>& counts, std::uint32_t id) {
    return id < counts.size() ? counts[id] : 0;
  }
};

}  // namespace

std::uint32_t TraceIndex::sparse_slot(std::uint32_t id) const {
  auto it = sparse_slots_.find(id);
  return it == sparse_slots_.end() ? npos : it->second;
}

std::uint32_t TraceIndex::resource_slot(std::uint32_t id) const {
  auto it = resource_slot_of_.find(id);
  return it == resource_slot_of_.end() ? npos : it->second;
}

std::string TraceIndex::task_label(std::uint32_t id) const {
  if (id == 0) return "runtime";
  if (const TaskInfo* t = task(id)) return t->name;
  return trace_->task_name(id);
}

std::uint32_t TraceIndex::find_task(std::string_view name) const {
  for (const TaskInfo& t : tasks_)
    if (t.name == name) return t.id;
  return npos;
}

std::uint32_t TraceIndex::find_resource(std::string_view name) const {
  for (const ResourceInfo& r : resources_)
    if (r.name == name) return r.id;
  return npos;
}

TraceIndex::TraceIndex(const trace::Trace& trace) : trace_(&trace) {
  const std::size_t n = trace.size();
  // Ids handed out densely stay below the number of events (plus the slack tasks get).
  const std::size_t dense_limit = n + dense_id_slack;
  const ListSizes sizes(trace, dense_limit);
  tasks_.reserve(sizes.of(EventKind::task_spawned));
  wakes_.reserve(sizes.of(EventKind::wake));
  future_nodes_.reserve(sizes.of(EventKind::future_created));
  resources_.reserve(sizes.of(EventKind::resource_created));
  timers_.reserve(sizes.of(EventKind::timer_armed));
  blocking_.reserve(sizes.of(EventKind::blocking_begin));
  requests_.reserve(sizes.of(EventKind::request_begin));
  lints_.reserve(sizes.of(EventKind::lint));
  marks_.reserve(sizes.of(EventKind::mark));
  stuck_.reserve(sizes.of(EventKind::stuck_wait));

  std::vector<TaskClock> clocks;
  clocks.reserve(tasks_.capacity());
  IdMap node_slot(dense_limit);      // future node id -> index
  IdMap open_timer(dense_limit);     // timer slot id -> index
  std::unordered_map<std::uint64_t, std::uint32_t> open_blocking;  // (lane, job) -> index
  IdMap open_request(dense_limit);   // request id -> index
  IdMap resource_of(dense_limit);    // resource id -> slot (resource_slot_of_ answers the same, by hash)

  auto slot_for = [&](std::uint32_t id) -> std::uint32_t { return task_slot(id); };
  // Moves a task's clock to a new phase, charging the time spent in the old one.
  auto enter = [&](std::uint32_t slot, TaskClock::Phase phase, std::uint64_t now) {
    TaskClock& c = clocks[slot];
    TaskInfo& t = tasks_[slot];
    const std::uint64_t spent = now > c.since_ns ? now - c.since_ns : 0;
    switch (c.phase) {
      case TaskClock::scheduled: t.scheduled_ns += spent; break;
      case TaskClock::running: t.busy_ns += spent; break;
      case TaskClock::idle: t.idle_ns += spent; break;
      case TaskClock::done: break;
    }
    c.phase = phase;
    c.since_ns = now;
  };

  if (n > 0) run_.start_ns = trace[0].time_ns;
  for (std::size_t i = 0; i < n; ++i) {
    const Event e = trace[i];
    const auto ev = static_cast<EventIndex>(i);
    run_.end_ns = e.time_ns;
    if (e.worker + 1u > run_.workers) run_.workers = e.worker + 1u;
    switch (e.kind) {
      case EventKind::task_stolen:
        steals_.push_back(StealRecord{ev, e.time_ns, e.task, e.a, e.b});
        break;
      case EventKind::runtime_started:
        run_.asynclab_runtime = true;
        run_.virtual_time = (e.flags & 1) != 0;
        run_.flavor = static_cast<std::uint8_t>(e.flags >> 1);
        run_.seed = (std::uint64_t{e.b} << 32) | e.a;
        break;
      case EventKind::task_spawned: {
        if (task_slot(e.task) != npos) break;  // a malformed trace spawning an id twice: keep the first
        const auto slot = static_cast<std::uint32_t>(tasks_.size());
        if (e.task < slot_of_.size() + dense_id_slack) {
          if (slot_of_.size() <= e.task) slot_of_.resize(e.task + 1, npos);
          slot_of_[e.task] = slot;
        } else {
          sparse_slots_.emplace(e.task, slot);
        }
        TaskInfo t;
        t.id = e.task;
        t.polls.reserve(ListSizes::at(sizes.polls, e.task));
        t.wakes_received.reserve(ListSizes::at(sizes.wakes, e.task));
        t.future_nodes.reserve(ListSizes::at(sizes.nodes, e.task));
        t.name = trace.task_name(e.task);
        t.parent = e.a;
        t.spawn_location = trace.site(e.b).location;
        t.spawned_event = ev;
        t.spawned_ns = e.time_ns;
        tasks_.push_back(std::move(t));
        clocks.push_back(TaskClock{TaskClock::scheduled, false, e.time_ns});
        break;
      }
      case EventKind::poll_begin: {
        const std::uint32_t s = slot_for(e.task);
        if (s == npos) break;
        enter(s, TaskClock::running, e.time_ns);
        clocks[s].notified = false;
        PollSpan p;
        p.begin_ns = p.end_ns = e.time_ns;
        p.begin_event = ev;
        p.end_event = npos;
        tasks_[s].polls.push_back(p);
        break;
      }
      case EventKind::poll_end: {
        const std::uint32_t s = slot_for(e.task);
        if (s == npos || tasks_[s].polls.empty()) break;
        PollSpan& p = tasks_[s].polls.back();
        if (p.end_event != npos) break;  // a poll_end without its begin
        p.end_ns = e.time_ns;
        p.end_event = ev;
        p.result = static_cast<trace::PollResult>(e.flags);
        p.parked_at = e.a ? e.a : e.b;  // the learner's own line first (trace/event.hpp)
        if (p.result == trace::PollResult::pending)
          enter(s, clocks[s].notified ? TaskClock::scheduled : TaskClock::idle, e.time_ns);
        break;
      }
      case EventKind::waker_cloned:
        if (const std::uint32_t s = slot_for(e.task); s != npos) ++tasks_[s].waker_clones;
        break;
      case EventKind::waker_dropped:
        if (const std::uint32_t s = slot_for(e.task); s != npos) ++tasks_[s].waker_drops;
        break;
      case EventKind::wake: {
        WakeEdge w;
        w.time_ns = e.time_ns;
        w.event = ev;
        w.from_task = e.a;
        w.to_task = e.task;
        w.source = static_cast<trace::WakeSource>(e.flags & trace::wake_flag::source_mask);
        w.self = (e.flags & trace::wake_flag::self) != 0;
        w.by_ref = (e.flags & trace::wake_flag::by_ref) != 0;
        const std::uint32_t s = slot_for(e.task);
        if (s != npos) {
          TaskInfo& t = tasks_[s];
          ++t.wakes;
          if (w.self) ++t.self_wakes;
          t.wakes_received.push_back(static_cast<std::uint32_t>(wakes_.size()));
          if (clocks[s].phase == TaskClock::running) clocks[s].notified = true;
          else if (clocks[s].phase == TaskClock::idle) enter(s, TaskClock::scheduled, e.time_ns);
        }
        wakes_.push_back(w);
        break;
      }
      case EventKind::task_completed: {
        const std::uint32_t s = slot_for(e.task);
        if (s == npos) break;
        enter(s, TaskClock::done, e.time_ns);
        tasks_[s].completed_event = ev;
        tasks_[s].completed_ns = e.time_ns;
        tasks_[s].outcome = static_cast<trace::Outcome>(e.flags);
        break;
      }
      case EventKind::future_created: {
        FutureNodeInfo f;
        f.task = e.task;
        f.node = e.a;
        f.parent = e.b;
        f.kind = static_cast<trace::FutureNode>(e.flags & 0xff);
        f.branch = static_cast<std::uint16_t>(e.flags >> 8);
        f.created_event = ev;
        const auto idx = static_cast<std::uint32_t>(future_nodes_.size());
        node_slot.set(e.a, idx);
        if (const std::uint32_t s = slot_for(e.task); s != npos) tasks_[s].future_nodes.push_back(idx);
        future_nodes_.push_back(f);
        break;
      }
      case EventKind::future_polled:
        if (const std::uint32_t f = node_slot.find(e.a); f != npos) {
          ++future_nodes_[f].polls;
          if (e.flags & 1) future_nodes_[f].completed = true;
        }
        break;
      case EventKind::future_dropped:
        if (const std::uint32_t f = node_slot.find(e.a); f != npos) {
          future_nodes_[f].dropped_event = ev;
          if (e.flags & 1) future_nodes_[f].completed = true;
          // A reader that does not know a newer way to end keeps its low bit: answered Ready or not.
          future_nodes_[f].end = e.flags <= trace::future_end_last ? static_cast<trace::FutureEnd>(e.flags)
                                 : (e.flags & 1)                   ? trace::FutureEnd::completed
                                                                   : trace::FutureEnd::cancelled;
          node_slot.erase(e.a);  // node ids may be reused once dropped
        }
        break;
      case EventKind::timer_armed: {
        TimerInfo t;
        t.id = e.a;
        t.owner = e.task;
        t.armed_event = ev;
        t.armed_ns = e.time_ns;
        t.deadline_ns = e.time_ns + std::uint64_t{e.b} * 1000;
        open_timer.set(e.a, static_cast<std::uint32_t>(timers_.size()));
        timers_.push_back(t);
        break;
      }
      case EventKind::timer_fired:
        if (const std::uint32_t tm = open_timer.find(e.a); tm != npos) {
          timers_[tm].fired_event = ev;
          timers_[tm].deadline_ns = e.time_ns;  // exact, where the armed delay was rounded to µs
          open_timer.erase(e.a);
        }
        break;
      case EventKind::timer_cancelled:
        if (const std::uint32_t tm = open_timer.find(e.a); tm != npos) {
          timers_[tm].cancelled_event = ev;
          open_timer.erase(e.a);
        }
        break;
      case EventKind::lint: {
        LintRecord l{ev, e.time_ns, e.task, static_cast<trace::LintKind>(e.flags), e.a, e.b};
        lints_.push_back(l);
        if (const std::uint32_t s = slot_for(e.task); s != npos) ++tasks_[s].lints;
        break;
      }
      case EventKind::mark:
        marks_.push_back(MarkRecord{ev, e.time_ns, e.task, std::string(trace.string(e.b))});
        break;
      case EventKind::runtime_stopped:
        run_.stopped = true;
        run_.stop_reason = static_cast<trace::StopReason>(e.flags);
        break;
      case EventKind::resource_created: {
        ResourceInfo r;
        r.id = e.a;
        r.kind = static_cast<trace::ResourceKind>(e.flags);
        r.name = std::string(trace.string(e.b));
        r.creator = e.task;
        r.created_event = ev;
        r.events.reserve(ListSizes::at(sizes.resource_events, e.a));
        r.events.push_back(ev);
        resource_of.set(e.a, static_cast<std::uint32_t>(resources_.size()));
        resource_slot_of_[e.a] = static_cast<std::uint32_t>(resources_.size());
        resources_.push_back(std::move(r));
        break;
      }
      case EventKind::resource_limits:
      case EventKind::resource_dropped:
      case EventKind::channel_send:
      case EventKind::channel_recv:
      case EventKind::channel_closed:
      case EventKind::channel_value:
      case EventKind::lock_waiting:
      case EventKind::lock_acquired:
      case EventKind::lock_released:
      case EventKind::notified: {
        const std::uint32_t s = resource_of.find(e.a);
        if (s == npos) break;
        ResourceInfo& r = resources_[s];
        r.events.push_back(ev);
        if (e.kind == EventKind::resource_limits) r.capacity = e.b;
        if (e.kind == EventKind::resource_dropped) r.dropped_event = ev;
        break;
      }
      case EventKind::blocking_begin: {
        BlockingSpan b;
        b.task = e.task;
        b.lane = e.a;
        b.job = e.b;
        b.begin_ns = b.end_ns = e.time_ns;
        b.begin_event = ev;
        if (e.a > run_.blocking_lanes) run_.blocking_lanes = e.a;
        open_blocking[(std::uint64_t{e.a} << 32) | e.b] = static_cast<std::uint32_t>(blocking_.size());
        blocking_.push_back(b);
        break;
      }
      case EventKind::blocking_end:
        if (auto it = open_blocking.find((std::uint64_t{e.a} << 32) | e.b); it != open_blocking.end()) {
          blocking_[it->second].end_ns = e.time_ns;
          blocking_[it->second].end_event = ev;
          open_blocking.erase(it);
        }
        break;
      case EventKind::request_begin: {
        RequestInfo r;
        r.id = e.a;
        r.task = e.task;
        r.url = std::string(trace.string(e.b));
        r.begin_ns = r.end_ns = e.time_ns;
        r.begin_event = ev;
        open_request.set(e.a, static_cast<std::uint32_t>(requests_.size()));
        requests_.push_back(std::move(r));
        break;
      }
      case EventKind::request_end:
        if (const std::uint32_t q = open_request.find(e.a); q != npos) {
          RequestInfo& r = requests_[q];
          r.end_ns = e.time_ns;
          r.end_event = ev;
          r.status = e.b;
          r.failure = static_cast<trace::HttpFailure>(e.flags);
          open_request.erase(e.a);
        }
        break;
      case EventKind::stuck_wait:
        stuck_.push_back(StuckRecord{ev, e.task, e.a, e.b, (e.flags & 1) != 0, (e.flags & 2) != 0});
        break;
      case EventKind::pin: {
        // Pinned futures are few (a lesson's handful): a linear search by id is enough.
        auto it = std::find_if(pins_.begin(), pins_.end(), [&](const PinInfo& p) { return p.id == e.a; });
        if (it == pins_.end()) it = pins_.insert(pins_.end(), PinInfo{e.a, e.task, {}});
        it->steps.push_back(PinStep{ev, static_cast<trace::PinAction>(e.flags), e.b});
        break;
      }
      case EventKind::clock_advanced:
      case EventKind::kind_count_:
        break;
    }
  }
  // Tasks alive at the end are charged up to the last event, so the three columns add up to each
  // task's lifetime.
  for (std::uint32_t s = 0; s < tasks_.size(); ++s)
    if (clocks[s].phase != TaskClock::done) enter(s, clocks[s].phase, run_.end_ns);
}

std::size_t TraceIndex::memory_bytes() const {
  std::size_t bytes = sizeof(*this);
  for (const TaskInfo& t : tasks_)
    bytes += sizeof(TaskInfo) + t.name.capacity() + t.polls.capacity() * sizeof(PollSpan) +
             (t.wakes_received.capacity() + t.future_nodes.capacity()) * sizeof(std::uint32_t);
  bytes += (tasks_.capacity() - tasks_.size()) * sizeof(TaskInfo);
  bytes += slot_of_.capacity() * sizeof(std::uint32_t) + sparse_slots_.size() * 32;
  bytes += wakes_.capacity() * sizeof(WakeEdge) + future_nodes_.capacity() * sizeof(FutureNodeInfo);
  for (const ResourceInfo& r : resources_) bytes += r.name.capacity() + r.events.capacity() * sizeof(EventIndex);
  bytes += resources_.capacity() * sizeof(ResourceInfo) + resource_slot_of_.size() * 32;
  bytes += timers_.capacity() * sizeof(TimerInfo) + blocking_.capacity() * sizeof(BlockingSpan);
  for (const RequestInfo& r : requests_) bytes += r.url.capacity();
  bytes += requests_.capacity() * sizeof(RequestInfo) + lints_.capacity() * sizeof(LintRecord);
  for (const MarkRecord& m : marks_) bytes += m.label.capacity();
  bytes += marks_.capacity() * sizeof(MarkRecord) + stuck_.capacity() * sizeof(StuckRecord);
  bytes += steals_.capacity() * sizeof(StealRecord);
  return bytes;
}

}  // namespace asynclab::vis
