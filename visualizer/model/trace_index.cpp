// TraceIndex: a counting pass sizes every list, then one pass over the events fills every per-task
// and per-resource list. See trace_index.hpp for the rules.
#include "model/trace_index.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include "asynclab/trace/codec.hpp"

namespace asynclab::vis {

using trace::Event;
using trace::EventKind;
namespace ev = trace::ev;

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
      trace::visit(e, trace::overloaded{
        [&](const ev::PollBegin& x) { bump(polls, x.task); },
        [&](const ev::Wake& x) { bump(wakes, x.woken); },
        [&](const ev::FutureCreated& x) { bump(nodes, x.task); },
        [&]<class T>(const T& x) {
          if constexpr (trace::is_resource_event(T::kind)) bump(resource_events, x.resource);
        },
      });
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
  // The event being read, for the visitor below. The visitor is made once, outside the loop: made per
  // event, its dozens of captured references were stored anew for each of millions of events (it
  // cost half as much again as the whole pass).
  Event e{};
  EventIndex event = 0;
  const auto visitor = trace::overloaded{
      [&](const ev::TaskStolen& x) {
        steals_.push_back(StealRecord{event, e.time_ns, x.task, x.from_worker, x.to_worker});
      },
      [&](const ev::RuntimeStarted& x) {
        run_.asynclab_runtime = true;
        run_.virtual_time = x.virtual_time;
        run_.flavor = x.flavor;
        run_.seed = x.seed;
      },
      [&](const ev::TaskSpawned& x) {
        if (task_slot(x.task) != npos) return;  // a malformed trace spawning an id twice: keep the first
        const auto slot = static_cast<std::uint32_t>(tasks_.size());
        if (x.task < slot_of_.size() + dense_id_slack) {
          if (slot_of_.size() <= x.task) slot_of_.resize(x.task + 1, npos);
          slot_of_[x.task] = slot;
        } else {
          sparse_slots_.emplace(x.task, slot);
        }
        TaskInfo t;
        t.id = x.task;
        t.polls.reserve(ListSizes::at(sizes.polls, x.task));
        t.wakes_received.reserve(ListSizes::at(sizes.wakes, x.task));
        t.future_nodes.reserve(ListSizes::at(sizes.nodes, x.task));
        t.name = trace.task_name(x.task);
        t.parent = x.parent;
        t.spawn_location = trace.site(x.site).location;
        t.spawned_event = event;
        t.spawned_ns = e.time_ns;
        tasks_.push_back(std::move(t));
        clocks.push_back(TaskClock{TaskClock::scheduled, false, e.time_ns});
      },
      [&](const ev::PollBegin& x) {
        const std::uint32_t s = slot_for(x.task);
        if (s == npos) return;
        enter(s, TaskClock::running, e.time_ns);
        clocks[s].notified = false;
        PollSpan p;
        p.begin_ns = p.end_ns = e.time_ns;
        p.begin_event = event;
        p.end_event = npos;
        tasks_[s].polls.push_back(p);
      },
      [&](const ev::PollEnd& x) {
        const std::uint32_t s = slot_for(x.task);
        if (s == npos || tasks_[s].polls.empty()) return;
        PollSpan& p = tasks_[s].polls.back();
        if (p.end_event != npos) return;  // a poll_end without its begin
        p.end_ns = e.time_ns;
        p.end_event = event;
        p.result = x.result;
        p.parked_at = x.shown_at();  // the learner's own line first
        if (p.result == trace::PollResult::pending)
          enter(s, clocks[s].notified ? TaskClock::scheduled : TaskClock::idle, e.time_ns);
      },
      [&](const ev::WakerCloned& x) {
        if (const std::uint32_t s = slot_for(x.task); s != npos) ++tasks_[s].waker_clones;
      },
      [&](const ev::WakerDropped& x) {
        if (const std::uint32_t s = slot_for(x.task); s != npos) ++tasks_[s].waker_drops;
      },
      [&](const ev::Wake& x) {
        WakeEdge w;
        w.time_ns = e.time_ns;
        w.event = event;
        w.from_task = x.by;
        w.to_task = x.woken;
        w.source = x.source;
        w.self = x.self;
        w.by_ref = x.by_ref;
        const std::uint32_t s = slot_for(x.woken);
        if (s != npos) {
          TaskInfo& t = tasks_[s];
          ++t.wakes;
          if (w.self) ++t.self_wakes;
          t.wakes_received.push_back(static_cast<std::uint32_t>(wakes_.size()));
          if (clocks[s].phase == TaskClock::running) clocks[s].notified = true;
          else if (clocks[s].phase == TaskClock::idle) enter(s, TaskClock::scheduled, e.time_ns);
        }
        wakes_.push_back(w);
      },
      [&](const ev::TaskCompleted& x) {
        const std::uint32_t s = slot_for(x.task);
        if (s == npos) return;
        enter(s, TaskClock::done, e.time_ns);
        tasks_[s].completed_event = event;
        tasks_[s].completed_ns = e.time_ns;
        tasks_[s].outcome = x.outcome;
      },
      [&](const ev::FutureCreated& x) {
        FutureNodeInfo f;
        f.task = x.task;
        f.node = x.node;
        f.parent = x.parent_node;
        f.kind = x.node_kind;
        f.branch = x.branch;
        f.created_event = event;
        const auto idx = static_cast<std::uint32_t>(future_nodes_.size());
        node_slot.set(x.node, idx);
        if (const std::uint32_t s = slot_for(x.task); s != npos) tasks_[s].future_nodes.push_back(idx);
        future_nodes_.push_back(f);
      },
      [&](const ev::FuturePolled& x) {
        if (const std::uint32_t f = node_slot.find(x.node); f != npos) {
          ++future_nodes_[f].polls;
          if (x.ready) future_nodes_[f].completed = true;
        }
      },
      [&](const ev::FutureDropped& x) {
        if (const std::uint32_t f = node_slot.find(x.node); f != npos) {
          future_nodes_[f].dropped_event = event;
          if (x.answered_ready()) future_nodes_[f].completed = true;
          future_nodes_[f].end = x.end;
          node_slot.erase(x.node);  // node ids may be reused once dropped
        }
      },
      [&](const ev::TimerArmed& x) {
        TimerInfo t;
        t.id = x.timer;
        t.owner = x.owner;
        t.armed_event = event;
        t.armed_ns = e.time_ns;
        t.deadline_ns = e.time_ns + std::uint64_t{x.delay_us} * 1000;
        open_timer.set(x.timer, static_cast<std::uint32_t>(timers_.size()));
        timers_.push_back(t);
      },
      [&](const ev::TimerFired& x) {
        if (const std::uint32_t tm = open_timer.find(x.timer); tm != npos) {
          timers_[tm].fired_event = event;
          timers_[tm].deadline_ns = e.time_ns;  // exact, where the armed delay was rounded to µs
          open_timer.erase(x.timer);
        }
      },
      [&](const ev::TimerCancelled& x) {
        if (const std::uint32_t tm = open_timer.find(x.timer); tm != npos) {
          timers_[tm].cancelled_event = event;
          open_timer.erase(x.timer);
        }
      },
      [&](const ev::Lint& x) {
        lints_.push_back(LintRecord{event, e.time_ns, x.task, x.lint, x.detail, x.location});
        if (const std::uint32_t s = slot_for(x.task); s != npos) ++tasks_[s].lints;
      },
      [&](const ev::Mark& x) {
        marks_.push_back(MarkRecord{event, e.time_ns, x.task, std::string(trace.string(x.label))});
      },
      [&](const ev::RuntimeStopped& x) {
        run_.stopped = true;
        run_.stop_reason = x.reason;
      },
      [&](const ev::ResourceCreated& x) {
        ResourceInfo r;
        r.id = x.resource;
        r.kind = x.resource_kind;
        r.name = std::string(trace.string(x.name));
        r.creator = x.task;
        r.created_event = event;
        r.events.reserve(ListSizes::at(sizes.resource_events, x.resource));
        r.events.push_back(event);
        resource_of.set(x.resource, static_cast<std::uint32_t>(resources_.size()));
        resource_slot_of_[x.resource] = static_cast<std::uint32_t>(resources_.size());
        resources_.push_back(std::move(r));
      },
      [&](const ev::BlockingBegin& x) {
        BlockingSpan b;
        b.task = x.task;
        b.lane = x.lane;
        b.job = x.job;
        b.begin_ns = b.end_ns = e.time_ns;
        b.begin_event = event;
        if (x.lane > run_.blocking_lanes) run_.blocking_lanes = x.lane;
        open_blocking[(std::uint64_t{x.lane} << 32) | x.job] = static_cast<std::uint32_t>(blocking_.size());
        blocking_.push_back(b);
      },
      [&](const ev::BlockingEnd& x) {
        if (auto it = open_blocking.find((std::uint64_t{x.lane} << 32) | x.job); it != open_blocking.end()) {
          blocking_[it->second].end_ns = e.time_ns;
          blocking_[it->second].end_event = event;
          open_blocking.erase(it);
        }
      },
      [&](const ev::RequestBegin& x) {
        RequestInfo r;
        r.id = x.request;
        r.task = x.task;
        r.url = std::string(trace.string(x.url));
        r.begin_ns = r.end_ns = e.time_ns;
        r.begin_event = event;
        open_request.set(x.request, static_cast<std::uint32_t>(requests_.size()));
        requests_.push_back(std::move(r));
      },
      [&](const ev::RequestEnd& x) {
        if (const std::uint32_t q = open_request.find(x.request); q != npos) {
          RequestInfo& r = requests_[q];
          r.end_ns = e.time_ns;
          r.end_event = event;
          r.status = x.status;
          r.failure = x.failure;
          open_request.erase(x.request);
        }
      },
      [&](const ev::StuckWait& x) {
        stuck_.push_back(StuckRecord{event, x.task, x.resource, x.holder, x.on_cycle, x.awaits_join_handle});
      },
      [&](const ev::Pin& x) {
        // Pinned futures are few (a lesson's handful): a linear search by id is enough.
        auto it = std::find_if(pins_.begin(), pins_.end(), [&](const PinInfo& p) { return p.id == x.pinned; });
        if (it == pins_.end()) it = pins_.insert(pins_.end(), PinInfo{x.pinned, x.task, {}});
        it->steps.push_back(PinStep{event, x.action, x.home});
      },
      [&](const ev::ClockAdvanced&) {},
      // The other resource events: listed on their resource.
      [&]<class T>(const T& x) {
        static_assert(trace::is_resource_event(T::kind), "every kind but the resource events is handled above");
        const std::uint32_t s = resource_of.find(x.resource);
        if (s == npos) return;
        ResourceInfo& r = resources_[s];
        r.events.push_back(event);
        if constexpr (std::is_same_v<T, ev::ResourceLimits>) r.capacity = x.limit;
        if constexpr (std::is_same_v<T, ev::ResourceDropped>) r.dropped_event = event;
      },
  };
  for (std::size_t i = 0; i < n; ++i) {
    e = trace[i];
    event = static_cast<EventIndex>(i);
    run_.end_ns = e.time_ns;
    if (e.worker + 1u > run_.workers) run_.workers = e.worker + 1u;
    trace::visit(e, visitor);
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
