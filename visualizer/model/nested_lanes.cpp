// NestedLanes: branches, requests, locks and blocking jobs gathered per task and packed into rows.
// See nested_lanes.hpp for the rules.
#include "model/nested_lanes.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"
#include "model/describe.hpp"

namespace asynclab::vis {

namespace {

using trace::EventKind;
namespace ev = trace::ev;

// One thing that happened inside a task, before it is given a row.
struct Item {
  std::uint32_t slot = 0;  // task slot
  NestedKind kind = NestedKind::future;
  std::string label;   // what rows are packed by
  std::string detail;  // the label when every item on its row says the same (a sleep's duration)
  NestedSpan span;
  // Rows are ordered by (anchor, then the item's own start): a request sent by a branch sorts right
  // after that branch's row, so "join: users" and "GET users" sit together.
  EventIndex anchor = 0;
};

// What the scan of the events learns that the index does not keep.
struct Scan {
  std::vector<std::string> future_labels;                 // by future node index
  std::vector<std::uint32_t> request_branch;              // by request index: the future node index, or npos
  std::vector<NestedSpan> lock_spans;                     // every wait and hold, in order of their start
  std::vector<std::uint32_t> lock_task;                   // parallel to lock_spans: the task id
};

// Whether an event says what the code being polled is waiting for, and in words. A sleep's words carry
// its duration; rows are packed by what is awaited without it (awaited_shape), since a deadline in a
// loop sleeps a little less each time.
std::string awaited(const TraceIndex& index, const trace::Event& e) {
  const trace::Trace& t = index.trace();
  auto resource_name = [&](std::uint32_t id) {
    const ResourceInfo* r = index.resource(id);
    return r && !r->name.empty() ? r->name : fmt::format("#{}", id);
  };
  return trace::visit(e, trace::overloaded{
    [&](const ev::RequestBegin& x) { return "GET " + short_url(t.string(x.url)); },
    [&](const ev::TimerArmed& x) { return "sleep " + format_duration_short(std::uint64_t{x.delay_us} * 1000); },
    [&](const ev::ChannelRecv& x) { return "recv " + resource_name(x.resource); },
    [&](const ev::ChannelSend& x) { return "send " + resource_name(x.resource); },
    [&](const ev::LockWaiting& x) { return "lock " + resource_name(x.resource); },
    [&](const ev::LockAcquired& x) { return "lock " + resource_name(x.resource); },
    [&](const ev::BlockingBegin& x) { return std::string(x.lane == 0 ? "block_for" : "spawn_blocking"); },
    [](const auto&) { return std::string(); },
  });
}

std::string awaited_shape(std::string_view what) {
  return what.starts_with("sleep ") ? std::string("sleep") : std::string(what);
}

// A branch that awaited a request is labelled by the URL alone: its request's own row, right under
// it, says GET.
std::string_view branch_words(std::string_view what) {
  if (what.starts_with("GET ")) what.remove_prefix(4);
  return what;
}

bool is_lock(const TraceIndex& index, std::uint32_t resource) {
  const ResourceInfo* r = index.resource(resource);
  return r && (r->kind == trace::ResourceKind::mutex || r->kind == trace::ResourceKind::semaphore);
}

Scan scan(const TraceIndex& index) {
  const trace::Trace& trace = index.trace();
  Scan s;
  s.future_labels.resize(index.future_nodes().size());
  s.request_branch.assign(index.requests().size(), npos);

  const std::size_t slots = index.tasks().size();
  // Per task slot: the first event since the last branch poll that says what is awaited, and the
  // requests sent since then.
  std::vector<EventIndex> pending_first(slots, npos);
  std::vector<std::vector<std::uint32_t>> pending_requests(slots);
  std::unordered_map<std::uint32_t, std::uint32_t> node_index;  // live node id -> future index
  std::uint32_t futures_seen = 0, requests_seen = 0;

  // Locks: who holds each, and each task's open wait and holds per lock.
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> holders;                // resource -> tasks
  std::unordered_map<std::uint64_t, std::uint32_t> open_wait;                            // (task, resource) -> span
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> open_holds;              // (task, resource) -> spans
  auto key = [](std::uint32_t task, std::uint32_t resource) { return (std::uint64_t{task} << 32) | resource; };
  auto reset = [&](std::uint32_t slot) {
    pending_first[slot] = npos;
    pending_requests[slot].clear();
  };

  for (EventIndex ev = 0; ev < trace.size(); ++ev) {
    const trace::Event e = trace[ev];
    const std::uint32_t slot = e.task ? index.task_slot(e.task) : npos;
    switch (e.kind) {
      case EventKind::poll_begin:
      case EventKind::poll_end:
        if (slot != npos) reset(slot);
        break;
      case EventKind::future_created: {
        const std::uint32_t f = futures_seen++;
        node_index[trace::ev::FutureCreated::decode(e).node] = f;
        if (slot != npos) reset(slot);
        break;
      }
      case EventKind::future_polled: {
        auto it = node_index.find(trace::ev::FuturePolled::decode(e).node);
        if (slot == npos || it == node_index.end()) break;
        const std::uint32_t f = it->second;
        if (s.future_labels[f].empty() && pending_first[slot] != npos)
          s.future_labels[f] = awaited(index, trace[pending_first[slot]]);
        for (std::uint32_t q : pending_requests[slot])
          if (s.request_branch[q] == npos) s.request_branch[q] = f;
        reset(slot);
        break;
      }
      case EventKind::future_dropped:
        node_index.erase(trace::ev::FutureDropped::decode(e).node);
        break;
      case EventKind::request_begin:
        if (slot != npos) {
          if (pending_first[slot] == npos) pending_first[slot] = ev;
          if (requests_seen < s.request_branch.size()) pending_requests[slot].push_back(requests_seen);
        }
        ++requests_seen;
        break;
      case EventKind::timer_armed:
      case EventKind::channel_recv:
      case EventKind::channel_send:
      case EventKind::blocking_begin:
        if (slot != npos && pending_first[slot] == npos && !awaited(index, e).empty()) pending_first[slot] = ev;
        break;
      case EventKind::lock_waiting:
      case EventKind::lock_acquired:
      case EventKind::lock_released: {
        const std::uint32_t lock = *trace::resource_of(e);
        if (!is_lock(index, lock)) break;
        if (e.kind != EventKind::lock_released && slot != npos && pending_first[slot] == npos) pending_first[slot] = ev;
        const std::uint64_t k = key(e.task, lock);
        std::vector<std::uint32_t>& held_by = holders[lock];
        if (e.kind == EventKind::lock_waiting) {
          NestedSpan w;
          w.begin_event = ev;
          w.begin_ns = e.time_ns;
          w.ref = lock;
          w.waiting = true;
          w.holder = held_by.empty() ? 0 : held_by.front();
          open_wait[k] = static_cast<std::uint32_t>(s.lock_spans.size());
          s.lock_spans.push_back(w);
          s.lock_task.push_back(e.task);
        } else if (e.kind == EventKind::lock_acquired) {
          if (auto w = open_wait.find(k); w != open_wait.end()) {
            NestedSpan& wait = s.lock_spans[w->second];
            wait.end_event = ev;
            wait.end_ns = e.time_ns;
            wait.end = SpanEnd::done;
            open_wait.erase(w);
          }
          NestedSpan h;
          h.begin_event = ev;
          h.begin_ns = e.time_ns;
          h.ref = lock;
          open_holds[k].push_back(static_cast<std::uint32_t>(s.lock_spans.size()));
          s.lock_spans.push_back(h);
          s.lock_task.push_back(e.task);
          held_by.push_back(e.task);
        } else {
          if (auto h = open_holds.find(k); h != open_holds.end() && !h->second.empty()) {
            NestedSpan& hold = s.lock_spans[h->second.front()];
            hold.end_event = ev;
            hold.end_ns = e.time_ns;
            hold.end = SpanEnd::done;
            h->second.erase(h->second.begin());
          }
          if (auto at = std::ranges::find(held_by, e.task); at != held_by.end()) held_by.erase(at);
        }
        break;
      }
      default: break;
    }
  }
  return s;
}

// A span still open when its task completed ended then: the task's futures were dropped with it.
void close_with_task(const TraceIndex& index, std::uint32_t task, NestedSpan& span) {
  if (span.end_event != npos) return;
  const TaskInfo* t = index.task(task);
  if (t == nullptr || !t->done() || t->completed_event < span.begin_event) return;
  span.end_event = t->completed_event;
  span.end_ns = t->completed_ns;
  span.end = SpanEnd::cancelled;
}

SpanEnd branch_end(const FutureNodeInfo& branch) {
  if (branch.disabled()) return SpanEnd::disabled;
  if (branch.dropped_event != npos && branch.end == trace::FutureEnd::released) return SpanEnd::released;
  return branch.completed ? SpanEnd::done : SpanEnd::cancelled;
}

void gather_futures(const TraceIndex& index, const Scan& s, std::vector<Item>& items) {
  const std::vector<FutureNodeInfo>& nodes = index.future_nodes();
  const trace::Trace& trace = index.trace();
  for (std::size_t c = 0; c < nodes.size(); ++c) {
    const FutureNodeInfo& combinator = nodes[c];
    if (combinator.kind == trace::FutureNode::branch) continue;
    // Its branches are the nodes created right after it, naming it as their parent.
    std::size_t end = c + 1;
    while (end < nodes.size() && nodes[end].kind == trace::FutureNode::branch && nodes[end].parent == combinator.node &&
           nodes[end].task == combinator.task)
      ++end;
    EventIndex last_sibling_drop = 0;
    bool all_dropped = true;
    for (std::size_t b = c + 1; b < end; ++b) {
      if (nodes[b].polls == 0) continue;
      if (nodes[b].dropped_event == npos) all_dropped = false;
      else last_sibling_drop = std::max(last_sibling_drop, nodes[b].dropped_event);
    }
    const std::uint32_t slot = index.task_slot(combinator.task);
    if (slot == npos) continue;
    for (std::size_t b = c + 1; b < end; ++b) {
      const FutureNodeInfo& branch = nodes[b];
      if (branch.polls == 0) continue;  // never polled: it never started anything
      Item item;
      item.slot = slot;
      item.kind = NestedKind::future;
      item.span.ref = static_cast<std::uint32_t>(b);
      item.span.begin_event = branch.created_event;
      item.span.begin_ns = trace[branch.created_event].time_ns;
      if (branch.dropped_event != npos) {
        item.span.end_event = branch.dropped_event;
        item.span.end = branch_end(branch);
      } else if (!all_dropped) {
        // Its siblings are still running too: a deadlock, or the end of the trace.
      } else {
        // Never reported gone, its siblings all are (timeout's deadline once its inner future won).
        bool other = false;
        for (std::size_t o = c + 1; o < end; ++o) other |= o != b && nodes[o].polls > 0;
        if (other) {
          item.span.end_event = last_sibling_drop;
          item.span.end = branch_end(branch);
        }
      }
      if (item.span.end_event != npos) item.span.end_ns = trace[item.span.end_event].time_ns;
      else close_with_task(index, combinator.task, item.span);
      if (item.span.end_event != npos && item.span.end_event < item.span.begin_event) continue;
      const std::string& what = s.future_labels[b];
      item.label = what.empty() ? fmt::format("{} branch {}", future_node_word(combinator.kind), branch.branch + 1)
                                : fmt::format("{}: {}", future_node_word(combinator.kind), awaited_shape(branch_words(what)));
      item.detail = what.empty() ? item.label : fmt::format("{}: {}", future_node_word(combinator.kind), branch_words(what));
      item.anchor = item.span.begin_event;
      items.push_back(std::move(item));
    }
    c = end - 1;
  }
}

void gather_requests(const TraceIndex& index, const Scan& s, std::vector<Item>& items) {
  const std::vector<RequestInfo>& requests = index.requests();
  for (std::size_t q = 0; q < requests.size(); ++q) {
    const RequestInfo& r = requests[q];
    const std::uint32_t slot = index.task_slot(r.task);
    if (slot == npos) continue;
    Item item;
    item.slot = slot;
    item.kind = NestedKind::request;
    item.label = "GET " + short_url(r.url);
    item.span.ref = static_cast<std::uint32_t>(q);
    item.span.begin_event = r.begin_event;
    item.span.begin_ns = r.begin_ns;
    item.span.end_event = r.end_event;
    item.span.end_ns = r.end_ns;
    if (r.end_event == npos) {
      item.span.end = SpanEnd::running;
      close_with_task(index, r.task, item.span);
    } else if (r.failure == trace::HttpFailure::cancelled) {
      item.span.end = SpanEnd::cancelled;
    } else if (r.failure != trace::HttpFailure::none || r.status == 0 || r.status >= 400) {
      item.span.end = SpanEnd::failed;
    } else {
      item.span.end = SpanEnd::done;
    }
    const std::uint32_t branch = s.request_branch[q];
    item.anchor = branch != npos ? index.future_nodes()[branch].created_event : r.begin_event;
    items.push_back(std::move(item));
  }
}

void gather_locks(const TraceIndex& index, const Scan& s, std::vector<Item>& items) {
  for (std::size_t k = 0; k < s.lock_spans.size(); ++k) {
    const std::uint32_t slot = index.task_slot(s.lock_task[k]);
    if (slot == npos) continue;
    Item item;
    item.slot = slot;
    item.kind = NestedKind::lock;
    item.span = s.lock_spans[k];
    // A wait its task never got past: cut when the task went away, else still waiting.
    close_with_task(index, s.lock_task[k], item.span);
    const ResourceInfo* r = index.resource(item.span.ref);
    item.label = fmt::format("{} {}", r && r->kind == trace::ResourceKind::semaphore ? "permit" : "lock",
                             r && !r->name.empty() ? r->name : fmt::format("#{}", item.span.ref));
    item.anchor = item.span.begin_event;
    items.push_back(std::move(item));
  }
}

void gather_jobs(const TraceIndex& index, std::vector<Item>& items) {
  const std::vector<BlockingSpan>& jobs = index.blocking();
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const BlockingSpan& job = jobs[j];
    const std::uint32_t slot = index.task_slot(job.task);
    if (slot == npos) continue;
    Item item;
    item.slot = slot;
    item.kind = NestedKind::job;
    item.label = job.lane == 0 ? "block_for (worker blocked)" : "spawn_blocking";
    item.span.ref = static_cast<std::uint32_t>(j);
    item.span.begin_event = job.begin_event;
    item.span.begin_ns = job.begin_ns;
    item.span.end_event = job.end_event;
    item.span.end_ns = job.end_ns;
    item.span.end = job.end_event == npos ? SpanEnd::running : SpanEnd::done;
    item.anchor = job.begin_event;
    items.push_back(std::move(item));
  }
}

}  // namespace

std::string short_url(std::string_view url) {
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  return std::string(url);
}

NestedLanes::NestedLanes(const TraceIndex& index) {
  const Scan s = scan(index);
  future_labels_ = s.future_labels;
  std::vector<Item> items;
  gather_futures(index, s, items);
  gather_requests(index, s, items);
  gather_locks(index, s, items);
  gather_jobs(index, items);
  std::ranges::stable_sort(items, [](const Item& a, const Item& b) {
    return std::tie(a.slot, a.span.begin_event) < std::tie(b.slot, b.span.begin_event);
  });

  // Pack each task's items into rows: an item joins the first row of its kind and label whose last
  // span has ended by the time it starts (both axes: the end event comes no later than its start).
  const std::size_t slots = index.tasks().size();
  struct Building {
    NestedRow row;
    EventIndex anchor = 0;
    std::vector<NestedSpan> spans;
    std::string detail;      // the first item's detail
    bool same_detail = true;  // every item's detail is that one
  };
  std::vector<std::vector<Building>> per_task(slots);
  // Per task, the rows of each kind and label (a select in a loop makes thousands of branches with a
  // handful of labels: the search stays among the few rows that could take the item).
  std::vector<std::unordered_map<std::string, std::vector<std::size_t>>> by_label(slots);
  for (Item& item : items) {
    std::vector<Building>& rows = per_task[item.slot];
    std::vector<std::size_t>& same = by_label[item.slot][std::string(1, static_cast<char>(item.kind)) + item.label];
    std::size_t into = npos;
    for (std::size_t r : same) {
      const NestedSpan& last = rows[r].spans.back();
      if (last.end_event != npos && last.end_event <= item.span.begin_event) {
        into = r;
        break;
      }
    }
    if (item.detail.empty()) item.detail = item.label;
    if (into == npos) {
      into = rows.size();
      same.push_back(into);
      rows.push_back(Building{NestedRow{item.kind, index.tasks()[item.slot].id, std::move(item.label), 0, 0},
                              item.anchor, {}, item.detail, true});
    }
    rows[into].spans.push_back(item.span);
    rows[into].same_detail = rows[into].same_detail && rows[into].detail == item.detail;
  }

  task_start_.assign(slots + 1, 0);
  for (std::size_t slot = 0; slot < slots; ++slot) {
    std::vector<Building>& rows = per_task[slot];
    std::ranges::stable_sort(rows, [](const Building& a, const Building& b) {
      return std::tie(a.anchor, a.spans.front().begin_event) < std::tie(b.anchor, b.spans.front().begin_event);
    });
    for (Building& b : rows) {
      if (b.same_detail) b.row.label = std::move(b.detail);
      b.row.first_span = static_cast<std::uint32_t>(spans_.size());
      b.row.span_count = static_cast<std::uint32_t>(b.spans.size());
      spans_.insert(spans_.end(), b.spans.begin(), b.spans.end());
      task_rows_.push_back(static_cast<std::uint32_t>(rows_.size()));
      rows_.push_back(std::move(b.row));
    }
    task_start_[slot + 1] = static_cast<std::uint32_t>(task_rows_.size());
  }
}

std::span<const std::uint32_t> NestedLanes::rows_of_task(std::uint32_t task_slot) const {
  if (task_slot + std::size_t{1} >= task_start_.size()) return {};
  return std::span<const std::uint32_t>(task_rows_)
      .subspan(task_start_[task_slot], task_start_[task_slot + 1] - task_start_[task_slot]);
}

const std::string& NestedLanes::future_label(std::uint32_t future_index) const {
  static const std::string none;
  return future_index < future_labels_.size() ? future_labels_[future_index] : none;
}

std::size_t NestedLanes::memory_bytes() const {
  std::size_t bytes = sizeof(*this) + rows_.capacity() * sizeof(NestedRow) + spans_.capacity() * sizeof(NestedSpan) +
                      (task_start_.capacity() + task_rows_.capacity()) * sizeof(std::uint32_t);
  for (const NestedRow& r : rows_) bytes += r.label.capacity();
  for (const std::string& l : future_labels_) bytes += sizeof(l) + l.capacity();
  return bytes;
}

const char* future_node_word(trace::FutureNode kind) {
  switch (kind) {
    case trace::FutureNode::join: return "join";
    case trace::FutureNode::try_join: return "try_join";
    case trace::FutureNode::select: return "select";
    case trace::FutureNode::timeout: return "timeout";
    case trace::FutureNode::branch: break;
  }
  return "branch";
}

}  // namespace asynclab::vis
