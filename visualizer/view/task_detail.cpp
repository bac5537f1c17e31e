// The "Task" window: one task up close — the selected one, or else the task of the current event.
// Its state at the cursor and where it is parked; its future tree (join, select and timeout nodes
// with their branches: live, finished, or dropped mid-flight); the wakes it has received so far and
// who sent them; buttons to step to its next or previous event.
#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <imgui.h>

#include "app/ui_report.hpp"
#include "model/describe.hpp"
#include "view/task_style.hpp"
#include "model/task_counters.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

const char* node_kind_name(trace::FutureNode k) {
  switch (k) {
    case trace::FutureNode::join: return "join";
    case trace::FutureNode::try_join: return "try_join";
    case trace::FutureNode::select: return "select";
    case trace::FutureNode::branch: return "branch";
    case trace::FutureNode::timeout: return "timeout";
  }
  return "future";
}

// The future tree as it stood at the cursor: nodes created before it, children under their parent.
void show_future_tree(const Session& session, const TaskInfo& task) {
  const auto& nodes = session.index().future_nodes();
  const std::size_t cursor = session.state().cursor;
  std::vector<std::uint32_t> visible;
  for (std::uint32_t f : task.future_nodes)
    if (nodes[f].created_event < cursor) visible.push_back(f);
  if (visible.empty()) {
    text_muted("No join / select / timeout inside this task yet.");
    return;
  }
  // A combinator (join, select, timeout) records its branches, not itself: it is finished when every
  // branch it made has been dropped.
  auto finished_combinator = [&](std::uint32_t node) {
    bool any = false;
    for (std::uint32_t f : visible) {
      if (nodes[f].parent != node) continue;
      any = true;
      if (nodes[f].dropped_event == npos || nodes[f].dropped_event >= cursor) return false;
    }
    return any;
  };
  std::function<void(std::uint32_t, int)> draw = [&](std::uint32_t parent, int depth) {
    for (std::uint32_t f : visible) {
      const FutureNodeInfo& n = nodes[f];
      if (n.parent != parent) continue;
      const bool branch = n.kind == trace::FutureNode::branch;
      const bool dropped = n.dropped_event != npos && n.dropped_event < cursor;
      const std::string label = branch ? fmt::format("branch {}", n.branch) : std::string(node_kind_name(n.kind));
      ImGui::Indent(static_cast<float>(depth) * ImGui::GetFontSize());
      if (!branch) {
        if (finished_combinator(n.node)) text_coloured(palette::done, fmt::format("{}  — finished", label));
        else text_coloured(palette::scheduled, fmt::format("{}  — in progress", label));
      } else if (!dropped) {
        text_coloured(palette::scheduled, fmt::format("{}  — alive", label));
      } else if (n.completed) {
        text_coloured(palette::done, fmt::format("{}  — finished", label));
      } else {
        text_coloured(palette::cancelled, fmt::format("✗ {}  — dropped mid-flight (cancelled)", label));
      }
      ImGui::Unindent(static_cast<float>(depth) * ImGui::GetFontSize());
      draw(n.node, depth + 1);
    }
  };
  draw(0, 0);
}

}  // namespace

void show_task_detail(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  std::uint32_t id = session.selected_task ? session.selected_task : session.current_task();
  const TaskInfo* task = index.task(id);
  if (begin_window("Task###Task detail", open)) {
    if (!task) {
      text_muted("Select a task in the Tasks table or on the timeline.");
    } else {
      const std::uint32_t slot = index.task_slot(id);
      const TaskNow& now = session.state().tasks[slot];
      text_coloured(palette::accent_text, fmt::format("{}  (task {})", task->name, task->id));
      ImGui::SameLine();
      text_coloured(state_colour(now.state), task_state_name(now.state));
      if (!session.selected_task) {
        ImGui::SameLine();
        text_muted("(the current event's task)");
      }
      text_muted(fmt::format("spawned by {} at {}", index.task_label(task->parent),
                             session.trace().describe_location(task->spawn_location)));
      if (now.state == TaskState::idle && now.parked_at)
        text(fmt::format("parked at {}", session.trace().describe_location(now.parked_at)));
      if (now.waiting_on) text(fmt::format("waiting for {}", describe_resource(index, now.waiting_on)));
      // So far: the counters as of the cursor (model/task_counters.hpp).
      const TaskCounters so_far = task_counters_at(session.lane_index(), index.task_slot(id), session.state().cursor);
      text_wrapped(fmt::format("polled {} time{} so far · busy {} · scheduled {} · idle {}", so_far.polls,
                               so_far.polls == 1 ? "" : "s", format_duration(so_far.busy_ns),
                               format_duration(so_far.scheduled_ns), format_duration(so_far.idle_ns)));
      if (button("◀ previous event##task")) session.playback().step_to_prev_of_task(id);
      ImGui::SameLine();
      if (button("next event ▶##task")) session.playback().step_to_next_of_task(id);
      if (session.selected_task) {
        ImGui::SameLine();
        if (button("Unselect")) session.selected_task = 0;
      }

      section_heading("Future tree");
      show_future_tree(session, *task);

      section_heading("Wakes received");
      const std::size_t cursor = session.state().cursor;
      std::size_t shown = 0;
      // Newest first: the wake that explains the current state is at the top.
      for (auto it = task->wakes_received.rbegin(); it != task->wakes_received.rend() && shown < 20; ++it) {
        const WakeEdge& w = index.wakes()[*it];
        if (w.event >= cursor) continue;
        ++shown;
        const std::string from = w.source == trace::WakeSource::budget ? std::string("itself (budget spent: made to yield)")
                                 : w.self                               ? std::string("itself")
                                 : w.source == trace::WakeSource::task
                                     ? index.task_label(w.from_task)
                                     : std::string(trace::wake_source_name(w.source));
        text_mono(fmt::format("{:>12}  ← {}{}", format_duration(w.time_ns), from, w.by_ref ? " (wake_by_ref)" : ""));
      }
      if (shown == 0) text_muted("None yet.");
    }
  }
  end_window();
}

}  // namespace asynclab::vis
