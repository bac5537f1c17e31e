// The "API" window: see api_window.hpp.
#include "view/api_window.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "view/ui_report.hpp"
#include "engine/catalog.hpp"
#include "view/markdown_view.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {
namespace {

void load_reference(ApiWindowState& state) {
  if (state.loaded) return;
  state.loaded = true;
  auto loaded = lessons::ApiReference::load(lessons::default_lessons_dir() / "api.md");
  if (loaded) {
    state.reference = std::move(*loaded);
  } else {
    state.error = loaded.error();
    ui_report::error(state.error);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool passes_filter(const lessons::ApiEntry& e, const std::string& filter) {
  if (filter.empty()) return true;
  if (lower(e.name).find(filter) != std::string::npos || lower(e.rust).find(filter) != std::string::npos) return true;
  return std::any_of(e.also.begin(), e.also.end(),
                     [&](const std::string& a) { return lower(a).find(filter) != std::string::npos; });
}

}  // namespace

bool show_api_entry(ApiWindowState& state, std::string_view name) {
  state.show = true;
  load_reference(state);
  if (!state.reference) return false;
  const auto found = state.reference->find(name);
  if (found.size() != 1) return false;
  state.selected = static_cast<std::size_t>(found.front() - state.reference->entries().data());
  state.filter.clear();
  return true;
}

void show_api_window(ApiWindowState& state, bool* open) {
  const bool drawing = *open;
  if (!drawing) return;
  load_reference(state);
  // Centred and large the first time (a reference page is read, not glanced at); later where the
  // learner left it.
  const ImVec2 viewport = ImGui::GetMainViewport()->Size;
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_FirstUseEver, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(viewport.x * 0.8f, viewport.y * 0.85f), ImGuiCond_FirstUseEver);
  if (begin_window("API", open)) {
    if (!state.reference) {
      text_wrapped_coloured(palette::error_text, state.error);
      end_window();
      return;
    }
    const auto& entries = state.reference->entries();
    if (state.selected >= entries.size()) state.selected = 0;

    // Left: the filter, and under it the names (the list scrolls, the filter stays).
    const float list_width = ImGui::GetFontSize() * 14;
    ImGui::BeginGroup();
    ImGui::SetNextItemWidth(list_width);
    ImGui::InputTextWithHint("##filter", "filter: sender, tokio::time…", &state.filter);
    ImGui::BeginChild("names", ImVec2(list_width, 0), true);
    const std::string filter = lower(state.filter);
    std::size_t shown = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!passes_filter(entries[i], filter)) continue;
      ++shown;
      if (ImGui::Selectable(entries[i].name.c_str(), state.selected == i)) state.selected = i;
      if (state.selected == i && state.parsed_of != i) ImGui::SetScrollHereY();
      ui_report::text(entries[i].name);
      ui_report::item();
    }
    if (shown == 0) text_muted("nothing matches");
    ImGui::EndChild();
    ImGui::EndGroup();
    ImGui::SameLine();

    // Right: the chosen entry, as `asynclab doc NAME` prints it.
    if (state.parsed_of != state.selected) {
      state.section = lessons::parse_markdown(entries[state.selected].markdown);
      state.parsed_of = state.selected;
    }
    ImGui::BeginChild("entry", ImVec2(0, 0), false);
    show_markdown(state.section);
    text_muted(fmt::format("In a terminal: asynclab doc {}", lessons::without_template_arguments(entries[state.selected].name)));
    ImGui::EndChild();
  }
  end_window();
}

}  // namespace asynclab::vis
