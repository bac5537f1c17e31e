// The "Pinning" window: every Pinned future (asynclab/pin.hpp) as a box at each home it has lived
// in. The box it lives in now is solid — blue before its first poll, green once pinned, red if it
// was moved after that; homes it has left are hollow. Its self-reference is an arrow: back into its
// own box when all is well, across to an old, empty home when a move after pinning left it dangling.
#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

// A Pinned future as it stands at the cursor.
struct PinNow {
  bool exists = false;
  std::uint32_t home = 0;       // where it lives now
  std::uint32_t homes = 0;      // how many homes it has had
  bool pinned = false;
  bool broken = false;          // moved after being pinned
  bool dropped = false;
  std::uint32_t self_ref = 0;   // the home its self-reference points into, 0: none
  const PinStep* last = nullptr;
};

PinNow pin_at(const PinInfo& pin, std::size_t cursor) {
  PinNow now;
  for (const PinStep& step : pin.steps) {
    if (step.event >= cursor) break;
    now.exists = true;
    now.last = &step;
    switch (step.action) {
      case trace::PinAction::placed:
      case trace::PinAction::moved: now.home = step.home; break;
      case trace::PinAction::pinned: now.home = step.home, now.pinned = true; break;
      case trace::PinAction::moved_after_pin: now.home = step.home, now.broken = true; break;
      case trace::PinAction::dropped: now.dropped = true; break;
      case trace::PinAction::self_ref: now.self_ref = step.home; break;
    }
    now.homes = std::max(now.homes, now.home);
  }
  return now;
}

void draw_pin(const Session& session, const PinInfo& pin, const PinNow& now) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeight();
  const ImVec2 box(line * 7.5f, line * 2.6f);
  const float gap = line * 3.0f;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const auto box_at = [&](std::uint32_t home) {
    return ImVec2(at.x + static_cast<float>(home - 1) * (box.x + gap), at.y + line * 1.6f);
  };
  const palette::Rgba live = now.broken ? palette::cancelled : now.pinned ? palette::running : palette::scheduled;

  for (std::uint32_t h = 1; h <= now.homes; ++h) {
    const ImVec2 a = box_at(h);
    const ImVec2 b(a.x + box.x, a.y + box.y);
    const bool current = h == now.home && !now.dropped;
    draw->AddText(ImVec2(a.x, a.y - line * 1.3f), palette::muted_text.u32(), fmt::format("home {}", h).c_str());
    if (current) {
      draw->AddRectFilled(a, b, live.u32(), line * 0.3f);
      const char* what = now.broken ? "moved after pin!" : now.pinned ? "pinned here" : "not polled yet";
      draw->AddText(ImVec2(a.x + line * 0.4f, a.y + line * 0.7f), palette::token_outline.u32(), what);
    } else {
      draw->AddRect(a, b, palette::empty_slot.u32(), line * 0.3f, 0, 2.0f);
      draw->AddText(ImVec2(a.x + line * 0.4f, a.y + line * 0.7f), palette::muted_text.u32(),
                    now.dropped && h == now.home ? "dropped" : "moved out");
    }
    if (h < now.homes) {  // the move, home h -> h + 1
      const float y = a.y + box.y / 2;
      draw->AddLine(ImVec2(b.x + 4, y), ImVec2(b.x + gap - 6, y), palette::muted_text.u32(), 1.5f);
      draw->AddTriangleFilled(ImVec2(b.x + gap - 4, y), ImVec2(b.x + gap - 11, y - 5), ImVec2(b.x + gap - 11, y + 5),
                              palette::muted_text.u32());
    }
  }

  // The self-reference: from the current box's bottom to where it points.
  if (now.self_ref && !now.dropped && now.home) {
    const ImVec2 from = box_at(now.home);
    const ImVec2 to = box_at(now.self_ref);
    const ImVec2 start(from.x + box.x * 0.7f, from.y + box.y);
    const ImVec2 end(to.x + box.x * 0.3f, to.y + box.y);
    const bool dangling = now.self_ref != now.home;
    const palette::Rgba colour = dangling ? palette::cancelled : palette::running;
    const float dip = line * (dangling ? 2.6f : 1.6f);
    draw->AddBezierCubic(start, ImVec2(start.x, start.y + dip), ImVec2(end.x, end.y + dip), end, colour.u32(), 2.5f);
    draw->AddTriangleFilled(end, ImVec2(end.x - 5, end.y + 9), ImVec2(end.x + 5, end.y + 9), colour.u32());
    const std::string label = dangling ? "self-reference: DANGLING — points at the old home" : "self-reference: points into itself";
    draw->AddText(ImVec2(std::min(start.x, end.x), from.y + box.y + dip + 2), colour.u32(), label.c_str());
    ui_report::text(label);
  }
  ImGui::Dummy(ImVec2(static_cast<float>(std::max(now.homes, 1u)) * (box.x + gap), line * 1.6f + box.y + line * 4.2f));
  if (now.last) text_wrapped(describe_event(session.index(), session.trace()[now.last->event]));
  (void)pin;
}

}  // namespace

void show_pinning(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  if (begin_window(imgui_id_of(ViewWindow::pinning), open)) {
    // The future something happened to most recently comes first: that is the one the cursor is at.
    std::vector<std::pair<const PinInfo*, PinNow>> pins;
    for (const PinInfo& pin : index.pins()) {
      const PinNow now = pin_at(pin, session.state().cursor);
      if (now.exists) pins.emplace_back(&pin, now);
    }
    std::stable_sort(pins.begin(), pins.end(), [](const auto& a, const auto& b) { return a.second.last->event > b.second.last->event; });
    std::size_t shown = 0;
    for (const auto& [pin_ptr, now] : pins) {
      const PinInfo& pin = *pin_ptr;
      ++shown;
      ImGui::PushID(static_cast<int>(pin.id));
      text_coloured(palette::accent_text, fmt::format("pinned future #{} in {}", pin.id, index.task_label(pin.task)));
      draw_pin(session, pin, now);
      ImGui::Spacing();
      ImGui::PopID();
    }
    if (shown == 0)
      text_muted(index.pins().empty() ? "No Pinned futures in this run. Coroutine frames (Task) never move, so they need no pin."
                                      : "No Pinned future made yet.");
  }
  end_window();
}

}  // namespace asynclab::vis
