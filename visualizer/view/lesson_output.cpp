// The "Output" window: the scenario's println! lines (say()), each stamped with the virtual time it
// was printed at, shown only once the playback cursor has passed the moment it was printed — so
// stepping back un-prints them. Below, folded, the real measurements a lesson made (threads vs tasks)
// as a table.
#include <fmt/format.h>
#include <imgui.h>

#include "model/view_windows.hpp"
#include "view/fonts.hpp"
#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/lesson_windows.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {

void show_lesson_output(const LessonState& lesson, const Session& session, bool* open) {
  if (begin_window(imgui_id_of(ViewWindow::output), open)) {
    const auto& run = lesson.player->run();
    const std::size_t cursor = session.playback().cursor();
    std::size_t shown = 0;
    for (const auto& line : run.said) {
      if (line.event > cursor) break;
      // Long lines wrap: the pane is narrow and a learner should read the whole line.
      ImGui::PushFont(mono_font());
      ImGui::PushTextWrapPos(0.0f);
      const std::string shown_line = fmt::format("[{:>8}] {}", format_duration(line.at_ns), line.text);
      ImGui::TextUnformatted(shown_line.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopFont();
      ui_report::text(shown_line);
      ++shown;
    }
    if (run.said.empty()) text_muted("This scenario prints nothing; watch the timeline.");
    else if (shown < run.said.size())
      text_muted(fmt::format("{} more line{} to come as the run goes on", run.said.size() - shown,
                             run.said.size() - shown == 1 ? "" : "s"));
    if (!run.measurements.empty()) {
      // The lines above already say every figure; the table lines them up for comparing, folded by
      // default so the lines stay in view (presentation mode has little room under the timeline).
      ImGui::Spacing();
      const std::string heading =
          fmt::format("The {} figures measured on this machine, as a table##measured", run.measurements.size());
      const bool unfolded = ImGui::CollapsingHeader(heading.c_str());
      ui_report::item();
      ui_report::text(heading.substr(0, heading.find("##")));
      if (unfolded && ImGui::BeginTable("measurements", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed);
        for (const auto& m : run.measurements) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          text_wrapped(m.label);
          ImGui::TableSetColumnIndex(1);
          text_mono(fmt::format("{:>12.3f} {}", m.value, m.unit));
        }
        ImGui::EndTable();
      }
    }
  }
  end_window();
}

}  // namespace asynclab::vis
