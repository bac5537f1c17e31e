// See widgets.hpp.
#include "view/widgets.hpp"

#include <imgui_internal.h>

#include <string>
#include <unordered_map>

#include "view/fonts.hpp"
#include "view/ui_report.hpp"

namespace asynclab::vis {

namespace {
// What a learner reads on a button: ImGui's "Open##file" shows as "Open".
std::string_view shown_label(std::string_view label) { return label.substr(0, label.find("##")); }
}  // namespace

namespace {
// What each window's content measured in its last frame, by window_key().
std::unordered_map<std::string, float>& content_heights() {
  static std::unordered_map<std::string, float> heights;
  return heights;
}
// "Task###Task detail" is known as "Task detail", "Warnings (1)###Warnings" as "Warnings".
std::string_view window_key(std::string_view name) {
  const std::size_t id = name.find("###");
  return id == std::string_view::npos ? shown_label(name) : name.substr(id + 3);
}
}  // namespace

float window_content_height(std::string_view key) {
  const auto& heights = content_heights();
  const auto it = heights.find(std::string(key));
  return it == heights.end() ? 0.0f : it->second;
}

bool begin_window(const char* name, bool* open, ImGuiWindowFlags flags) {
  const bool visible = ImGui::Begin(name, open, flags);
  content_heights()[std::string(window_key(name))] = ImGui::GetCurrentWindowRead()->ContentSize.y;
  ui_report::begin_window(shown_label(name), visible, name);
  if (ui_report::active()) {
    const ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    ui_report::window_rect(ReportedRect{at.x, at.y, size.x, size.y});
  }
  return visible;
}

void end_window() {
  ImGui::End();
  ui_report::end_window();
}

bool begin_popup_modal(const char* name, bool* open, ImGuiWindowFlags flags) {
  const bool visible = ImGui::BeginPopupModal(name, open, flags);
  if (visible) {
    ui_report::begin_window(shown_label(name), true, name);
    const ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    ui_report::window_rect(ReportedRect{at.x, at.y, size.x, size.y});
  }
  return visible;
}

void end_popup() {
  ImGui::EndPopup();
  ui_report::end_window();
}

bool begin_main_menu_bar() {
  const bool visible = ImGui::BeginMainMenuBar();
  if (visible) ui_report::begin_window("Main menu bar", true);
  return visible;
}

void end_main_menu_bar() {
  ImGui::EndMainMenuBar();
  ui_report::end_window();
}

bool cut_off(ImVec2 min, ImVec2 max) {
  // The window's visible area for items (its ClipRect: inside the borders, the scrollbars, a child's
  // own region); half a pixel of slack for rounding.
  const ImRect visible = ImGui::GetCurrentWindowRead()->ClipRect;
  return min.x < visible.Min.x - 0.5f || min.y < visible.Min.y - 0.5f || max.x > visible.Max.x + 0.5f ||
         max.y > visible.Max.y + 0.5f;
}

void report_if_cut(std::string_view s, ImVec2 min, ImVec2 max) {
  if (ui_report::active() && cut_off(min, max)) ui_report::clipped(s);
}

void text(std::string_view s) {
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ui_report::text(s);
  report_if_cut(s, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void text_muted(std::string_view s) { text_coloured(palette::muted_text, s); }

void text_coloured(palette::Rgba colour, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour.vec());
  text(s);
  ImGui::PopStyleColor();
}

void text_wrapped(std::string_view s) {
  ImGui::PushTextWrapPos(0.0f);
  text(s);
  ImGui::PopTextWrapPos();
}

void text_wrapped_coloured(palette::Rgba colour, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour.vec());
  text_wrapped(s);
  ImGui::PopStyleColor();
}

void text_mono(std::string_view s) {
  ImGui::PushFont(mono_font());
  text(s);
  ImGui::PopFont();
}

bool button(const char* label) {
  ui_report::text(shown_label(label));
  return ImGui::Button(label);
}

bool menu_item(const char* label, const char* shortcut, bool enabled) {
  ui_report::text(shown_label(label));
  return ImGui::MenuItem(label, shortcut, false, enabled);
}

bool begin_menu(const char* label) {
  ui_report::text(shown_label(label));
  return ImGui::BeginMenu(label);
}

void section_heading(std::string_view title) {
  ImGui::Spacing();
  ImGui::Separator();
  text_muted(title);
}

}  // namespace asynclab::vis
