// The "Playback" window: the controls every lesson step and every exploration goes through — jump to
// start, step back, play/pause, step forward, jump to end, the speed, a slider over the whole run,
// the event just applied in words, and breakpoints written in the lesson-directive language
// (`wake task="fetch b"`), which playing stops at. In live mode a line on top says how many events
// have arrived and been dropped, and whether the cursor follows the newest one.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_stdlib.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

void show_playback_bar(Session& session, ViewState& view, bool* open) {
  Playback& playback = session.playback();
  const TraceIndex& index = session.index();
  if (begin_window(imgui_id_of(ViewWindow::playback), open)) {
    if (view.live.feed != nullptr) {
      const LiveFeed& feed = *view.live.feed;
      text_coloured(feed.complete() ? palette::muted_text : palette::live_text, feed.status());
      ImGui::SameLine();
      if (view.live.following) {
        text_muted(feed.complete() ? "· at the end" : "· following the newest event (Space: stop here)");
      } else if (button("Follow (End)")) {
        view.live.following = true;
        playback.jump_end();
      }
      if (!view.live.failure.empty()) text_coloured(palette::error_text, "The program failed: " + view.live.failure);
    }
    if (button("|◀##start")) playback.jump_start();
    ImGui::SameLine();
    if (button("◀##back")) playback.step_back();
    ImGui::SameLine();
    if (button(playback.playing() ? "Pause##play" : "Play ▶##play")) {
      if (!playback.playing() && playback.at_end()) playback.jump_start();  // play again from the top
      playback.toggle();
    }
    ImGui::SameLine();
    if (button("▶##forward")) playback.step_forward();
    ImGui::SameLine();
    if (button("▶|##end")) {
      playback.jump_end();
      view.live.following = true;
    }
    // In presentation mode the cursor slider shares the buttons' row and the speed is a short slider
    // after it: one row less for the controls is one row more for the window the step focuses.
    const float font = ImGui::GetFontSize();
    const auto speed_slider = [&](float width, const char* label, const char* format) {
      float speed = static_cast<float>(playback.speed());
      ImGui::SetNextItemWidth(width);
      if (ImGui::SliderFloat(label, &speed, 1.0f, 10000.0f, format, ImGuiSliderFlags_Logarithmic))
        playback.set_speed(speed);
      ui_report::item();
    };
    ImGui::SameLine();
    if (!view.present) speed_slider(font * 10, "events/s", "%.0f");

    // The cursor over the whole run: dragging seeks.
    std::uint64_t cursor = playback.cursor();
    const std::uint64_t lo = 0, hi = playback.size();
    const float speed_w = font * 4.5f;
    ImGui::SetNextItemWidth(view.present ? -(speed_w + ImGui::GetStyle().ItemSpacing.x) : -1);
    const std::string format = fmt::format("event {} of {}", cursor, hi);
    if (ImGui::SliderScalar("##cursor", ImGuiDataType_U64, &cursor, &lo, &hi, format.c_str()))
      playback.seek(static_cast<std::size_t>(cursor));
    ui_report::item();
    ui_report::text(format);  // what the slider reads, for the report
    if (view.present) {
      ImGui::SameLine();
      speed_slider(speed_w, "##speed", "%.0f/s");
    }

    if (auto e = session.current_event()) {
      text_mono(fmt::format("{:>12}", format_duration(e->time_ns - index.run().start_ns)));
      ImGui::SameLine();
      text_coloured(palette::accent_text, describe_event(index, *e));
    } else {
      text_muted(fmt::format("Before the first event · {} events, {} tasks — press ▶ or Space to step", hi,
                             index.tasks().size()));
    }

    // Breakpoints and run-until, in the directive language of the lessons (not in presentation mode:
    // a class watches, the keyboard drives).
    if (view.present) {
      end_window();
      return;
    }
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
    const bool entered = ImGui::InputTextWithHint("##filter", "e.g. wake task=\"fetch b\"", &view.breakpoint_text,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
    ui_report::item();
    ImGui::SameLine();
    if (button("Run until##filter") || entered) {
      auto filter = trace::parse_event_filter(view.breakpoint_text);
      if (!filter) view.breakpoint_error = filter.error();
      else if (!playback.run_until(*filter)) view.breakpoint_error = "No such event after the cursor.";
      else view.breakpoint_error.clear();
    }
    ImGui::SameLine();
    if (button("Add breakpoint")) {
      auto added = playback.add_breakpoint(view.breakpoint_text);
      if (!added) view.breakpoint_error = added.error();
      else view.breakpoint_error.clear();
    }
    if (!view.breakpoint_error.empty()) text_coloured(palette::error_text, view.breakpoint_error);
    for (std::size_t i = 0; i < playback.breakpoints().size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::SmallButton("✗")) {
        playback.remove_breakpoint(i);
        ImGui::PopID();
        break;
      }
      ImGui::SameLine();
      text_mono(fmt::format("break at {}", playback.breakpoints()[i].text));
      ImGui::PopID();
    }
  }
  end_window();
}

}  // namespace asynclab::vis
