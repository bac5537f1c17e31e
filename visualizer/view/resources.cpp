// The "Resources" window: every channel and lock at the cursor. A channel is a row of buffer slots
// with one token per buffered value (a full bounded channel has no empty slot left — that is
// backpressure); a mutex shows its holder and the queue of waiters in arrival order; a semaphore its
// permits, free and taken.
#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "app/ui_report.hpp"
#include "model/describe.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

constexpr std::uint32_t max_slots_drawn = 24;  // beyond this an unbounded buffer is drawn as "+N"

// A row of `slots` boxes, the first `filled` of them holding a value token.
void draw_slots(std::uint32_t slots, std::uint32_t filled, palette::Rgba token) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float size = ImGui::GetTextLineHeight() * 1.2f;
  const float gap = size * 0.25f;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const std::uint32_t drawn = std::min(slots, max_slots_drawn);
  for (std::uint32_t i = 0; i < drawn; ++i) {
    const ImVec2 a(at.x + static_cast<float>(i) * (size + gap), at.y);
    const ImVec2 b(a.x + size, a.y + size);
    if (i < filled) draw->AddRectFilled(a, b, token.u32(), size * 0.25f);
    draw->AddRect(a, b, palette::empty_slot.u32(), size * 0.25f, 0, 1.5f);
  }
  float width = static_cast<float>(drawn) * (size + gap);
  if (slots > drawn) {
    const std::string more = fmt::format("+{}", slots - drawn);
    draw->AddText(ImVec2(at.x + width, at.y + (size - ImGui::GetTextLineHeight()) / 2), palette::muted_text.u32(),
                  more.c_str());
    width += ImGui::CalcTextSize(more.c_str()).x;
  }
  ImGui::Dummy(ImVec2(std::max(width, 1.0f), size));
}

std::string task_list(const TraceIndex& index, const std::vector<std::uint32_t>& ids) {
  std::string out;
  for (std::uint32_t id : ids) out += (out.empty() ? "" : " → ") + index.task_label(id);
  return out;
}

}  // namespace

void show_resources(Session& session, ViewState&, bool* open) {
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  if (begin_window("Resources", open)) {
    std::size_t shown = 0;
    for (std::size_t slot = 0; slot < index.resources().size(); ++slot) {
      const ResourceInfo& info = index.resources()[slot];
      if (info.created_event >= s.cursor) continue;  // not created yet
      const ResourceNow& now = s.resources[slot];
      ++shown;
      ImGui::PushID(static_cast<int>(slot));
      std::string title = describe_resource(index, info.id);
      if (now.dropped) title += "  (dropped)";
      else if (now.closed) title += "  (closed)";
      text_coloured(now.dropped || now.closed ? palette::muted_text : palette::accent_text, title);
      switch (info.kind) {
        case trace::ResourceKind::mpsc:
        case trace::ResourceKind::broadcast:
        case trace::ResourceKind::oneshot:
        case trace::ResourceKind::watch:
        case trace::ResourceKind::unbounded_mpsc: {
          const bool bounded = info.capacity > 0 && info.kind != trace::ResourceKind::unbounded_mpsc;
          const std::uint32_t slots = bounded ? info.capacity : std::max(now.buffered, 1u);
          const bool full = bounded && now.buffered >= info.capacity;
          draw_slots(slots, now.buffered, full ? palette::pending : palette::scheduled);
          text_muted(fmt::format("{} buffered{} · {} sent · {} received", now.buffered,
                                 bounded ? fmt::format(" of {}", info.capacity) : std::string(" (unbounded)"),
                                 now.sends, now.recvs));
          if (full) text_coloured(palette::pending, "full: a sender must wait (backpressure)");
          break;
        }
        case trace::ResourceKind::mutex:
          if (now.holders.empty()) text_muted("unlocked");
          else text_coloured(palette::running, fmt::format("held by {}", index.task_label(now.holders.front())));
          if (!now.waiters.empty()) text_coloured(palette::pending, fmt::format("waiting: {}", task_list(index, now.waiters)));
          break;
        case trace::ResourceKind::semaphore:
          draw_slots(info.capacity, info.capacity > now.permits ? info.capacity - now.permits : 0, palette::running);
          text_muted(fmt::format("{} of {} permits free", now.permits, info.capacity));
          if (!now.holders.empty()) text(fmt::format("holding: {}", task_list(index, now.holders)));
          if (!now.waiters.empty()) text_coloured(palette::pending, fmt::format("waiting: {}", task_list(index, now.waiters)));
          break;
        case trace::ResourceKind::notify:
          if (!now.waiters.empty()) text_coloured(palette::pending, fmt::format("waiting: {}", task_list(index, now.waiters)));
          else text_muted("no one waiting");
          break;
      }
      ImGui::Spacing();
      ImGui::PopID();
    }
    if (shown == 0) text_muted("No channels or locks yet.");
  }
  end_window();
}

}  // namespace asynclab::vis
