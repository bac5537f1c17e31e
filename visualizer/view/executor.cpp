// The "Executor" window: the executor's loop made visible, as mini-tokio describes it. The run queue
// is a row of task tokens — a wake puts a token at the back (it slides in), a poll takes the one at
// the front (it slides into the worker). Beside it: the worker and the task it polls, the blocking
// lanes and who holds them, the armed timers by deadline, and the clock.
// A multi-worker trace (the simulated multi_thread flavor) has a row per worker instead — the task it
// polls, then its local queue — and a row for the global inject queue, so a learner sees where each
// spawn and wake landed and a steal move tokens from one row to another (world_state.hpp's rules).
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
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

// Notes tokens that joined `queue` since the frame that saw `before` (a stolen token joins the
// thief's queue too, so it slides in there).
void note_arrivals(const std::deque<std::uint32_t>& queue, const std::deque<std::uint32_t>& before, ViewState& view) {
  // A set, not a search per token: a big trace can have thousands of tasks in a queue.
  const std::unordered_set<std::uint32_t> was(before.begin(), before.end());
  for (std::uint32_t id : queue)
    if (!was.contains(id)) view.token_motion[id] = TokenMotion{view.time_s, false};
}

// Notes which tokens entered the queue or left it since the previous frame, for their animation.
void track_motion(const Session& session, ViewState& view) {
  const WorldState& s = session.state();
  if (!s.workers.empty()) {
    if (s.run_queue == view.previous_queue && s.workers == view.previous_workers) return;  // most frames
    note_arrivals(s.run_queue, view.previous_queue, view);
    view.previous_workers.resize(s.workers.size());
    for (std::size_t w = 0; w < s.workers.size(); ++w) {
      const WorkerNow& now = s.workers[w];
      note_arrivals(now.local, view.previous_workers[w].local, view);
      if (now.running && now.running != view.previous_workers[w].running)
        view.token_motion[now.running] = TokenMotion{view.time_s, true};
    }
    view.previous_queue = s.run_queue;
    view.previous_workers = s.workers;
    return;
  }
  if (s.run_queue == view.previous_queue && s.running == view.previous_running) return;  // most frames
  // A set, not a search per token: a big trace can have thousands of tasks in the queue.
  const std::unordered_set<std::uint32_t> before(view.previous_queue.begin(), view.previous_queue.end());
  for (std::uint32_t id : s.run_queue)
    if (!before.contains(id)) view.token_motion[id] = TokenMotion{view.time_s, false};
  if (s.running && s.running != view.previous_running) view.token_motion[s.running] = TokenMotion{view.time_s, true};
  view.previous_queue = s.run_queue;
  view.previous_running = s.running;
}

struct TokenGeometry {
  ImVec2 token;
  float gap;
  float line;
};

// A queue drawn as a row of tokens from `at`, front on the left, in `avail` pixels: tokens that just
// joined slide in from the right; what does not fit is counted as "+N more". `who` prefixes the
// UI report's lines ("queued: x", "worker 1 queued: x"). `tight`: room for "+N more" is kept only
// when something is left over (the worker rows are short; the single run queue keeps its old look).
void draw_queue(ImDrawList* draw, const Session& session, ViewState& view, const std::deque<std::uint32_t>& queue,
                ImVec2 at, float avail, const TokenGeometry& g, std::string_view who, bool tight = false) {
  const TraceIndex& index = session.index();
  const ImVec2 token = g.token;
  const bool all_fit = tight && static_cast<float>(queue.size()) * (token.x + g.gap) - g.gap <= avail;
  const auto fits = all_fit ? queue.size()
                            : static_cast<std::size_t>(std::max(1.0f, (avail - 4 * g.line) / (token.x + g.gap)));
  const std::size_t shown = std::min(fits, queue.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const std::uint32_t id = queue[i];
    const TokenMotion m = view.token_motion.count(id) ? view.token_motion[id] : TokenMotion{};
    const float k = m.leaving ? 1.0f : (view.still ? 1.0f : settle(m.since_s, view.time_s));
    const float target = at.x + static_cast<float>(i) * (token.x + g.gap);
    const float from = at.x + avail;  // a woken task enters from the back of the line
    draw_token(draw, ImVec2(from + (target - from) * k, at.y), token, index.task_label(id), palette::scheduled,
               0.35f + 0.65f * k, id == session.selected_task);
    ui_report::text(fmt::format("{}queued: {}", who, index.task_label(id)));
  }
  if (queue.empty()) draw->AddText(ImVec2(at.x, at.y + (token.y - g.line) / 2), palette::muted_text.u32(), "empty");
  if (shown < queue.size())
    draw->AddText(ImVec2(at.x + static_cast<float>(shown) * (token.x + g.gap), at.y + (token.y - g.line) / 2),
                  palette::muted_text.u32(), fmt::format("+{} more", queue.size() - shown).c_str());
}

// The current-thread executor: one worker and the task it polls, then the one run queue.
void draw_single_worker(const Session& session, ViewState& view, const TokenGeometry& geometry) {
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 token = geometry.token;
  const float gap = geometry.gap;
  const float line = geometry.line;
  // The worker: the task being polled right now.
  section_heading("Worker (polls one task at a time)");
  ImVec2 at = ImGui::GetCursorScreenPos();
  if (s.running) {
    const TokenMotion m = view.token_motion[s.running];
    const float k = (view.still ? 1.0f : settle(m.since_s, view.time_s));
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

  // The run queue, front on the left. block_on's own future never joins it: when woken it waits at
  // the row's right end, past a rule, until the line is empty (detail/scheduler.hpp).
  section_heading(fmt::format("Run queue ({} ready) — the executor takes from the front", s.run_queue.size()));
  at = ImGui::GetCursorScreenPos();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float beside = s.block_on_woken ? token.x + gap * 3 : 0.0f;
  draw_queue(draw, session, view, s.run_queue, at, std::max(avail - beside, token.x), geometry, "");
  if (s.block_on_woken) {
    const float rule_x = at.x + avail - token.x - gap * 1.5f;
    draw->AddLine(ImVec2(rule_x, at.y + 2), ImVec2(rule_x, at.y + token.y - 2), palette::empty_slot.u32(), 1.5f);
    const ImVec2 slot(at.x + avail - token.x, at.y);
    draw_token(draw, slot, token, index.task_label(s.block_on_woken), palette::scheduled, 0.6f,
               s.block_on_woken == session.selected_task);
    ui_report::text(fmt::format("block_on's future woken: {}", index.task_label(s.block_on_woken)));
    if (ImGui::IsMouseHoveringRect(slot, ImVec2(slot.x + token.x, slot.y + token.y)))
      ImGui::SetTooltip("%s is block_on's own future: woken, but not in the line.\n"
                        "Like Tokio's current_thread runtime, the executor polls it once the\n"
                        "run queue is empty (or after 61 other polls), so tasks woken before it run first.",
                        index.task_label(s.block_on_woken).c_str());
  }
  ImGui::Dummy(ImVec2(avail, token.y));
}

// The multi-worker rows: per worker its label, the task it polls (red while sim::block_for holds
// it) and, past a thin rule, its local queue; then the inject queue as one more row. Labels share a
// column and queues start at one x, so a glance down the window compares the workers.
void draw_workers(const Session& session, ViewState& view, const TokenGeometry& g) {
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 token = g.token;
  section_heading("Workers: own queue first, then the inject queue, then steal");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Each worker polls one task at a time: the front of its local queue, else the front of the\n"
                      "inject queue, else it steals the older half of another worker's queue.\n"
                      "A poll's spawns and wakes go to its worker's queue; main and timer wakes to the inject queue.");
  const float label_w = ImGui::CalcTextSize(fmt::format("worker {}", s.workers.size() - 1).c_str()).x + g.gap;
  const float rule_dx = label_w + token.x + g.gap;  // the rule between the poll and the queue
  const float queue_dx = rule_dx + g.gap;           // where each queue starts, from the row's left
  const auto row = [&](const std::string& label, palette::Rgba ink, const std::deque<std::uint32_t>& queue,
                       auto&& draw_slot) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float avail = ImGui::GetContentRegionAvail().x;
    draw->AddText(ImVec2(at.x, at.y + (token.y - g.line) / 2), ink.u32(), label.c_str());
    draw_slot(at);
    draw->AddLine(ImVec2(at.x + rule_dx, at.y + 2), ImVec2(at.x + rule_dx, at.y + token.y - 2), palette::empty_slot.u32(), 1.5f);
    draw_queue(draw, session, view, queue, ImVec2(at.x + queue_dx, at.y), std::max(avail - queue_dx, token.x), g,
               label + " ", true);
    ImGui::Dummy(ImVec2(avail, token.y + g.gap * 0.5f));
  };
  for (std::size_t w = 0; w < s.workers.size(); ++w) {
    const WorkerNow& worker = s.workers[w];
    const std::string label = fmt::format("worker {}", w);
    row(label, palette::accent_text, worker.local, [&](ImVec2 at) {
      const ImVec2 slot(at.x + label_w, at.y);
      if (!worker.running) {
        draw->AddRect(slot, ImVec2(slot.x + token.x, slot.y + token.y), palette::empty_slot.u32(), token.y * 0.3f, 0, 1.5f);
        draw->AddText(ImVec2(slot.x + g.gap, slot.y + (token.y - g.line) / 2), palette::muted_text.u32(), "idle");
        ui_report::text(fmt::format("{} running: nothing", label));
        return;
      }
      const TokenMotion m = view.token_motion[worker.running];
      const float k = (view.still ? 1.0f : settle(m.since_s, view.time_s));
      const float from_x = at.x + queue_dx;  // where its queue's front token stood
      const bool blocked = worker.blocked == worker.running;
      draw_token(draw, ImVec2(from_x + (slot.x - from_x) * k, at.y), token, index.task_label(worker.running),
                 blocked ? palette::panicked : palette::running, 1.0f, worker.running == session.selected_task);
      ui_report::text(fmt::format("{} running: {}{}", label, index.task_label(worker.running), blocked ? " (blocked)" : ""));
      if (ImGui::IsMouseHoveringRect(slot, ImVec2(slot.x + token.x, slot.y + token.y)))
        ImGui::SetTooltip("%s", blocked ? fmt::format("{} polls {}, which blocks it (sim::block_for): the other workers go on",
                                                      label, index.task_label(worker.running)).c_str()
                                        : fmt::format("{} polls {}", label, index.task_label(worker.running)).c_str());
    });
  }
  row("inject", palette::muted_text, s.run_queue, [&](ImVec2 at) {
    const std::string n = fmt::format("{} ready", s.run_queue.size());
    draw->AddText(ImVec2(at.x + label_w + g.gap, at.y + (token.y - g.line) / 2), palette::muted_text.u32(), n.c_str());
  });
}

}  // namespace

void show_executor(Session& session, ViewState& view, bool* open) {
  track_motion(session, view);
  const TraceIndex& index = session.index();
  const WorldState& s = session.state();
  if (begin_window(imgui_id_of(ViewWindow::executor), open)) {
    text_coloured(palette::timer, fmt::format("clock  {}  ({} time)", format_duration(s.clock_ns - index.run().start_ns),
                                              index.run().virtual_time ? "virtual" : "real"));
    if (s.stopped) {
      ImGui::SameLine();
      text_muted("— the runtime has stopped");
    }

    const float line = ImGui::GetTextLineHeight();
    const ImVec2 token(std::max(7.0f * line, 90.0f), 1.7f * line);
    const TokenGeometry geometry{token, 0.4f * line, line};
    if (s.workers.empty()) draw_single_worker(session, view, geometry);
    else draw_workers(session, view, geometry);

    // Blocking lanes: spawn_blocking jobs, or a task blocking the worker itself.
    // (With workers, a blocked worker is shown on its own row: lane 0 stays free.)
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
