// See legend.hpp. Each row draws its sample exactly as the timeline draws the thing (view/timeline.cpp),
// then says what it is.
#include "view/legend.hpp"

#include <cfloat>

#include <imgui.h>

#include "model/view_windows.hpp"
#include "view/palette.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {

namespace {

enum class Sample { bar, thin_bar, line, outline, arrow, dot_arrow, cross, cut, circle_tick, triangle_up, triangle_right, steal };

void sample(Sample kind, palette::Rgba colour) {
  const float line = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = line * 3, h = line * 0.62f, mid = at.y + line / 2;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 c = colour.u32();
  switch (kind) {
    case Sample::bar: draw->AddRectFilled(ImVec2(at.x, mid - h / 2), ImVec2(at.x + w, mid + h / 2), c, 2); break;
    case Sample::thin_bar: draw->AddRectFilled(ImVec2(at.x, mid - 2), ImVec2(at.x + w, mid + 2), c); break;
    case Sample::line: draw->AddLine(ImVec2(at.x, mid), ImVec2(at.x + w, mid), c, 1.0f); break;
    case Sample::outline: draw->AddRect(ImVec2(at.x, mid - h / 2), ImVec2(at.x + w, mid + h / 2), c, 2, 0, 2.0f); break;
    case Sample::arrow:
    case Sample::dot_arrow: {
      const float x = at.x + w / 2;
      draw->AddLine(ImVec2(x, at.y), ImVec2(x, at.y + line - 6), c, 1.5f);
      draw->AddTriangleFilled(ImVec2(x - 4, at.y + line - 6), ImVec2(x + 4, at.y + line - 6), ImVec2(x, at.y + line), c);
      if (kind == Sample::dot_arrow) draw->AddCircleFilled(ImVec2(x, at.y + 2), 3.5f, palette::timer.u32());
      break;
    }
    case Sample::cross: {
      const float x = at.x + w / 2, r = h * 0.45f;
      draw->AddLine(ImVec2(x - r, mid - r), ImVec2(x + r, mid + r), c, 3.0f);
      draw->AddLine(ImVec2(x - r, mid + r), ImVec2(x + r, mid - r), c, 3.0f);
      break;
    }
    case Sample::cut: {
      const float right = at.x + w * 0.7f;
      draw->AddRectFilled(ImVec2(at.x, mid - h / 2), ImVec2(right, mid + h / 2), palette::branch.u32(), 2);
      draw->AddLine(ImVec2(right, mid - h * 0.9f), ImVec2(right, mid + h * 0.9f), c, 3.0f);
      const float r = h * 0.32f, cx = right + r + 4;
      draw->AddLine(ImVec2(cx - r, mid - r), ImVec2(cx + r, mid + r), c, 2.5f);
      draw->AddLine(ImVec2(cx - r, mid + r), ImVec2(cx + r, mid - r), c, 2.5f);
      break;
    }
    case Sample::circle_tick: draw->AddCircleFilled(ImVec2(at.x + w / 2, mid), h * 0.5f, c); break;
    case Sample::triangle_up:
      draw->AddTriangleFilled(ImVec2(at.x + w / 2, mid - 5), ImVec2(at.x + w / 2 - 5, mid + 4), ImVec2(at.x + w / 2 + 5, mid + 4), c);
      break;
    case Sample::triangle_right:
      draw->AddTriangleFilled(ImVec2(at.x + w / 2, mid - 5), ImVec2(at.x + w / 2, mid + 5), ImVec2(at.x + w / 2 + 6, mid), c);
      break;
    case Sample::steal: {
      const float x = at.x + w / 2;
      draw->AddCircle(ImVec2(x, at.y + 4), 4.0f, c, 0, 2.0f);
      draw->AddLine(ImVec2(x, at.y + 8), ImVec2(x, at.y + line - 6), c, 2.0f);
      draw->AddTriangleFilled(ImVec2(x - 6, at.y + line - 7), ImVec2(x + 6, at.y + line - 7), ImVec2(x, at.y + line), c);
      break;
    }
  }
  ImGui::Dummy(ImVec2(w + line * 0.6f, line));
  ImGui::SameLine();
}

void row(Sample kind, palette::Rgba colour, std::string_view words) {
  sample(kind, colour);
  text_wrapped(words);
}

}  // namespace

void show_legend(bool* open) {
  // As tall as its rows (0: fit on first use), within the screen: the whole legend at one glance.
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 30, 0), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSizeConstraints(ImVec2(ImGui::GetFontSize() * 16, ImGui::GetFontSize() * 6),
                                      ImVec2(FLT_MAX, ImGui::GetMainViewport()->WorkSize.y * 0.92f));
  if (begin_window(imgui_id_of(ViewWindow::legend), open)) {
    // Opened with F1, the View menu or the timeline's "?": in front of whatever it was opened over.
    if (ImGui::IsWindowAppearing()) ImGui::SetWindowFocus();
    section_heading("A task's lane");
    row(Sample::bar, palette::pending, "a poll that answered Pending");
    row(Sample::bar, palette::running, "a poll that answered Ready (the task is done)");
    row(Sample::bar, palette::done, "polls too close to draw one by one (the number says how many): zoom in");
    row(Sample::line, palette::idle, "idle: parked, waiting for a wake");
    row(Sample::thin_bar, palette::scheduled, "woken, waiting in the run queue for its turn");
    row(Sample::arrow, palette::wake, "a wake, from the lane of the task that woke it");
    row(Sample::dot_arrow, palette::wake, "a wake from no task: the dot says what (timer, channel, job)");
    row(Sample::triangle_right, palette::scheduled, "spawned");
    row(Sample::circle_tick, palette::running, "done (✓), cancelled (✗, red) or panicked (!, orange)");
    row(Sample::cross, palette::cancelled, "a future dropped mid-flight (on a folded task's lane)");
    row(Sample::triangle_up, palette::panicked, "a lint: the Warnings window says which");
    section_heading("Inside a task (click ▸ / ▾ beside a task's name)");
    row(Sample::bar, palette::branch, "a branch of join!, select! or timeout, from its first poll to its end");
    row(Sample::bar, palette::request, "a request in flight");
    row(Sample::bar, palette::lock_held, "a lock (or a semaphore's permit) held");
    row(Sample::outline, palette::lock_held, "a lock waited for; the arrow points at the task that holds it");
    row(Sample::bar, palette::panicked, "a blocking job (spawn_blocking, or block_for on the worker)");
    row(Sample::cut, palette::cancelled, "cut: dropped mid-flight (a select's loser, a timed-out future)");
    section_heading("Across the timeline");
    row(Sample::line, palette::highlight, "the cursor: what has happened is left of it; the rest is dimmed");
    row(Sample::line, palette::accent_text, "a mark the scenario made, labelled above the lanes");
    row(Sample::steal, palette::steal, "worker lanes: a task stolen from another worker's queue");
  }
  end_window();
}

}  // namespace asynclab::vis
