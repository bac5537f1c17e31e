#pragma once
// Draw-and-report helpers: each calls the ImGui function of the same purpose and tells the UI
// report (view/ui_report.hpp) what was drawn, so a window that uses them shows up in
// `asynclab gui --ui-report` with its items and texts without any extra code.
//
// Rules:
// * begin_window / end_window pair exactly like ImGui::Begin / ImGui::End: call end_window even when
//   begin_window returned false.
// * begin_popup_modal / begin_main_menu_bar need their end_* only when they returned true (as ImGui).
// * Text goes through std::string_view and is never used as a format string.
// * A text item not wholly visible (cut at the window's edge, or scrolled out of sight) is reported as
//   clipped, so a test can say "the Notice is on screen" without reading pixels.
#include <string_view>

#include <imgui.h>

#include "view/palette.hpp"

namespace asynclab::vis {

bool begin_window(const char* name, bool* open = nullptr, ImGuiWindowFlags flags = 0);
void end_window();
// The height of a window's content in its last frame (0 before its first), by its title, or by the
// id after "###" when it has one ("Warnings", "Task detail"): a layout sizes a window to fit.
float window_content_height(std::string_view key);

bool begin_popup_modal(const char* name, bool* open = nullptr, ImGuiWindowFlags flags = 0);
void end_popup();

bool begin_main_menu_bar();
void end_main_menu_bar();

void text(std::string_view s);
void text_muted(std::string_view s);
void text_coloured(palette::Rgba colour, std::string_view s);
void text_wrapped(std::string_view s);
void text_wrapped_coloured(palette::Rgba colour, std::string_view s);
// Monospace text (view/fonts.hpp's mono_font): code, ids, numbers in columns.
void text_mono(std::string_view s);

// Whether a rectangle (screen coordinates) is not wholly inside the current window's visible area:
// text there is cut off or scrolled out of sight.
bool cut_off(ImVec2 min, ImVec2 max);
// Tells the UI report that `s`, drawn in that rectangle, is not wholly visible, when it is not.
void report_if_cut(std::string_view s, ImVec2 min, ImVec2 max);

// A separator line with a muted heading under it (ImGui 1.86 has no SeparatorText).
void section_heading(std::string_view title);

bool button(const char* label);
bool menu_item(const char* label, const char* shortcut = nullptr, bool enabled = true);
// A menu in a menu bar: its title counts as an item; call ImGui::EndMenu when it returned true.
bool begin_menu(const char* label);

}  // namespace asynclab::vis
