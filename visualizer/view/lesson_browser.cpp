// The "Lessons" window: the syllabus in order — id, title, what it is about, how many steps, and a
// done mark or the step the learner stopped at. A click opens the lesson there. A lesson that cannot
// be loaded is listed in red with its error (file and line), not hidden.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "view/lesson_windows.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {

void show_lesson_browser(LessonLibrary& library, const LessonState* current, bool* open) {
  if (begin_window("Lessons", open)) {
    if (!library.catalog) {
      text_coloured(palette::error_text, library.catalog_error);
      end_window();
      return;
    }
    std::size_t done = 0, total = 0;
    for (const auto& e : library.catalog->entries())
      if (e.lesson) {
        ++total;
        done += library.progress.lesson_done(e.folder) ? 1 : 0;
      }
    text(fmt::format("Async the way Rust and Tokio do it — {} of {} lessons done", done, total));
    if (!library.progress.warning().empty()) text_coloured(palette::error_text, library.progress.warning());
    ImGui::Separator();
    if (ImGui::BeginTable("lessons", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 1.5f);
      ImGui::TableSetupColumn("lesson", ImGuiTableColumnFlags_WidthStretch, 3.0f);
      ImGui::TableSetupColumn("steps", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 3.0f);
      ImGui::TableSetupColumn("where", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 5.0f);
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableHeadersRow();
      for (const auto& e : library.catalog->entries()) {
        ImGui::TableNextRow();
        ImGui::PushID(e.folder.c_str());
        ImGui::TableSetColumnIndex(0);
        const bool finished = library.progress.lesson_done(e.folder);
        if (finished) text_coloured(palette::done_mark, "✓");
        ImGui::TableSetColumnIndex(1);
        if (!e.lesson) {
          text_coloured(palette::error_text, fmt::format("{} — cannot be loaded", e.folder));
          text_wrapped(e.lesson.error().to_string());
          ImGui::PopID();
          continue;
        }
        const auto& l = *e.lesson;
        const bool is_open = current != nullptr && current->folder == e.folder;
        const std::string label = fmt::format("{}  {}", l.id, l.title);
        if (ImGui::Selectable(label.c_str(), is_open, ImGuiSelectableFlags_SpanAllColumns))
          library.open_request = e.folder;
        ui_report::text(label);
        ui_report::item();
        text_muted(l.summary);
        ImGui::TableSetColumnIndex(2);
        text(fmt::format("{}", l.steps.size()));
        ImGui::TableSetColumnIndex(3);
        // A progress file may name a step this lesson no longer has: show its last.
        const std::size_t at = std::min(library.progress.lesson_step(e.folder), l.steps.size() - 1);
        if (finished) text_muted("done");
        else if (at > 0) text_muted(fmt::format("step {}", at + 1));
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
  }
  end_window();
}

}  // namespace asynclab::vis
