// The "Executor" window: the executor's loop made visible, as mini-tokio describes it. The run queue
// is a row of task tokens — a wake puts a token at the back (it slides in), a poll takes the one at
// the front (it slides into the worker). Beside it: the worker and the task it polls, the blocking
// lanes and who holds them, the armed timers by deadline, and the clock.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>
#include <imgui.h>

#include "app/ui_report.hpp"
#include "model/describe.hpp"
#include "view/task_style.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

constexpr double slide_seconds = 0.35;  // long enough to see a token move, short enough to keep up

// 0 → 1 over slide_seconds, eased so tokens arrive softly.
float settle(double since_s, double now_s) {
  const double t = std::clamp((now_s - since_s) / slide_seconds, 0.0, 1.0);
  return static_cast<float>(1.0 - (1.0 - t) * (1.0 - t) * (1.0 - t));
}

// A token: a rounded box with the task's name, filled with the colour of its state.
void draw_token(ImDrawList* draw, ImVec2 at, ImVec2 size, const std::string& name, palette::Rgba fill,
                float alpha, bool selected) {
  palette::Rgba c = fill;
  c.a = alpha;
  const float rounding = size.y * 0.3f;
  draw->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), c.u32(), rounding);
  palette::Rgba edge = selected ? palette::highlight : palette::token_outline;
  edge.a = alpha;
  draw->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), edge.u32(), rounding, 0, selected ? 2.5f : 1.0f);
  const ImVec2 text_size = ImGui::CalcTextSize(name.c_str());
  const float pad = size.y * 0.25f;
  ImGui::PushClipRect(ImVec2(at.x + pad, at.y), ImVec2(at.x + size.x - pad, at.y + size.y), true);
  palette::Rgba ink = palette::token_outline;
  ink.a = alpha;
  draw->AddText(ImVec2(at.x + std::max(pad, (size.x - text_size.x) / 2), at.y + (size.y - text_size.y) / 2), ink.u32(),
                name.c_str());
  ImGui::PopClipRect();
}

// Notes which tokens entered the queue or left it since the previous frame, for their animation.
void track_motion(const Session& session, ViewState& view) {
  const WorldState& s = session.state();
  if (s.run_queue == view.previous_queue && s.running == view.previous_running) return;  // most frames
  // A set, not a search per token: a big trace can have thousands of tasks in the queue.
  const std::unordered_set<std::uint32_t> before(view.previous_queue.begin(), view.previous_queue.end());
  for (std::uint32_t id : s.run_queue)
    if (!before.contains(id)) view.token_motion[id] = TokenMotion{view.time_s, false};
  if (s.running && s.running != view.previous_running) view.token_motion[s.running] = TokenMotion{view.time_s, true};
  view.previous_queue = s.run_queue;
  view.previous_running = s.running;
}

}  // namespace

void show_executor(Session& session, ViewState& view, bool* open) {
  track_motion(session, view);
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  if (begin_window("Executor", open)) {
    text_coloured(palette::timer, fmt::format("clock  {}  ({} time)", format_duration(s.clock_ns - index.run().start_ns),
                                              index.run().virtual_time ? "virtual" : "real"));
    if (s.stopped) {
      ImGui::SameLine();
      text_muted("— the runtime has stopped");
    }

    const float line = ImGui::GetTextLineHeight();
    const ImVec2 token(std::max(7.0f * line, 90.0f), 1.7f * line);
    const float gap = 0.4f * line;
    ImDrawList* draw = ImGui::GetWindowDrawList();

    // The worker: the task being polled right now.
    section_heading("Worker (polls one task at a time)");
    ImVec2 at = ImGui::GetCursorScreenPos();
    if (s.running) {
      const TokenMotion m = view.token_motion[s.running];
      const float k = settle(m.since_s, view.time_s);
      const float from_x = at.x + token.x + gap * 3;  // where the queue's front token stood
      draw_token(draw, ImVec2(from_x + (at.x - from_x) * k, at.y), token, index.task_label(s.running), palette::running, 1.0f,
                 s.running == session.selected_task);
      ui_report::text(fmt::format("running: {}", index.task_label(s.running)));
    } else {
      palette::Rgba c = palette::empty_slot;
      draw->AddRect(at, ImVec2(at.x + token.x, at.y + token.y), c.u32(), token.y * 0.3f, 0, 1.5f);
      draw->AddText(ImVec2(at.x + gap, at.y + (token.y - line) / 2), palette::muted_text.u32(), "idle");
      ui_report::text("running: nothing");
    }
    ImGui::Dummy(ImVec2(token.x, token.y));

    // The run queue, front on the left.
    section_heading(fmt::format("Run queue ({} ready) — the executor takes from the front", s.run_queue.size()));
    at = ImGui::GetCursorScreenPos();
    const float avail = ImGui::GetContentRegionAvail().x;
    const auto fits = static_cast<std::size_t>(std::max(1.0f, (avail - 4 * line) / (token.x + gap)));
    const std::size_t shown = std::min(fits, s.run_queue.size());
    for (std::size_t i = 0; i < shown; ++i) {
      const std::uint32_t id = s.run_queue[i];
      const TokenMotion m = view.token_motion.count(id) ? view.token_motion[id] : TokenMotion{};
      const float k = m.leaving ? 1.0f : settle(m.since_s, view.time_s);
      const float target = at.x + static_cast<float>(i) * (token.x + gap);
      const float from = at.x + avail;  // a woken task enters from the back of the line
      draw_token(draw, ImVec2(from + (target - from) * k, at.y), token, index.task_label(id), palette::scheduled,
                 0.35f + 0.65f * k, id == session.selected_task);
      ui_report::text(fmt::format("queued: {}", index.task_label(id)));
    }
    if (s.run_queue.empty()) draw->AddText(ImVec2(at.x, at.y + (token.y - line) / 2), palette::muted_text.u32(), "empty");
    if (shown < s.run_queue.size())
      draw->AddText(ImVec2(at.x + static_cast<float>(shown) * (token.x + gap), at.y + (token.y - line) / 2),
                    palette::muted_text.u32(), fmt::format("+{} more", s.run_queue.size() - shown).c_str());
    ImGui::Dummy(ImVec2(avail, token.y));

    // Blocking lanes: spawn_blocking jobs, or a task blocking the worker itself.
    if (s.blocking_busy.size() > 1 || (!s.blocking_busy.empty() && s.blocking_busy[0])) {
      section_heading("Blocking");
      if (!s.blocking_busy.empty() && s.blocking_busy[0])
        text_coloured(palette::panicked,
                      fmt::format("the worker is blocked by {} — no other task can run", index.task_label(s.blocking_busy[0])));
      for (std::size_t lane = 1; lane < s.blocking_busy.size(); ++lane) {
        const std::uint32_t who = s.blocking_busy[lane];
        if (who) text(fmt::format("lane {}: job of {}", lane, index.task_label(who)));
        else text_muted(fmt::format("lane {}: free", lane));
      }
    }

    // Timers, soonest first.
    section_heading(fmt::format("Timers ({} armed)", s.timers.size()));
    std::size_t listed = 0;
    for (const ArmedTimer& t : s.timers) {
      if (++listed > 12) {
        text_muted(fmt::format("… and {} more", s.timers.size() - 12));
        break;
      }
      const std::uint64_t left = t.deadline_ns > s.clock_ns ? t.deadline_ns - s.clock_ns : 0;
      text_coloured(palette::timer, fmt::format("{:>10}  in {:<10}  wakes {}", format_duration(t.deadline_ns - index.run().start_ns),
                                                format_duration(left), index.task_label(t.owner)));
    }
    if (s.timers.empty()) text_muted("none");
  }
  end_window();
}

}  // namespace asynclab::vis
