// See window_text.hpp.
#include "terminal/window_text.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "model/describe.hpp"
#include "model/future_tree.hpp"
#include "model/task_counters.hpp"
#include "model/wait_for.hpp"

namespace asynclab::vis {

namespace {

// Display width in columns (UTF-8: every code point one column, as the runner's text is).
std::size_t width_of(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Appends `line` to `out`, wrapped at word boundaries to `columns`, continuation lines indented.
void put(std::string& out, std::string_view line, std::size_t columns, std::size_t indent = 4) {
  std::size_t used = 0;
  bool first_word = true;
  while (!line.empty()) {
    const std::size_t space = line.find(' ');
    const std::string_view word = line.substr(0, space);
    const std::size_t w = width_of(word);
    if (!first_word && used + 1 + w > columns) {
      out += '\n';
      out.append(indent, ' ');
      used = indent;
      first_word = true;
    }
    if (!first_word) {
      out += ' ';
      ++used;
    }
    out += word;
    used += w;
    first_word = false;
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  out += '\n';
}

std::string names(const TraceIndex& index, const auto& ids) {
  std::string s;
  for (std::uint32_t id : ids) s += (s.empty() ? "" : ", ") + index.task_label(id);
  return s.empty() ? std::string("none") : s;
}

std::string executor(const TraceIndex& index, const WorldState& state, std::size_t columns) {
  std::string out;
  const std::uint64_t start = index.run().start_ns;
  put(out, fmt::format("Executor — clock {} ({}){}", format_duration(state.clock_ns - std::min(state.clock_ns, start)),
                       index.run().virtual_time ? "virtual time" : "real time",
                       state.stopped ? ", the runtime has stopped" : ""), columns);
  if (state.workers.empty()) {
    put(out, fmt::format("  worker: {}", state.running ? "polling " + index.task_label(state.running) : std::string("idle")),
        columns);
    put(out, fmt::format("  run queue, front first: {}", names(index, state.run_queue)), columns);
    if (state.block_on_woken)
      put(out, fmt::format("  block_on's future: {} woken, polled once the run queue is empty",
                           index.task_label(state.block_on_woken)),
          columns);
  } else {
    for (std::size_t w = 0; w < state.workers.size(); ++w) {
      const WorkerNow& worker = state.workers[w];
      put(out, fmt::format("  worker {}: {}{}; local queue: {}", w,
                           worker.running ? "polling " + index.task_label(worker.running) : std::string("idle"),
                           worker.blocked ? " (blocked in " + index.task_label(worker.blocked) + ")" : std::string(),
                           names(index, worker.local)),
          columns);
    }
    put(out, fmt::format("  inject queue: {}", names(index, state.run_queue)), columns);
  }
  for (std::size_t lane = 0; lane < state.blocking_busy.size(); ++lane)
    if (state.blocking_busy[lane])
      put(out, fmt::format("  {}: busy with {}", lane ? fmt::format("blocking lane {}", lane) : std::string("the worker"),
                           index.task_label(state.blocking_busy[lane])),
          columns);
  if (state.timers.empty()) put(out, "  timers: none armed", columns);
  for (const ArmedTimer& t : state.timers)
    put(out, fmt::format("  timer: at {} wakes {}", format_duration(t.deadline_ns - std::min(t.deadline_ns, start)),
                         index.task_label(t.owner)),
        columns);
  // Steals so far (multi-worker runs).
  std::size_t steals = 0;
  for (const StealRecord& st : index.steals())
    if (st.event < state.cursor) ++steals;
  if (steals)
    for (const StealRecord& st : index.steals())
      if (st.event < state.cursor)
        put(out, fmt::format("  steal at {}: {}", format_duration(st.time_ns - start), describe_steals(index, st.event, 1)),
            columns);
  return out;
}

std::string resources(const TraceIndex& index, const WorldState& state, std::size_t columns) {
  std::string out;
  put(out, "Resources", columns);
  bool any = false;
  for (std::size_t r = 0; r < index.resources().size() && r < state.resources.size(); ++r) {
    const ResourceInfo& info = index.resources()[r];
    const ResourceNow& now = state.resources[r];
    if (info.created_event >= state.cursor) continue;
    any = true;
    const std::string name = describe_resource(index, info.id);
    switch (info.kind) {
      case trace::ResourceKind::mutex:
        put(out, fmt::format("  {}: held by {}; waiting: {}", name, names(index, now.holders), names(index, now.waiters)),
            columns);
        break;
      case trace::ResourceKind::semaphore:
        put(out, fmt::format("  {}: {} of {} permits free; held by {}; waiting: {}", name, now.permits, info.capacity,
                             names(index, now.holders), names(index, now.waiters)),
            columns);
        break;
      case trace::ResourceKind::notify:
        put(out, fmt::format("  {}: waiting: {}", name, names(index, now.waiters)), columns);
        break;
      default: {
        std::string values;
        for (std::size_t k = 0; k < now.labels.size(); ++k) {
          const std::string label = label_text(index.trace(), now.labels[k]);
          values += (values.empty() ? "" : ", ") + (label.empty() ? std::string("·") : label);
        }
        put(out, fmt::format("  {}: {} buffered{}{}{}; {} sent, {} received{}", name, now.buffered,
                             info.capacity ? fmt::format(" of {}", info.capacity) : std::string(),
                             values.empty() ? "" : ": ", values, now.sends, now.recvs,
                             now.closed ? "; closed" : ""),
            columns);
      }
    }
  }
  if (!any) put(out, "  no channels or locks yet", columns);
  return out;
}

std::string warnings(const TraceIndex& index, const WorldState& state, std::size_t columns) {
  std::string out;
  put(out, "Warnings", columns);
  bool any = false;
  for (const LintRecord& lint : index.lints()) {
    if (lint.event >= state.cursor) continue;
    any = true;
    put(out, fmt::format("  ⚠ {}  {}", format_duration(lint.time_ns - index.run().start_ns), describe_lint(index, lint)),
        columns);
  }
  if (!index.stuck().empty() && index.stuck().front().event < state.cursor) {
    any = true;
    const bool cycle = std::ranges::any_of(index.stuck(), &StuckRecord::on_cycle);
    put(out, cycle ? "  Deadlock: the tasks wait for each other in a cycle; nothing can wake them."
                   : "  Stuck: every task is waiting and nothing can wake them.",
        columns);
    for (const StuckRecord& st : index.stuck()) {
      std::string line = "    " + describe_stuck(index, st);
      if (st.on_cycle) line += " (on the wait-for cycle)";
      put(out, line, columns, 6);
    }
    const std::vector<WaitForEdge> cycle_edges = wait_for_cycle(index);
    if (!cycle_edges.empty()) {
      std::string chain = "    the cycle: ";
      for (const WaitForEdge& e : cycle_edges)
        chain += index.task_label(e.task) + " → " + describe_resource(index, e.resource) + " → ";
      chain += index.task_label(cycle_edges.front().task);
      put(out, chain, columns, 6);
    }
  }
  if (!any) put(out, "  none so far", columns);
  return out;
}

std::string tasks(const LaneIndex& lanes, const WorldState& state, std::size_t columns) {
  const TraceIndex& index = lanes.index();
  std::string out;
  put(out, "Tasks (as of the cursor)", columns);
  put(out, fmt::format("  {:<16} {:<12} {:>5} {:>12} {:>6}", "name", "state", "polls", "busy", "wakes"), columns);
  for (std::uint32_t slot = 0; slot < index.tasks().size() && slot < state.tasks.size(); ++slot) {
    const TaskCounters c = task_counters_at(lanes, slot, state.cursor);
    std::string name = index.tasks()[slot].name;
    if (width_of(name) > 16) name = name.substr(0, 15) + "…";
    put(out, fmt::format("  {:<16} {:<12} {:>5} {:>12} {:>6}", name, task_state_name(state.tasks[slot].state), c.polls,
                         format_duration(c.busy_ns), c.wakes),
        columns);
  }
  return out;
}

std::string task(const LaneIndex& lanes, const WorldState& state, std::uint32_t id, std::size_t columns) {
  const TraceIndex& index = lanes.index();
  if (id == 0 && !index.tasks().empty()) id = index.tasks().front().id;
  const std::uint32_t slot = index.task_slot(id);
  if (slot == npos || slot >= state.tasks.size()) return {};
  const TaskNow& now = state.tasks[slot];
  const TaskCounters c = task_counters_at(lanes, slot, state.cursor);
  std::string out;
  put(out, fmt::format("Task {} (task {}): {}", index.task_label(id), id, task_state_name(now.state)), columns);
  put(out, fmt::format("  polled {} time{} so far · busy {} · scheduled {} · idle {} · {} wake{}", c.polls,
                       c.polls == 1 ? "" : "s", format_duration(c.busy_ns), format_duration(c.scheduled_ns),
                       format_duration(c.idle_ns), c.wakes, c.wakes == 1 ? "" : "s"),
      columns);
  if (now.state == TaskState::idle && now.parked_at)
    put(out, fmt::format("  parked at {}", index.trace().describe_location(now.parked_at)), columns);
  if (now.waiting_on) put(out, fmt::format("  waiting for {}", describe_resource(index, now.waiting_on)), columns);
  // Its future tree, as the Task window draws it.
  const std::vector<FutureTreeLine> tree = future_tree_at(lanes, id, state.cursor);
  if (!tree.empty()) put(out, "  future tree:", columns);
  for (const FutureTreeLine& line : tree)
    put(out, std::string(4 + 2 * static_cast<std::size_t>(line.depth), ' ') + future_tree_line_text(line), columns);
  // The wakes it received so far, newest first (the one that explains its state on top), as the Task
  // window lists them; a few, then how many more.
  const TaskInfo* info = index.task(id);
  std::vector<const WakeEdge*> wakes;
  if (info != nullptr)
    for (auto it = info->wakes_received.rbegin(); it != info->wakes_received.rend(); ++it)
      if (index.wakes()[*it].event < state.cursor) wakes.push_back(&index.wakes()[*it]);
  if (!wakes.empty()) put(out, "  wakes received, newest first:", columns);
  constexpr std::size_t listed = 8;
  for (std::size_t i = 0; i < std::min(wakes.size(), listed); ++i) put(out, "  " + describe_wake_received(index, *wakes[i]), columns);
  if (wakes.size() > listed) put(out, fmt::format("    … and {} earlier", wakes.size() - listed), columns);
  return out;
}

std::string pinning(const TraceIndex& index, const WorldState& state, std::size_t columns) {
  std::string out;
  put(out, "Pinning", columns);
  bool any = false;
  for (const PinInfo& pin : index.pins()) {
    std::uint32_t home = 0, pinned_at = 0, self_ref = 0;
    bool dropped = false, moved_after_pin = false;
    for (const PinStep& step : pin.steps) {
      if (step.event >= state.cursor) break;
      any = true;
      switch (step.action) {
        case trace::PinAction::placed:
        case trace::PinAction::moved: home = step.home; break;
        case trace::PinAction::pinned: home = pinned_at = step.home; break;
        case trace::PinAction::moved_after_pin:
          home = step.home;
          moved_after_pin = true;
          break;
        case trace::PinAction::dropped: dropped = true; break;
        case trace::PinAction::self_ref: self_ref = step.home; break;
      }
    }
    if (home == 0) continue;
    std::string line = fmt::format("  pinned future #{}: {} home {}", pin.id, dropped ? "dropped at" : "at", home);
    if (pinned_at) line += fmt::format(", pinned at home {}", pinned_at);
    if (self_ref) line += fmt::format("; its self-reference points into home {}{}", self_ref,
                                      self_ref != home ? " — dangling" : "");
    if (moved_after_pin) line += " (moved after pinning!)";
    put(out, line, columns);
  }
  if (!any) put(out, "  no pinned futures yet", columns);
  return out;
}

}  // namespace

std::string render_window_text(const LaneIndex& lanes, const WorldState& state, std::string_view window,
                               std::size_t columns, std::uint32_t task_id) {
  columns = std::max<std::size_t>(columns, 40);
  const TraceIndex& index = lanes.index();
  if (window == "Executor") return executor(index, state, columns);
  if (window == "Resources") return resources(index, state, columns);
  if (window == "Warnings") return warnings(index, state, columns);
  if (window == "Tasks") return tasks(lanes, state, columns);
  if (window == "Task") return task(lanes, state, task_id, columns);
  if (window == "Pinning") return pinning(index, state, columns);
  return {};
}

}  // namespace asynclab::vis
