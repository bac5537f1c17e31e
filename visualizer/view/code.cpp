// The "Code" window: the source file of the selected task (or of the current event's task) with the
// line it is parked at highlighted, and every other task parked in the same file marked at its line
// — "where is each task waiting?" answered on the code itself.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "view/fonts.hpp"
#include "view/ui_report.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

struct SourceFile {
  bool found = false;
  std::vector<std::string> lines;
};

// Source files are read once per path; a trace names few files.
const SourceFile& source_file(const std::string& path) {
  static std::map<std::string, SourceFile> cache;
  auto [it, inserted] = cache.try_emplace(path);
  if (inserted) {
    std::ifstream in(path);
    if (in) {
      it->second.found = true;
      for (std::string line; std::getline(in, line);) it->second.lines.push_back(line);
    }
  }
  return it->second;
}

// A path as the learner finds it in the project: "lessons/08-join/scenario.cpp", not the absolute
// path the compiler saw (files outside the project keep theirs).
std::string project_relative(std::string_view path) {
  constexpr std::string_view root = ASYNCLAB_SOURCE_DIR "/";
  if (path.starts_with(root)) path.remove_prefix(root.size());
  return std::string(path);
}

}  // namespace

void show_code(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  const std::uint32_t id = session.selected_task ? session.selected_task : session.current_task();
  const std::uint32_t slot = index.task_slot(id);
  if (begin_window(imgui_id_of(ViewWindow::code), open)) {
    // The line to show: where the task is parked, else where it was spawned.
    std::uint32_t location = 0;
    if (slot != npos) location = s.tasks[slot].parked_at ? s.tasks[slot].parked_at : index.tasks()[slot].spawn_location;
    if (location == 0) {
      text_muted("Select a task to see where it is parked.");
    } else {
      const trace::Location& loc = session.trace().location(location);
      const std::string path(session.trace().string(loc.file));
      const SourceFile& file = source_file(path);
      text_coloured(palette::accent_text, fmt::format("{} — {} line {}", index.task_label(id), project_relative(path), loc.line));
      if (!file.found) {
        text_muted(fmt::format("The source file is not on this machine ({}).", path));
      } else {
        // Which tasks are parked at which line of this file, to mark them in the margin.
        std::map<std::uint32_t, std::string> parked;
        for (std::size_t t = 0; t < s.tasks.size(); ++t) {
          if (s.tasks[t].state != TaskState::idle || s.tasks[t].parked_at == 0) continue;
          const trace::Location& l = session.trace().location(s.tasks[t].parked_at);
          if (l.file != loc.file) continue;
          std::string& names = parked[l.line];
          names += (names.empty() ? "◀ " : ", ") + index.tasks()[t].name;
        }
        ImGui::BeginChild("source", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::PushFont(mono_font());
        const float line_h = ImGui::GetTextLineHeightWithSpacing();
        static std::uint32_t scrolled_to = 0;
        if (scrolled_to != location) {  // bring the line into view when it changes, not every frame
          // Centre the line: the window may be only a few lines tall.
          const float centre = (static_cast<float>(loc.line) - 0.5f) * line_h - ImGui::GetWindowHeight() / 2;
          ImGui::SetScrollY(std::max(0.0f, centre));
          scrolled_to = location;
        }
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(file.lines.size()), line_h);
        while (clipper.Step()) {
          for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const auto number = static_cast<std::uint32_t>(i + 1);
            const bool current = number == loc.line;
            if (current) {
              const ImVec2 p = ImGui::GetCursorScreenPos();
              ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + ImGui::GetContentRegionAvail().x + 2000, p.y + line_h),
                                                        palette::current_line.u32());
            }
            ImGui::TextColored(palette::muted_text.vec(), "%4u ", number);
            ImGui::SameLine();
            const std::string& text_line = file.lines[static_cast<std::size_t>(i)];
            ImGui::TextUnformatted(text_line.c_str());
            if (current) ui_report::text(text_line);
            if (auto it = parked.find(number); it != parked.end()) {
              ImGui::SameLine();
              ImGui::TextColored(palette::pending.vec(), "  %s", it->second.c_str());
            }
          }
        }
        ImGui::PopFont();
        ImGui::EndChild();
      }
    }
  }
  end_window();
}

}  // namespace asynclab::vis
