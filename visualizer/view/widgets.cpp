// See widgets.hpp.
#include "view/widgets.hpp"

#include "app/fonts.hpp"
#include "app/ui_report.hpp"

namespace asynclab::vis {

namespace {
// What a learner reads on a button: ImGui's "Open##file" shows as "Open".
std::string_view shown_label(std::string_view label) { return label.substr(0, label.find("##")); }
}  // namespace

bool begin_window(const char* name, bool* open, ImGuiWindowFlags flags) {
  const bool visible = ImGui::Begin(name, open, flags);
  ui_report::begin_window(shown_label(name), visible);
  return visible;
}

void end_window() {
  ImGui::End();
  ui_report::end_window();
}

bool begin_popup_modal(const char* name, bool* open, ImGuiWindowFlags flags) {
  const bool visible = ImGui::BeginPopupModal(name, open, flags);
  if (visible) ui_report::begin_window(shown_label(name), true);
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

void text(std::string_view s) {
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ui_report::text(s);
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
