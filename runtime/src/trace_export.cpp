// Exporting a Trace: Chrome trace-event JSON (Perfetto, chrome://tracing) and JSON Lines.
// See trace/export.hpp.
//
// Both writers stream: each output event is a small nlohmann::json object dumped on its own, so a
// trace of millions of events never becomes one JSON tree in memory. Strings from the trace (task
// names, labels, file names) are dumped with invalid UTF-8 replaced, so the output is always valid
// JSON whatever a learner named a task.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asynclab/trace/export.hpp"

namespace asynclab::trace {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string_view poll_result_name(std::uint16_t r) {
  switch (static_cast<PollResult>(r)) {
    case PollResult::pending: return "pending";
    case PollResult::ready: return "ready";
    case PollResult::panicked: return "panicked";
  }
  return "unknown";
}

std::string_view stop_reason_name(std::uint16_t r) {
  switch (static_cast<StopReason>(r)) {
    case StopReason::finished: return "finished";
    case StopReason::stuck: return "stuck";
    case StopReason::shutdown: return "shutdown";
  }
  return "unknown";
}

std::string_view future_node_name(std::uint16_t k) {
  switch (static_cast<FutureNode>(k)) {
    case FutureNode::join: return "join";
    case FutureNode::try_join: return "try_join";
    case FutureNode::select: return "select";
    case FutureNode::branch: return "branch";
    case FutureNode::timeout: return "timeout";
  }
  return "unknown";
}

std::string_view future_end_name(std::uint16_t k) {
  switch (static_cast<FutureEnd>(k)) {
    case FutureEnd::cancelled: return "cancelled";
    case FutureEnd::completed: return "completed";
    case FutureEnd::disabled_by_precondition: return "disabled_by_precondition";
    case FutureEnd::disabled_by_pattern: return "disabled_by_pattern";
    case FutureEnd::released: return "released";
  }
  return "unknown";
}

std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) { return std::uint64_t{lo} | (std::uint64_t{hi} << 32); }

template <class J>
void dump(std::ostream& out, const J& j) {
  out << j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// --- Chrome trace-event JSON ---------------------------------------------------------------------

// Display times. In virtual time many events share one instant (a whole poll, with every wake in
// it, takes zero virtual nanoseconds). Chrome and Perfetto would then draw polls with no width and
// could reorder events that share a timestamp. So each event is shown at
//     display(i) = max(time(i), display(i - 1) + 1 ns)
// — events that share a timestamp are spread one nanosecond apart in their recorded order, a poll
// gets at least 1 ns of width, and a wake recorded inside a poll falls strictly inside its slice.
// The shift only accumulates while events keep sharing instants, so in real time (distinct
// timestamps) it is zero or a few ns; in virtual time it is a few ns against the ms of the sleeps.
class DisplayClock {
 public:
  std::uint64_t next(std::uint64_t t) {
    now_ = first_ ? t : std::max(t, now_ + 1);
    first_ = false;
    return now_;
  }
  std::uint64_t now() const { return now_; }

 private:
  std::uint64_t now_ = 0;
  bool first_ = true;
};

double micros(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

constexpr int pid = 1;
// The events a Chrome viewer has no picture for (waker clones and drops, the future tree, timers,
// pins, steals, blocking jobs, requests, the deadlock report, wakes with no poll after them) go to a
// second process, one track per task as in the first: Perfetto shows it as a group of its own that
// can stay folded, so they never bury the polls, and the importer gets every event back.
constexpr int details_pid = 2;
constexpr std::uint32_t runtime_tid = 0;  // the "runtime / timers" track

class ChromeWriter {
 public:
  ChromeWriter(const Trace& trace, std::ostream& out) : trace_(trace), out_(out) {}

  void write() {
    plan();
    out_ << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    metadata();
    events();
    out_ << "\n]}\n";
  }

 private:
  // Pass 1: which wake leads to which poll (a flow arrow needs both ends), and which tracks exist.
  void plan() {
    has_flow_.assign(trace_.size(), false);
    std::unordered_map<std::uint32_t, std::vector<std::size_t>> waiting;  // task -> its unresolved wakes
    tids_.insert(runtime_tid);
    for (std::size_t i = 0; i < trace_.size(); ++i) {
      const Event& e = trace_[i];
      tids_.insert(e.task);
      if (e.worker != 0) multi_worker_ = true;
      if (e.kind == EventKind::runtime_started) {
        virtual_time_ = (e.flags & 1) != 0;
        seed_ = join64(e.a, e.b);
      } else if (e.kind == EventKind::task_spawned) {
        tids_.insert(e.a);
      } else if (e.kind == EventKind::wake) {
        tids_.insert(e.a);
        waiting[e.task].push_back(i);
      } else if (e.kind == EventKind::poll_begin) {
        auto it = waiting.find(e.task);
        if (it == waiting.end() || it->second.empty()) continue;
        for (std::size_t w : it->second) has_flow_[w] = true;
        flows_into_[i] = std::move(it->second);
        waiting.erase(it);
      }
    }
  }

  void metadata() {
    std::string process = virtual_time_ ? fmt::format("asynclab (virtual time, seed {})", seed_) : "asynclab (real time)";
    emit(json{{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", runtime_tid}, {"args", {{"name", process}}}});
    emit(json{{"ph", "M"}, {"name", "process_name"}, {"pid", details_pid}, {"tid", runtime_tid},
              {"args", {{"name", "asynclab details (future tree, wakers, timers, workers)"}}}});
    emit(json{{"ph", "M"}, {"name", "process_sort_index"}, {"pid", details_pid}, {"tid", runtime_tid},
              {"args", {{"sort_index", 1}}}});
    for (std::uint32_t tid : tids_) {
      std::string name;
      if (tid == runtime_tid) {
        name = "runtime / timers";
      } else {
        name = trace_.task_name(tid);
        if (name != "task " + std::to_string(tid)) name += fmt::format(" (task {})", tid);
      }
      for (int p : {pid, details_pid}) {
        emit(json{{"ph", "M"}, {"name", "thread_name"}, {"pid", p}, {"tid", tid}, {"args", {{"name", name}}}});
        emit(json{{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", p}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
      }
    }
  }

  // Pass 2: the events, in recorded order.
  void events() {
    DisplayClock clock;
    for (std::size_t i = 0; i < trace_.size(); ++i) {
      const Event& e = trace_[i];
      const std::uint64_t t = clock.next(e.time_ns);
      worker_ = e.worker;
      switch (e.kind) {
        case EventKind::runtime_started:
          // The flavor and the worker count, which the worker field of this event carries (workers - 1).
          instant(runtime_tid, t, "runtime started", "runtime",
                  json{{"virtual_time", (e.flags & 1) != 0}, {"seed", join64(e.a, e.b)},
                       {"flavor", e.flags >> 1}, {"workers", e.worker + 1}});
          break;
        case EventKind::task_spawned: {
          const SpawnSite& site = trace_.site(e.b);
          instant(e.a, t, "spawn " + trace_.task_name(e.task), "task",
                  json{{"task", e.task}, {"name", trace_.task_name(e.task)}, {"location", trace_.describe_location(site.location)}});
          break;
        }
        case EventKind::poll_begin:
          open_[e.task] = OpenPoll{t, i, e.worker};
          break;
        case EventKind::poll_end:
          close_poll(e.task, t, poll_result_name(e.flags), trace_.describe_location(e.b),
                     e.flags == static_cast<std::uint16_t>(PollResult::ready)      ? "good"
                     : e.flags == static_cast<std::uint16_t>(PollResult::panicked) ? "terrible"
                                                                                   : "generic_work");
          break;
        case EventKind::wake:
          wake(i, e, t);
          break;
        case EventKind::task_completed:
          instant(e.task, t, fmt::format("completed: {}", outcome_name(static_cast<Outcome>(e.flags))), "task",
                  json{{"outcome", outcome_name(static_cast<Outcome>(e.flags))}});
          break;
        case EventKind::clock_advanced:
          instant(runtime_tid, t, "clock advanced", "time", json{{"from_ns", join64(e.a, e.b)}, {"to_ns", e.time_ns}});
          break;
        case EventKind::lint: {
          const auto lint = static_cast<LintKind>(e.flags);
          instant(e.task, t, fmt::format("lint: {}", lint_name(lint)), "lint",
                  json{{"lint", lint_name(lint)}, {"detail", e.a}, {"location", trace_.describe_location(e.b)}});
          break;
        }
        case EventKind::mark:
          instant(e.task, t, std::string(trace_.string(e.b)), "mark", json{{"label", trace_.string(e.b)}});
          break;
        case EventKind::runtime_stopped:
          instant(runtime_tid, t, "runtime stopped", "runtime", json{{"reason", stop_reason_name(e.flags)}});
          break;
        default:
          // The resource events (trace::is_resource_event) are instants on the acting task's track;
          // everything else goes to the details process.
          if (is_resource_event(e.kind))
            resource(e, t);
          else
            detail(e, t);
          break;
      }
    }
    // A trace cut off in the middle of a poll still shows that poll, up to the last event.
    std::vector<std::uint32_t> unfinished;
    for (const auto& [task, poll] : open_) unfinished.push_back(task);
    std::sort(unfinished.begin(), unfinished.end());
    for (std::uint32_t task : unfinished) close_poll(task, clock.now() + 1, "unfinished", "", "grey");
  }

  void close_poll(std::uint32_t task, std::uint64_t end, std::string_view result, const std::string& parked_at,
                  std::string_view colour) {
    auto it = open_.find(task);
    if (it == open_.end()) return;  // a poll_end without its begin: nothing to draw
    const OpenPoll poll = it->second;
    open_.erase(it);
    json args{{"result", result}, {"parked_at", parked_at}};
    if (multi_worker_) args["worker"] = poll.worker;
    emit(json{{"ph", "X"}, {"name", trace_.task_name(task)}, {"cat", "poll"}, {"pid", pid}, {"tid", task},
              {"ts", micros(poll.begin)}, {"dur", micros(end - poll.begin)}, {"cname", colour},
              {"args", std::move(args)}});
    // Flow arrows end on this poll: listed after its slice, at its start, bound to it ("bp":"e").
    auto flows = flows_into_.find(poll.index);
    if (flows == flows_into_.end()) return;
    for (std::size_t w : flows->second)
      emit(json{{"ph", "f"}, {"bp", "e"}, {"name", "wake"}, {"cat", "wake"}, {"id", w + 1}, {"pid", pid}, {"tid", task},
                {"ts", micros(poll.begin)}});
    flows_into_.erase(flows);
  }

  void wake(std::size_t i, const Event& e, std::uint64_t t) {
    if (!has_flow_[i]) return detail(e, t);  // the woken task was never polled again: no arrow to draw
    const std::uint32_t waker = e.a;  // 0: the runtime or a timer
    // A flow starts from the slice enclosing it. A wake from inside a poll has that poll; a wake
    // from the timer driver, or from a task finishing (its join waker fires after its last poll),
    // gets a 1 ns slice of its own on the waker's track to start from.
    if (waker == runtime_tid || !open_.contains(waker)) {
      const auto source = static_cast<WakeSource>(e.flags & wake_flag::source_mask);
      std::string name = source == WakeSource::timer ? "timer fires" : fmt::format("wake ({})", wake_source_name(source));
      emit(json{{"ph", "X"}, {"name", name}, {"cat", "wake"}, {"pid", pid}, {"tid", waker}, {"ts", micros(t)},
                {"dur", micros(1)}, {"args", {{"wakes", trace_.task_name(e.task)}}}});
    }
    json args{{"woken", trace_.task_name(e.task)},
              {"source", wake_source_name(static_cast<WakeSource>(e.flags & wake_flag::source_mask))},
              {"self", (e.flags & wake_flag::self) != 0},
              {"by_ref", (e.flags & wake_flag::by_ref) != 0}};
    if (multi_worker_) args["worker"] = e.worker;
    emit(json{{"ph", "s"}, {"name", "wake"}, {"cat", "wake"}, {"id", i + 1}, {"pid", pid}, {"tid", waker},
              {"ts", micros(t)}, {"args", std::move(args)}});
  }

  // Any other event, whole, on its task's track in the details process: its kind by name, `a`, `b`
  // and the flags as numbers, and `b` as text where it names a string (a request's url).
  void detail(const Event& e, std::uint64_t t) {
    json args{{"event", kind_name(e.kind)}, {"a", e.a}, {"b", e.b}, {"flags", e.flags}};
    if (e.kind == EventKind::request_begin) args["text"] = trace_.string(e.b);
    if (multi_worker_) args["worker"] = e.worker;
    emit(json{{"ph", "i"}, {"s", "t"}, {"name", kind_name(e.kind)}, {"cat", "detail"}, {"pid", details_pid},
              {"tid", e.task}, {"ts", micros(t)}, {"args", std::move(args)}});
  }

  // Channels, locks and notifies: an instant on the acting task's track ("channel_send jobs"). The
  // args carry the event whole — its kind by name, the resource id, `b` as "value", the flags — and
  // the resource's name and kind, so an importer can rebuild the resources
  // (visualizer/model/chrome_import.hpp) and a reader of the JSON sees which channel it was.
  void resource(const Event& e, std::uint64_t t) {
    if (e.kind == EventKind::resource_created)
      resources_[e.a] = {std::string(trace_.string(e.b)), static_cast<ResourceKind>(e.flags)};
    const auto known = resources_.find(e.a);
    const std::string name = known != resources_.end() && !known->second.name.empty() ? known->second.name
                                                                                       : fmt::format("resource {}", e.a);
    json args{{"event", kind_name(e.kind)}, {"resource", e.a}, {"resource_name", name}, {"value", e.b}, {"flags", e.flags}};
    if (known != resources_.end()) args["resource_kind"] = resource_kind_name(known->second.kind);
    // A channel_value's `b` may be a string id, meaningless outside this trace: the label goes along.
    if (e.kind == EventKind::channel_value) args["label"] = trace_.value_label(e);
    instant(e.task, t, fmt::format("{} {}", kind_name(e.kind), name), "resource", std::move(args));
  }

  void instant(std::uint32_t tid, std::uint64_t t, std::string name, std::string_view cat, json args) {
    if (multi_worker_) args["worker"] = worker_;
    emit(json{{"ph", "i"}, {"s", "t"}, {"name", std::move(name)}, {"cat", cat}, {"pid", pid}, {"tid", tid},
              {"ts", micros(t)}, {"args", std::move(args)}});
  }

  void emit(const json& j) {
    if (!first_) out_ << ",\n";
    first_ = false;
    dump(out_, j);
  }

  struct OpenPoll {
    std::uint64_t begin;  // display time
    std::size_t index;    // the poll_begin event
    std::uint8_t worker;  // the worker that polled
  };

  const Trace& trace_;
  std::ostream& out_;
  bool first_ = true;
  bool virtual_time_ = false;
  bool multi_worker_ = false;  // some event is on a worker other than 0: every event says its worker
  std::uint8_t worker_ = 0;    // the worker of the event being written
  std::uint64_t seed_ = 0;
  std::set<std::uint32_t> tids_;
  std::vector<bool> has_flow_;                                          // per event: a wake with both ends
  std::unordered_map<std::size_t, std::vector<std::size_t>> flows_into_;  // poll_begin -> wakes it answers
  std::unordered_map<std::uint32_t, OpenPoll> open_;                      // task -> its poll in progress
  struct ResourceName {
    std::string name;  // empty: unnamed
    ResourceKind kind;
  };
  std::unordered_map<std::uint32_t, ResourceName> resources_;  // resource id -> as created
};

// --- JSON Lines ----------------------------------------------------------------------------------

ordered_json location_or_null(const Trace& trace, std::uint32_t id) {
  if (id == 0) return nullptr;
  return trace.describe_location(id);
}

std::string name_of(const Trace& trace, std::uint32_t task) { return task == 0 ? "runtime" : trace.task_name(task); }

}  // namespace

void write_chrome_json(const Trace& trace, std::ostream& out) { ChromeWriter(trace, out).write(); }

void write_json_lines(const Trace& trace, std::ostream& out) {
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const Event& e = trace[i];
    ordered_json j;
    j["time_ns"] = e.time_ns;
    j["kind"] = kind_name(e.kind);
    j["task"] = e.task;
    j["task_name"] = name_of(trace, e.task);
    switch (e.kind) {
      case EventKind::runtime_started:
        j["virtual_time"] = (e.flags & 1) != 0;
        j["flavor"] = (e.flags >> 1) == 0 ? "current_thread" : "multi_thread";
        if ((e.flags >> 1) != 0) j["workers"] = e.worker + 1;
        j["seed"] = join64(e.a, e.b);
        break;
      case EventKind::task_spawned: {
        const SpawnSite& site = trace.site(e.b);
        j["name"] = trace.task_name(e.task);
        j["parent"] = e.a;
        j["parent_name"] = name_of(trace, e.a);
        j["location"] = location_or_null(trace, site.location);
        break;
      }
      case EventKind::poll_begin:
        break;
      case EventKind::poll_end:
        j["result"] = poll_result_name(e.flags);
        j["parked_at"] = location_or_null(trace, e.b);
        if (e.a) j["own_code_at"] = location_or_null(trace, e.a);
        break;
      case EventKind::waker_cloned:
      case EventKind::waker_dropped:
        j["by"] = e.a;
        j["by_name"] = name_of(trace, e.a);
        break;
      case EventKind::wake:
        j["source"] = wake_source_name(static_cast<WakeSource>(e.flags & wake_flag::source_mask));
        j["self"] = (e.flags & wake_flag::self) != 0;
        j["by_ref"] = (e.flags & wake_flag::by_ref) != 0;
        j["by"] = e.a;
        j["by_name"] = name_of(trace, e.a);
        break;
      case EventKind::task_completed:
        j["outcome"] = outcome_name(static_cast<Outcome>(e.flags));
        break;
      case EventKind::future_created:
        j["node"] = e.a;
        j["parent_node"] = e.b;
        j["node_kind"] = future_node_name(e.flags & 0xff);
        if ((e.flags & 0xff) == static_cast<std::uint16_t>(FutureNode::branch)) j["branch"] = e.flags >> 8;
        break;
      case EventKind::future_polled:
        j["node"] = e.a;
        j["ready"] = e.flags != 0;
        break;
      case EventKind::future_dropped:
        j["node"] = e.a;
        j["completed"] = (e.flags & 1) != 0;  // answered Ready (FutureEnd's low bit)
        j["end"] = future_end_name(e.flags);
        break;
      case EventKind::timer_armed:
        j["timer"] = e.a;
        j["delay_us"] = e.b;
        break;
      case EventKind::timer_fired:
        j["timer"] = e.a;
        break;
      case EventKind::clock_advanced:
        j["from_ns"] = join64(e.a, e.b);
        j["to_ns"] = e.time_ns;
        break;
      case EventKind::lint:
        j["lint"] = lint_name(static_cast<LintKind>(e.flags));
        j["detail"] = e.a;
        j["location"] = location_or_null(trace, e.b);
        break;
      case EventKind::mark:
        j["label"] = trace.string(e.b);
        break;
      case EventKind::runtime_stopped:
        j["reason"] = stop_reason_name(e.flags);
        break;
      case EventKind::resource_created:
        j["resource"] = e.a;
        j["resource_kind"] = resource_kind_name(static_cast<ResourceKind>(e.flags));
        j["name"] = trace.string(e.b);
        break;
      case EventKind::resource_limits:
        j["resource"] = e.a;
        j["limit"] = e.b;
        break;
      case EventKind::resource_dropped:
        j["resource"] = e.a;
        break;
      case EventKind::channel_send: {
        static constexpr const char* results[] = {"sent", "full", "closed"};
        j["resource"] = e.a;
        j["buffered"] = e.b;
        j["result"] = e.flags < 3 ? results[e.flags] : "unknown";
        break;
      }
      case EventKind::channel_recv: {
        static constexpr const char* results[] = {"received", "empty", "closed", "lagged"};
        j["resource"] = e.a;
        j[e.flags == static_cast<std::uint16_t>(RecvResult::lagged) ? "skipped" : "buffered"] = e.b;
        j["result"] = e.flags < 4 ? results[e.flags] : "unknown";
        break;
      }
      case EventKind::channel_closed: {
        static constexpr const char* reasons[] = {"receiver closed", "senders dropped", "receiver dropped"};
        j["resource"] = e.a;
        j["reason"] = e.flags < 3 ? reasons[e.flags] : "unknown";
        break;
      }
      case EventKind::lock_waiting:
        j["resource"] = e.a;
        j["waiting"] = e.b;
        break;
      case EventKind::lock_acquired:
      case EventKind::lock_released:
        j["resource"] = e.a;
        j["permits_left"] = e.b;
        break;
      case EventKind::notified:
        j["resource"] = e.a;
        j["woken"] = e.b;
        j["all_waiters"] = e.flags != 0;
        break;
      case EventKind::blocking_begin:
      case EventKind::blocking_end:
        j["lane"] = e.a;
        j["job"] = e.b;
        break;
      case EventKind::request_begin:
        j["request"] = e.a;
        j["url"] = trace.string(e.b);
        break;
      case EventKind::request_end: {
        static constexpr const char* failures[] = {"none", "connection refused", "connection reset", "timed out",
                                                   "cancelled"};
        j["request"] = e.a;
        j["status"] = e.b;
        j["failure"] = e.flags < 5 ? failures[e.flags] : "unknown";
        break;
      }
      case EventKind::stuck_wait:
        j["resource"] = e.a;
        j["held_by"] = e.b;
        j["on_cycle"] = (e.flags & 1) != 0;
        if (e.flags & 2) j["awaits_join_handle_of"] = e.b;
        break;
      case EventKind::timer_cancelled:
        j["timer"] = e.a;
        break;
      case EventKind::pin: {
        static constexpr const char* actions[] = {"placed", "moved", "pinned", "moved_after_pin", "dropped", "self_ref"};
        j["pinned"] = e.a;
        j["action"] = e.flags < 6 ? actions[e.flags] : "unknown";
        j["home"] = e.b;
        break;
      }
      case EventKind::task_stolen:
        j["from_worker"] = e.a;
        j["to_worker"] = e.b;
        break;
      case EventKind::channel_value:
        j["resource"] = e.a;
        j["label"] = trace.value_label(e);
        break;
      case EventKind::kind_count_:
        break;
    }
    // Only multi_thread traces have workers other than 0: current_thread lines stay as they were.
    if (e.worker && e.kind != EventKind::runtime_started) j["worker"] = e.worker;
    dump(out, j);
    out << '\n';
  }
}

}  // namespace asynclab::trace
