// See welcome.hpp.
#include "view/welcome.hpp"

#include <fmt/format.h>
#include <imgui.h>

#include "view/widgets.hpp"

namespace asynclab::vis {

void show_welcome(const WelcomeInfo& info, bool* open) {
  if (begin_window("Welcome", open, ImGuiWindowFlags_AlwaysAutoResize)) {
    text("asynclab — watch a runtime poll and wake your futures");
    ImGui::Spacing();
    text("Open a recorded trace to look at it:");
    text_coloured(palette::accent_text, "   drop an .altrace file on this window,");
    text_coloured(palette::accent_text, "   or File › Open trace… (Ctrl+O).");
    text_muted("Make one with:  asynclab demo -o demo.altrace");
    ImGui::Spacing();
    text("Keys: Space play/pause · ←/→ step · Shift+←/→ the selected task's events · Home/End jump");
    if (info.lesson) {
      ImGui::Spacing();
      text_muted(fmt::format("Lesson '{}' (step {}) was asked for; lessons are not in this build yet.", *info.lesson,
                             info.step));
    }
  }
  end_window();
}

}  // namespace asynclab::vis
