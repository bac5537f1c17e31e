// The "Resources" window: every channel and lock at the cursor. A channel is a row of buffer slots
// with one token per buffered value (a full bounded channel has no empty slot left — that is
// backpressure), each token showing its value's label when the trace recorded one (channel_value:
// clipped to the token, whole in its tooltip; tokens widen to fit their labels, up to a limit, and
// as many as fit the window are drawn); a mutex shows its holder and the queue of waiters in arrival
// order; a semaphore its permits, free and taken.
#include <algorithm>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

constexpr std::uint32_t max_slots_drawn = 24;  // beyond this an unbounded buffer is drawn as "+N"
constexpr float max_token_widths = 5.0f;        // a labelled token is at most this many tokens wide

// The labels of the first `filled` tokens ("" for none). The channel keeps the labels of the values
// it holds, oldest first; they line up with the newest tokens when it keeps more (a broadcast
// receiver has read the older ones).
std::vector<std::string> token_labels(const trace::Trace* trace, const ChannelLabels* labels, std::uint32_t filled) {
  std::vector<std::string> out(filled);
  if (!trace || !labels) return out;
  const std::size_t n = std::min<std::size_t>(labels->size(), filled);
  for (std::size_t k = 0; k < n; ++k) out[filled - n + k] = label_text(*trace, (*labels)[labels->size() - n + k]);
  return out;
}

// A row of `slots` boxes, the first `filled` of them holding a value token; with `labels`, each
// token shows its value's label, clipped to the token, and the whole label as its tooltip.
void draw_slots(std::uint32_t slots, std::uint32_t filled, palette::Rgba token, const trace::Trace* trace = nullptr,
                const ChannelLabels* labels = nullptr) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float size = ImGui::GetTextLineHeight() * 1.2f;
  const float gap = size * 0.25f;
  const float pad = size * 0.2f;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  std::uint32_t drawn = std::min(slots, max_slots_drawn);
  const std::vector<std::string> texts = token_labels(trace, labels, std::min(filled, drawn));
  float token_width = size;
  for (const std::string& label : texts) {
    if (label.empty()) continue;
    token_width = std::max(token_width, ImGui::CalcTextSize(label.data(), label.data() + label.size()).x + 2 * pad);
  }
  token_width = std::min(token_width, size * max_token_widths);
  // Wide tokens: only as many as fit beside the "+N" that counts the rest.
  const float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("+000").x;
  if (drawn > 1) drawn = std::clamp(static_cast<std::uint32_t>(std::max(room, 0.0f) / (token_width + gap)), 1u, drawn);
  for (std::uint32_t i = 0; i < drawn; ++i) {
    const ImVec2 a(at.x + static_cast<float>(i) * (token_width + gap), at.y);
    const ImVec2 b(a.x + token_width, a.y + size);
    if (i < filled) draw->AddRectFilled(a, b, token.u32(), size * 0.25f);
    draw->AddRect(a, b, palette::empty_slot.u32(), size * 0.25f, 0, 1.5f);
    if (i >= texts.size() || texts[i].empty()) continue;
    const std::string& label = texts[i];
    draw->PushClipRect(ImVec2(a.x + pad * 0.5f, a.y), ImVec2(b.x - pad * 0.5f, b.y), true);
    draw->AddText(ImVec2(a.x + pad, a.y + (size - ImGui::GetTextLineHeight()) / 2), palette::token_outline.u32(),
                  label.data(), label.data() + label.size());
    draw->PopClipRect();
    ui_report::text(label);  // the whole label: what the tooltip shows
    if (ImGui::IsMouseHoveringRect(a, b)) ImGui::SetTooltip("%.*s", static_cast<int>(label.size()), label.data());
  }
  float width = static_cast<float>(drawn) * (token_width + gap);
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
  if (begin_window(imgui_id_of(ViewWindow::resources), open)) {
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
          draw_slots(slots, now.buffered, full ? palette::pending : palette::scheduled, &index.trace(), &now.labels);
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
