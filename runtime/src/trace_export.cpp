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

#include "asynclab/trace/codec.hpp"
#include "asynclab/trace/export.hpp"

namespace asynclab::trace {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

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
      visit(e, overloaded{
        [&](const ev::RuntimeStarted& x) {
          virtual_time_ = x.virtual_time;
          seed_ = x.seed;
        },
        [&](const ev::TaskSpawned& x) { tids_.insert(x.parent); },
        [&](const ev::Wake& x) {
          tids_.insert(x.by);
          waiting[x.woken].push_back(i);
        },
        [&](const ev::PollBegin& x) {
          auto it = waiting.find(x.task);
          if (it == waiting.end() || it->second.empty()) return;
          for (std::size_t w : it->second) has_flow_[w] = true;
          flows_into_[i] = std::move(it->second);
          waiting.erase(it);
        },
        [](const auto&) {},
      });
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
      visit(e, overloaded{
        [&](const ev::RuntimeStarted& x) {
          // The flavor and the worker count, which the worker field of this event carries (workers - 1).
          instant(runtime_tid, t, "runtime started", "runtime",
                  json{{"virtual_time", x.virtual_time}, {"seed", x.seed}, {"flavor", x.flavor}, {"workers", x.workers}});
        },
        [&](const ev::TaskSpawned& x) {
          instant(x.parent, t, "spawn " + trace_.task_name(x.task), "task",
                  json{{"task", x.task},
                       {"name", trace_.task_name(x.task)},
                       {"location", trace_.describe_location(trace_.site(x.site).location)}});
        },
        [&](const ev::PollBegin& x) { open_[x.task] = OpenPoll{t, i, e.worker}; },
        [&](const ev::PollEnd& x) {
          close_poll(x.task, t, poll_result_name(x.result), trace_.describe_location(x.parked_at),
                     x.result == PollResult::ready      ? "good"
                     : x.result == PollResult::panicked ? "terrible"
                                                        : "generic_work");
        },
        [&](const ev::Wake& x) { wake(i, e, x, t); },
        [&](const ev::TaskCompleted& x) {
          instant(x.task, t, fmt::format("completed: {}", outcome_name(x.outcome)), "task",
                  json{{"outcome", outcome_name(x.outcome)}});
        },
        [&](const ev::ClockAdvanced& x) {
          instant(runtime_tid, t, "clock advanced", "time", json{{"from_ns", x.from_ns}, {"to_ns", x.to_ns}});
        },
        [&](const ev::Lint& x) {
          instant(x.task, t, fmt::format("lint: {}", lint_name(x.lint)), "lint",
                  json{{"lint", lint_name(x.lint)}, {"detail", x.detail}, {"location", trace_.describe_location(x.location)}});
        },
        [&](const ev::Mark& x) {
          instant(x.task, t, std::string(trace_.string(x.label)), "mark", json{{"label", trace_.string(x.label)}});
        },
        [&](const ev::RuntimeStopped& x) {
          instant(runtime_tid, t, "runtime stopped", "runtime", json{{"reason", stop_reason_name(x.reason)}});
        },
        [&](const auto&) {
          // The resource events (trace::is_resource_event) are instants on the acting task's track;
          // everything else goes to the details process, whole (a, b and flags as numbers), which is
          // what the importer (trace/chrome_import.hpp) reads back.
          if (is_resource_event(e.kind))
            resource(e, t);
          else
            detail(e, t);
        },
      });
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

  void wake(std::size_t i, const Event& e, const ev::Wake& w, std::uint64_t t) {
    if (!has_flow_[i]) return detail(e, t);  // the woken task was never polled again: no arrow to draw
    // A flow starts from the slice enclosing it. A wake from inside a poll has that poll; a wake
    // from the timer driver (by 0), or from a task finishing (its join waker fires after its last
    // poll), gets a 1 ns slice of its own on the waker's track to start from.
    if (w.by == runtime_tid || !open_.contains(w.by)) {
      std::string name = w.source == WakeSource::timer ? "timer fires" : fmt::format("wake ({})", wake_source_name(w.source));
      emit(json{{"ph", "X"}, {"name", name}, {"cat", "wake"}, {"pid", pid}, {"tid", w.by}, {"ts", micros(t)},
                {"dur", micros(1)}, {"args", {{"wakes", trace_.task_name(w.woken)}}}});
    }
    json args{{"woken", trace_.task_name(w.woken)},
              {"source", wake_source_name(w.source)},
              {"self", w.self},
              {"by_ref", w.by_ref}};
    if (multi_worker_) args["worker"] = e.worker;
    emit(json{{"ph", "s"}, {"name", "wake"}, {"cat", "wake"}, {"id", i + 1}, {"pid", pid}, {"tid", w.by},
              {"ts", micros(t)}, {"args", std::move(args)}});
  }

  // Any other event, whole, on its task's track in the details process: its kind by name, `a`, `b`
  // and the flags as numbers, and `b` as text where it names a string (a request's url).
  void detail(const Event& e, std::uint64_t t) {
    json args{{"event", kind_name(e.kind)}, {"a", e.a}, {"b", e.b}, {"flags", e.flags}};
    if (auto request = as<ev::RequestBegin>(e)) args["text"] = trace_.string(request->url);
    if (multi_worker_) args["worker"] = e.worker;
    emit(json{{"ph", "i"}, {"s", "t"}, {"name", kind_name(e.kind)}, {"cat", "detail"}, {"pid", details_pid},
              {"tid", e.task}, {"ts", micros(t)}, {"args", std::move(args)}});
  }

  // Channels, locks and notifies: an instant on the acting task's track ("channel_send jobs"). The
  // args carry the event whole — its kind by name, the resource id, `b` as "value", the flags — and
  // the resource's name and kind, so an importer can rebuild the resources
  // (trace/chrome_import.hpp) and a reader of the JSON sees which channel it was.
  void resource(const Event& e, std::uint64_t t) {
    if (auto created = as<ev::ResourceCreated>(e))
      resources_[created->resource] = {std::string(trace_.string(created->name)), created->resource_kind};
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
    auto by = [&](std::uint32_t task) {
      j["by"] = task;
      j["by_name"] = name_of(trace, task);
    };
    visit(e, overloaded{
      [&](const ev::RuntimeStarted& x) {
        j["virtual_time"] = x.virtual_time;
        j["flavor"] = flavor_name(x.flavor);
        if (x.multi_thread()) j["workers"] = x.workers;
        j["seed"] = x.seed;
      },
      [&](const ev::TaskSpawned& x) {
        j["name"] = trace.task_name(x.task);
        j["parent"] = x.parent;
        j["parent_name"] = name_of(trace, x.parent);
        j["location"] = location_or_null(trace, trace.site(x.site).location);
      },
      [&](const ev::PollBegin&) {},
      [&](const ev::PollEnd& x) {
        j["result"] = poll_result_name(x.result);
        j["parked_at"] = location_or_null(trace, x.parked_at);
        if (x.own_code_at) j["own_code_at"] = location_or_null(trace, x.own_code_at);
      },
      [&](const ev::WakerCloned& x) { by(x.by); },
      [&](const ev::WakerDropped& x) { by(x.by); },
      [&](const ev::Wake& x) {
        j["source"] = wake_source_name(x.source);
        j["self"] = x.self;
        j["by_ref"] = x.by_ref;
        by(x.by);
      },
      [&](const ev::TaskCompleted& x) { j["outcome"] = outcome_name(x.outcome); },
      [&](const ev::FutureCreated& x) {
        j["node"] = x.node;
        j["parent_node"] = x.parent_node;
        j["node_kind"] = future_node_name(x.node_kind);
        if (x.node_kind == FutureNode::branch) j["branch"] = x.branch;
      },
      [&](const ev::FuturePolled& x) {
        j["node"] = x.node;
        j["ready"] = x.ready;
      },
      [&](const ev::FutureDropped& x) {
        j["node"] = x.node;
        j["completed"] = x.answered_ready();  // answered Ready (FutureEnd's low bit)
        j["end"] = future_end_name(x.end);
      },
      [&](const ev::TimerArmed& x) {
        j["timer"] = x.timer;
        j["delay_us"] = x.delay_us;
      },
      [&](const ev::TimerFired& x) { j["timer"] = x.timer; },
      [&](const ev::ClockAdvanced& x) {
        j["from_ns"] = x.from_ns;
        j["to_ns"] = x.to_ns;
      },
      [&](const ev::Lint& x) {
        j["lint"] = lint_name(x.lint);
        j["detail"] = x.detail;
        j["location"] = location_or_null(trace, x.location);
      },
      [&](const ev::Mark& x) { j["label"] = trace.string(x.label); },
      [&](const ev::RuntimeStopped& x) { j["reason"] = stop_reason_name(x.reason); },
      [&](const ev::ResourceCreated& x) {
        j["resource"] = x.resource;
        j["resource_kind"] = resource_kind_name(x.resource_kind);
        j["name"] = trace.string(x.name);
      },
      [&](const ev::ResourceLimits& x) {
        j["resource"] = x.resource;
        j["limit"] = x.limit;
      },
      [&](const ev::ResourceDropped& x) { j["resource"] = x.resource; },
      [&](const ev::ChannelSend& x) {
        j["resource"] = x.resource;
        j["buffered"] = x.buffered;
        j["result"] = send_result_name(x.result);
      },
      [&](const ev::ChannelRecv& x) {
        j["resource"] = x.resource;
        j[x.result == RecvResult::lagged ? "skipped" : "buffered"] = x.count;
        j["result"] = recv_result_name(x.result);
      },
      [&](const ev::ChannelClosed& x) {
        j["resource"] = x.resource;
        j["reason"] = close_reason_name(x.reason);
      },
      [&](const ev::LockWaiting& x) {
        j["resource"] = x.resource;
        j["waiting"] = x.waiting;
      },
      [&](const ev::LockAcquired& x) {
        j["resource"] = x.resource;
        j["permits_left"] = x.permits_left;
      },
      [&](const ev::LockReleased& x) {
        j["resource"] = x.resource;
        j["permits_left"] = x.permits_left;
      },
      [&](const ev::Notified& x) {
        j["resource"] = x.resource;
        j["woken"] = x.woken;
        j["all_waiters"] = x.all_waiters;
      },
      [&](const ev::BlockingBegin& x) {
        j["lane"] = x.lane;
        j["job"] = x.job;
      },
      [&](const ev::BlockingEnd& x) {
        j["lane"] = x.lane;
        j["job"] = x.job;
      },
      [&](const ev::RequestBegin& x) {
        j["request"] = x.request;
        j["url"] = trace.string(x.url);
      },
      [&](const ev::RequestEnd& x) {
        j["request"] = x.request;
        j["status"] = x.status;
        j["failure"] = http_failure_name(x.failure);
      },
      [&](const ev::StuckWait& x) {
        j["resource"] = x.resource;
        j["held_by"] = x.holder;
        j["on_cycle"] = x.on_cycle;
        if (x.awaits_join_handle) j["awaits_join_handle_of"] = x.holder;
      },
      [&](const ev::TimerCancelled& x) { j["timer"] = x.timer; },
      [&](const ev::Pin& x) {
        j["pinned"] = x.pinned;
        j["action"] = pin_action_name(x.action);
        j["home"] = x.home;
      },
      [&](const ev::TaskStolen& x) {
        j["from_worker"] = x.from_worker;
        j["to_worker"] = x.to_worker;
      },
      [&](const ev::ChannelValue& x) {
        j["resource"] = x.resource;
        j["label"] = trace.value_label(e);
      },
    });
    // Only multi_thread traces have workers other than 0: current_thread lines stay as they were.
    if (e.worker && e.kind != EventKind::runtime_started) j["worker"] = e.worker;
    dump(out, j);
    out << '\n';
  }
}

}  // namespace asynclab::trace
