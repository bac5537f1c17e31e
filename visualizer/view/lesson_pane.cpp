// The "Lesson" window: the step's title and text (Markdown, the seeds' Rust beside the C++, the
// "Notice:" call-out), Back / Next, the step dots, and the scenario's parameters as sliders and
// toggles — moving one re-runs the scenario at once and the timeline redraws.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "model/view_windows.hpp"
#include "view/fonts.hpp"
#include "view/ui_report.hpp"
#include "view/lesson_windows.hpp"
#include "view/markdown_view.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {

namespace {

// What is left of the line after the last item, less the spacing before another.
float room_after_item() {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  return right - ImGui::GetItemRectMax().x - ImGui::GetStyle().ItemSpacing.x;
}

void show_parameters(LessonState& lesson) {
  lessons::LessonPlayer& player = *lesson.player;
  const auto& specs = player.lesson().params;
  if (specs.empty()) return;
  // Folded at first in presentation mode, where the step's words need the room.
  const bool unfolded = ImGui::CollapsingHeader("Try it: the scenario's parameters",
                                             lesson.present ? ImGuiTreeNodeFlags_None : ImGuiTreeNodeFlags_DefaultOpen);
  ui_report::text("Try it: the scenario's parameters");
  if (!unfolded) return;
  for (const auto& spec : specs) {
    ImGui::PushID(spec.name.c_str());
    const auto& value = player.params().get(spec.name);
    std::optional<lessons::ParamValues::Value> changed;
    switch (spec.kind) {
      case lessons::ParamKind::integer: {
        auto v = std::get<std::int64_t>(value);
        const std::string format = fmt::format("%lld {}", spec.unit);
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
        const ImGuiSliderFlags flags = spec.max > 50 * std::max<std::int64_t>(spec.min, 1) ? ImGuiSliderFlags_Logarithmic : 0;
        long long shown = v, lo = spec.min, hi = spec.max;
        if (ImGui::SliderScalar("##value", ImGuiDataType_S64, &shown, &lo, &hi, format.c_str(), flags)) {
          // Dragging re-runs on every frame the value changes: a virtual-time run takes milliseconds.
          changed = static_cast<std::int64_t>(std::clamp<long long>(shown, lo, hi));
        }
        ui_report::item();
        break;
      }
      case lessons::ParamKind::flag: {
        bool on = std::get<bool>(value);
        if (ImGui::Checkbox("##value", &on)) changed = on;
        ui_report::item();
        break;
      }
      case lessons::ParamKind::choice: {
        const auto& current = std::get<std::string>(value);
        for (const auto& choice : spec.choices) {
          if (ImGui::RadioButton(choice.c_str(), current == choice)) changed = choice;
          ui_report::item();
          ImGui::SameLine();
        }
        break;
      }
    }
    ImGui::SameLine();
    // Wrapped beside the control rather than cut at the pane's edge: the label says what it does.
    text_wrapped(fmt::format("{}  ", spec.label));
    // The name --param takes, when there is room for it (the tooltip has it always).
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("--param %s=...", spec.name.c_str());
    if (ImGui::CalcTextSize(spec.name.c_str()).x < room_after_item()) {
      ImGui::SameLine();
      text_muted(spec.name);
    }
    if (changed) {
      if (auto ok = player.set_param(spec.name, *changed); !ok) lesson.param_error = ok.error();
      else lesson.param_error.clear();
    }
    ImGui::PopID();
  }
  if (button("Reset parameters")) player.reset_params();
  if (player.params_changed_by_learner()) {
    ImGui::SameLine();
    text_muted("(changed from the step's setting: the text describes the default run)");
  }
  if (!lesson.param_error.empty()) text_coloured(palette::error_text, lesson.param_error);
}

}  // namespace

void show_lesson_pane(LessonState& lesson, LessonLibrary& library, bool* open) {
  lessons::LessonPlayer& player = *lesson.player;
  const auto& l = player.lesson();
  const std::size_t step = player.step();
  const std::string title = fmt::format("Lesson {}: {}{}", l.id, l.title, imgui_id_of(ViewWindow::lesson));
  if (begin_window(title.c_str(), open)) {
    // Header: where we are, and the way through.
    text_wrapped_coloured(palette::muted_text,
                          fmt::format("Lesson {} · seeds {} · step {} of {}", l.id, l.seeds, step + 1, player.step_count()));
    ImGui::PushFont(heading_font());
    text_wrapped(l.steps[step].title);
    ImGui::PopFont();
    ImGui::BeginDisabled(step == 0);
    if (button("◀ Back")) player.back();
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (!player.at_last_step()) {
      if (button("Next ▶")) player.next();
    } else if (button("Next lesson ▶")) {
      library.open_request = "next:" + lesson.folder;
    }
    ImGui::SameLine();
    // One dot per step: filled up to here; a click jumps.
    for (std::size_t k = 0; k < player.step_count(); ++k) {
      ImGui::SameLine(0, 4);
      ImGui::PushID(static_cast<int>(k));
      ImGui::PushStyleColor(ImGuiCol_Text, (k <= step ? palette::accent_text : palette::muted_text).vec());
      if (ImGui::SmallButton(k == step ? "●" : "○")) player.go_to(k);
      ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", l.steps[k].title.c_str());
      ImGui::PopID();
    }
    ui_report::item(player.step_count());
    // On the same line when it fits (a narrow pane, or presentation mode's large type: the next).
    if (room_after_item() > ImGui::CalcTextSize("All lessons").x + ImGui::GetStyle().FramePadding.x * 2)
      ImGui::SameLine();
    if (button("All lessons")) library.show_browser = true;
    ImGui::Separator();

    // The step's text, scrolled on its own; under it, always in view, the Notice and the controls
    // (their heights are last frame's: a step's first frame may draw them one frame late).
    const bool notice = has_notice(lesson.docs[step]);
    const float below = (notice ? lesson.notice_height : 0.0f) + lesson.controls_height;
    const float min_text = ImGui::GetTextLineHeightWithSpacing() * 3;
    ImGui::BeginChild("step text", ImVec2(0, std::max(ImGui::GetContentRegionAvail().y - below, min_text)), false);
    if (lesson.scroll_to_top) {
      ImGui::SetScrollY(0);
      lesson.scroll_to_top = false;
    }
    show_markdown(lesson.docs[step], MarkdownPart::body);
    const auto& run = player.run();
    if (!run.error.empty()) text_coloured(palette::error_text, run.error);
    for (const auto& u : run.unmatched)
      if (u.step == step)
        text_coloured(palette::error_text, fmt::format("lesson.md:{}: `run-until: {}` matches no event in this run",
                                                       u.line, u.text));
    ImGui::EndChild();
    if (notice) {
      const float top = ImGui::GetCursorPosY();
      show_markdown(lesson.docs[step], MarkdownPart::notice);
      lesson.notice_height = ImGui::GetCursorPosY() - top;
    }
    const float controls_top = ImGui::GetCursorPosY();
    show_parameters(lesson);
    lesson.controls_height = ImGui::GetCursorPosY() - controls_top + ImGui::GetStyle().WindowPadding.y;
  }
  end_window();
}

}  // namespace asynclab::vis
