// The "Warnings" window: what the runtime found wrong — lints (forgotten future, lost waker,
// self-wake, long poll) and, when the run ended stuck, the deadlock report with its wait-for cycle.
// Each line is a button: clicking it moves the cursor to that event.
#include <fmt/format.h>
#include <imgui.h>

#include "app/ui_report.hpp"
#include "model/describe.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

void show_warnings(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  const std::size_t count = index.lints().size() + (index.stuck().empty() ? 0 : 1);
  const std::string title = count ? fmt::format("Warnings ({})###Warnings", count) : std::string("Warnings###Warnings");
  if (begin_window(title.c_str(), open)) {
    if (!index.stuck().empty()) {
      text_coloured(palette::cancelled, "Deadlock: every task is waiting and nothing can wake them.");
      for (const StuckRecord& st : index.stuck()) {
        std::string line = st.resource ? fmt::format("{} waits on {}", index.task_label(st.task), describe_resource(index, st.resource))
                                       : fmt::format("{} waits on nothing that can wake it", index.task_label(st.task));
        if (st.holder) line += fmt::format(", held by {}", index.task_label(st.holder));
        if (st.on_cycle) line += "  (on the wait-for cycle)";
        ImGui::PushID(static_cast<int>(st.event));
        if (ImGui::Selectable(line.c_str(), false)) session.playback().seek(st.event + 1);
        ui_report::text(line);
        ImGui::PopID();
      }
      ImGui::Spacing();
    }
    for (const LintRecord& lint : index.lints()) {
      const bool happened = lint.event < session.state().cursor;
      const std::string line = fmt::format("⚠ {:>10}  {}", format_duration(lint.time_ns - index.run().start_ns),
                                           describe_lint(index, lint));
      ImGui::PushID(static_cast<int>(lint.event));
      ImGui::PushStyleColor(ImGuiCol_Text, (happened ? palette::panicked : palette::muted_text).vec());
      ImGui::PushTextWrapPos(0.0f);
      if (ImGui::Selectable(line.c_str(), false)) session.playback().seek(lint.event + 1);
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
      ui_report::text(line);
      ImGui::PopID();
    }
    if (count == 0) text_muted("No warnings: no forgotten futures, lost wakers, spinning or long polls.");
  }
  end_window();
}

}  // namespace asynclab::vis
