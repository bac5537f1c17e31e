// The "Tasks" window: every task with tokio-console's columns — state, polls, busy, scheduled and
// idle time, wakes, self-wakes, where it was spawned, warnings — sortable by any column. Every
// column is as of the playback cursor (model/task_counters.hpp), and sorts by what it shows; at the
// end of the run they are tokio-console's totals. Clicking a row selects the task everywhere.
#include <algorithm>
#include <numeric>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_internal.h>  // TableSetColumnWidthAutoAll: fit the widths to rows that arrived later

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/task_style.hpp"
#include "model/task_counters.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

enum Column { col_id, col_name, col_state, col_polls, col_busy, col_scheduled, col_idle, col_wakes, col_self, col_location, col_warnings, column_count };

bool by_counter(int column) {
  return column == col_polls || column == col_busy || column == col_scheduled || column == col_idle || column == col_wakes ||
         column == col_self || column == col_warnings;
}

// Orders task slots by the column the learner clicked; ties keep spawn order so rows never jump.
void sort_rows(std::vector<std::uint32_t>& rows, const Session& session, const ImGuiTableSortSpecs* specs) {
  if (!specs || specs->SpecsCount == 0) return;
  const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
  const auto& tasks = session.index().tasks();
  const auto& now = session.state().tasks;
  // The counter columns sort by what they show: the counters as of the cursor, worked out once per
  // sort for every task (not the whole run's totals, which would order by what has not happened).
  std::vector<TaskCounters> counters;
  if (by_counter(spec.ColumnIndex)) {
    counters.resize(tasks.size());
    for (std::uint32_t slot : rows) counters[slot] = task_counters_at(session.lane_index(), slot, session.state().cursor);
  }
  auto key = [&](std::uint32_t slot) -> std::uint64_t {
    const TaskInfo& t = tasks[slot];
    switch (spec.ColumnIndex) {
      case col_id: return t.id;
      case col_state: return static_cast<std::uint64_t>(now[slot].state);
      case col_polls: return counters[slot].polls;
      case col_busy: return counters[slot].busy_ns;
      case col_scheduled: return counters[slot].scheduled_ns;
      case col_idle: return counters[slot].idle_ns;
      case col_wakes: return counters[slot].wakes;
      case col_self: return counters[slot].self_wakes;
      case col_warnings: return counters[slot].lints;
      default: return slot;
    }
  };
  const bool descending = spec.SortDirection == ImGuiSortDirection_Descending;
  if (spec.ColumnIndex == col_name || spec.ColumnIndex == col_location) {
    std::vector<std::string> text(tasks.size());
    for (std::uint32_t slot : rows)
      text[slot] = spec.ColumnIndex == col_name ? tasks[slot].name
                                                : session.trace().describe_location(tasks[slot].spawn_location);
    std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
      return descending ? text[b] < text[a] : text[a] < text[b];
    });
    return;
  }
  std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
    return descending ? key(b) < key(a) : key(a) < key(b);
  });
}

}  // namespace

void show_task_table(Session& session, ViewState& view, bool* open) {
  const TraceIndex& index = session.index();
  const std::string title = fmt::format("Tasks ({}){}", index.tasks().size(), imgui_id_of(ViewWindow::tasks));
  if (begin_window(title.c_str(), open)) {
    constexpr ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                      ImGuiTableFlags_ScrollX | ImGuiTableFlags_BordersInnerV |
                                      ImGuiTableFlags_Resizable | ImGuiTableFlags_Hideable;
    if (ImGui::BeginTable("tasks", column_count, flags)) {
      ImGui::TableSetupScrollFreeze(2, 1);
      // Presentation mode's large type fits the first six columns: the rest are one right-click away.
      if (view.present)
        for (int column : {col_idle, col_self, col_location, col_warnings}) ImGui::TableSetColumnEnabled(column, false);
      ImGui::TableSetupColumn("id", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort);
      ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("polls", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("busy", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("scheduled", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("idle", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("wakes", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("self-wakes", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("spawned at", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("warnings", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableHeadersRow();
      // Widths fit the rows: once for each trace shown (the table outlives a lesson or trace
      // switch), and again whenever a live trace has more tasks than they were fitted to, up to a
      // few hundred (after that the widths have seen the shapes they need). A finished trace keeps
      // the widths a learner dragged.
      const bool new_session = view.task_columns_session != &session;
      const bool grew = view.live.feed != nullptr && index.tasks().size() > view.task_columns_fitted &&
                        view.task_columns_fitted < 256;
      if (new_session || grew) {
        ImGui::TableSetColumnWidthAutoAll(ImGui::GetCurrentTable());
        view.task_columns_fitted = index.tasks().size();
        view.task_columns_session = &session;
      }

      // Sorting happens when the learner clicks a header, or when the cursor moves while the table is
      // sorted by state or a counter (what those show changes with it) — not every frame of a big
      // trace playing: a 10,000-task table re-sorts when the cursor stops, not 60 times a second.
      std::vector<std::uint32_t>& rows = view.task_rows;
      ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
      const int sorted_by = specs && specs->SpecsCount > 0 ? static_cast<int>(specs->Specs[0].ColumnIndex) : static_cast<int>(col_id);
      const bool follows_cursor = sorted_by == col_state || by_counter(sorted_by);
      // Cheap: worked out for every task, the counters cost about one pass over the trace.
      const bool cheap = (index.tasks().size() <= 500 && session.trace().size() <= 100'000) || !session.playback().playing();
      if (rows.size() != index.tasks().size() || (specs && specs->SpecsDirty) ||
          (follows_cursor && cheap && view.task_rows_cursor != session.state().cursor)) {
        rows.resize(index.tasks().size());
        std::iota(rows.begin(), rows.end(), 0u);
        sort_rows(rows, session, specs);
        if (specs) specs->SpecsDirty = false;
        view.task_rows_cursor = session.state().cursor;
      }

      // Only the rows on screen are drawn (the clipper): a trace of 10,000 tasks scrolls smoothly.
      ImGuiListClipper clipper;
      clipper.Begin(static_cast<int>(rows.size()));
      while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
          const std::uint32_t slot = rows[static_cast<std::size_t>(r)];
          const TaskInfo& t = index.tasks()[slot];
          const TaskNow& now = session.state().tasks[slot];
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          const std::string id = fmt::format("{}##task{}", t.id, t.id);
          const bool selected = session.selected_task == t.id;
          if (ImGui::Selectable(id.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
            session.selected_task = selected ? 0 : t.id;
          ui_report::item();
          ImGui::TableNextColumn();
          text(t.name);
          ImGui::TableNextColumn();
          text_coloured(state_colour(now.state), task_state_name(now.state));
          // The counters as of the cursor (model/task_counters.hpp): nothing from later in the run.
          // A hidden column (presentation mode, or the learner's choice) draws nothing.
          const TaskCounters c = task_counters_at(session.lane_index(), slot, session.state().cursor);
          if (ImGui::TableNextColumn()) text_mono(fmt::format("{}", c.polls));
          if (ImGui::TableNextColumn()) text_mono(format_duration(c.busy_ns));
          if (ImGui::TableNextColumn()) text_mono(format_duration(c.scheduled_ns));
          if (ImGui::TableNextColumn()) text_mono(format_duration(c.idle_ns));
          if (ImGui::TableNextColumn()) text_mono(fmt::format("{}", c.wakes));
          if (ImGui::TableNextColumn()) {
            if (c.wakes > 0 && c.self_wakes * 2 > c.wakes)
              text_coloured(palette::panicked, fmt::format("{}", c.self_wakes));
            else
              text_mono(fmt::format("{}", c.self_wakes));
          }
          if (ImGui::TableNextColumn()) text_muted(session.trace().describe_location(t.spawn_location));
          if (ImGui::TableNextColumn() && c.lints) text_coloured(palette::panicked, fmt::format("⚠ {}", c.lints));
        }
      }
      ImGui::EndTable();
    }
  }
  end_window();
}

}  // namespace asynclab::vis
