#pragma once
// Draw-and-report helpers: each calls the ImGui function of the same purpose and tells the UI
// report (app/ui_report.hpp) what was drawn, so a window that uses them shows up in
// `asynclab gui --ui-report` with its items and texts without any extra code.
//
// Rules:
// * begin_window / end_window pair exactly like ImGui::Begin / ImGui::End: call end_window even when
//   begin_window returned false.
// * begin_popup_modal / begin_main_menu_bar need their end_* only when they returned true (as ImGui).
// * Text goes through std::string_view and is never used as a format string.
#include <string_view>

#include <imgui.h>

#include "view/palette.hpp"

namespace asynclab::vis {

bool begin_window(const char* name, bool* open = nullptr, ImGuiWindowFlags flags = 0);
void end_window();

bool begin_popup_modal(const char* name, bool* open = nullptr, ImGuiWindowFlags flags = 0);
void end_popup();

bool begin_main_menu_bar();
void end_main_menu_bar();

void text(std::string_view s);
void text_muted(std::string_view s);
void text_coloured(palette::Rgba colour, std::string_view s);
void text_wrapped(std::string_view s);
// Monospace text (app/fonts.hpp's mono_font): code, ids, numbers in columns.
void text_mono(std::string_view s);

// A separator line with a muted heading under it (ImGui 1.86 has no SeparatorText).
void section_heading(std::string_view title);

bool button(const char* label);
bool menu_item(const char* label, const char* shortcut = nullptr, bool enabled = true);
// A menu in a menu bar: its title counts as an item; call ImGui::EndMenu when it returned true.
bool begin_menu(const char* label);

}  // namespace asynclab::vis
