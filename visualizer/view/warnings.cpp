// The "Warnings" window: what the runtime found wrong — lints (forgotten future, lost waker,
// self-wake, long poll) and, when the run ended stuck, the deadlock report with its wait-for cycle.
// Each line is a button: clicking it moves the cursor to that event.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/wait_for_graph.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

// One line of the report: wrapped to the window (never cut), highlighted under the pointer, and a
// click moves the cursor to `event`.
void report_line(Session& session, const std::string& line, palette::Rgba colour, std::size_t event) {
  ImGui::PushID(static_cast<int>(event));
  ImGui::PushStyleColor(ImGuiCol_Text, colour.vec());
  ImGui::PushTextWrapPos(0.0f);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::TextUnformatted(line.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  if (ImGui::IsItemHovered()) {
    ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + ImGui::GetContentRegionAvail().x, max.y),
                                              ImGui::GetColorU32(ImGuiCol_HeaderHovered));
    ImGui::SetTooltip("click: move the cursor here");
  }
  if (ImGui::IsItemClicked()) session.playback().seek(event + 1);
  ui_report::text(line);
  report_if_cut(line, min, max);
  ImGui::PopID();
}

}  // namespace

void show_warnings(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  const std::size_t cursor = session.state().cursor;
  // Only what has happened by the cursor: a lint once it was raised (later ones are listed muted, as
  // what is to come), the stuck report once the runtime stopped.
  const bool stuck_now = !index.stuck().empty() && index.stuck().front().event < cursor;
  const std::size_t count = index.lints().size() + (index.stuck().empty() ? 0 : 1);
  const std::string title = fmt::format("{}{}", count ? fmt::format("Warnings ({})", count) : std::string("Warnings"),
                                        imgui_id_of(ViewWindow::warnings));
  if (begin_window(title.c_str(), open)) {
    if (stuck_now) {
      const bool cycle = std::ranges::any_of(index.stuck(), &StuckRecord::on_cycle);
      const bool nothing_known = std::ranges::all_of(index.stuck(), [](const StuckRecord& st) { return st.resource == 0; });
      text_wrapped_coloured(palette::cancelled,
                            cycle           ? "Deadlock: the tasks wait for each other in a cycle; nothing can wake them."
                            : nothing_known ? "Stuck: every task waits and none was left a way to be woken (a lost waker?)."
                                            : "Stuck: every task is waiting and nothing can wake them.");
      for (const StuckRecord& st : index.stuck()) {
        std::string line = describe_stuck(index, st);
        if (st.on_cycle) line += "  (on the wait-for cycle)";
        report_line(session, line, palette::highlight, st.event);
      }
      if (cycle) show_wait_for_cycle(index);
      ImGui::Spacing();
    } else if (!index.stuck().empty()) {
      text_wrapped_coloured(palette::muted_text, "The run ends stuck: the report appears when the cursor gets there.");
    }
    for (const LintRecord& lint : index.lints()) {
      const bool happened = lint.event < cursor;
      const std::string line = fmt::format("⚠ {:>10}  {}", format_duration(lint.time_ns - index.run().start_ns),
                                           describe_lint(index, lint));
      report_line(session, line, happened ? palette::panicked : palette::muted_text, lint.event);
    }
    if (count == 0) text_wrapped_coloured(palette::muted_text, "No warnings: no forgotten futures, lost wakers, spinning or long polls.");
  }
  end_window();
}

}  // namespace asynclab::vis
