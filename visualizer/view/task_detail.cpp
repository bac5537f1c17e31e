// The "Task" window: one task up close — the selected one, or else the task of the current event.
// Its state at the cursor and where it is parked; its future tree (join, select and timeout nodes
// with their branches: live, finished, or dropped mid-flight); the wakes it has received so far and
// who sent them; buttons to step to its next or previous event.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "model/future_tree.hpp"
#include "view/task_style.hpp"
#include "model/task_counters.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

palette::Rgba future_line_colour(FutureNodeState state) {
  switch (state) {
    case FutureNodeState::dropped: return palette::cancelled;
    case FutureNodeState::finished:
    case FutureNodeState::completed: return palette::done;
    case FutureNodeState::disabled_by_precondition:
    case FutureNodeState::disabled_by_pattern: return palette::muted_text;  // out of the race, nothing lost
    case FutureNodeState::released: return palette::done;  // the borrow ended, nothing was lost
    case FutureNodeState::in_progress:
    case FutureNodeState::alive: return palette::scheduled;
  }
  return palette::scheduled;
}

// The future tree as it stood at the cursor (model/future_tree.hpp), coloured by state.
void show_future_tree(const Session& session, const TaskInfo& task) {
  const std::vector<FutureTreeLine> lines = future_tree_at(session.lane_index(), task.id, session.state().cursor);
  // An empty tree is one line, not a heading and a line: the wakes under it matter more then.
  if (lines.empty()) {
    section_heading("Future tree: none yet (no join / select / timeout in this task)");
    return;
  }
  section_heading("Future tree");
  for (const FutureTreeLine& line : lines) {
    const palette::Rgba colour = future_line_colour(line.state);
    const float indent = static_cast<float>(line.depth) * ImGui::GetFontSize();
    if (indent > 0) ImGui::Indent(indent);
    text_wrapped_coloured(colour, future_tree_line_text(line));
    if (indent > 0) ImGui::Unindent(indent);
  }
}

}  // namespace

void show_task_detail(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  std::uint32_t id = session.selected_task ? session.selected_task : session.current_task();
  const TaskInfo* task = index.task(id);
  if (begin_window(imgui_id_of(ViewWindow::task), open)) {
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

      show_future_tree(session, *task);

      section_heading("Wakes received");
      const std::size_t cursor = session.state().cursor;
      std::size_t shown = 0;
      // Newest first: the wake that explains the current state is at the top.
      for (auto it = task->wakes_received.rbegin(); it != task->wakes_received.rend() && shown < 20; ++it) {
        const WakeEdge& w = index.wakes()[*it];
        if (w.event >= cursor) continue;
        ++shown;
        text_mono(describe_wake_received(index, w));
      }
      if (shown == 0) text_muted("None yet.");
    }
  }
  end_window();
}

}  // namespace asynclab::vis
