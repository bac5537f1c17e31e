// The "Timeline" window: a lane per task (and per blocking lane), time running left to right. Polls
// are slices coloured by what they returned (Pending yellow, Ready green); a thin grey line is a task
// parked waiting for a wake, a blue bar a task woken and waiting in the run queue; a magenta arrow
// comes down from the lane of whoever woke it (or from the clock, a channel...); a red ✗ is a future
// a select dropped mid-flight; a ✓ the task's end. The cursor is the white line: to its right is what
// has not happened yet, dimmed.
//
// Input: mouse wheel zooms around the pointer (shift+wheel scrolls the lanes), dragging pans, W/S
// zoom and A/D pan, a click moves the cursor there and selects the lane's task; hovering shows what
// is under the pointer. Toolbar: axis (time / steps),
// fit, follow the cursor.
//
// Drawing walks the commands layout_timeline() prepared (model/timeline_layout.hpp); nothing here
// decides what is visible.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "view/task_style.hpp"
#include "view/widgets.hpp"
#include "view/windows.hpp"

namespace asynclab::vis {

namespace {

std::string lane_label(const Session& session, const Lane& lane) {
  switch (lane.kind) {
    case LaneKind::task: return session.index().task_label(lane.id);
    case LaneKind::blocking: return lane.id ? fmt::format("blocking lane {}", lane.id) : std::string("worker (blocked)");
    case LaneKind::worker: return fmt::format("worker {}", lane.id);
    case LaneKind::future:
    case LaneKind::request:
    case LaneKind::lock:
    case LaneKind::job: {
      const NestedLanes& nested = session.lane_index().nested();
      return lane.id < nested.rows().size() ? nested.rows()[lane.id].label : std::string("?");
    }
  }
  return "?";
}

// The colour of a nested row's bars.
palette::Rgba nested_colour(LaneKind kind) {
  switch (kind) {
    case LaneKind::request: return palette::request;
    case LaneKind::lock: return palette::lock_held;
    case LaneKind::job: return palette::panicked;
    default: return palette::branch;
  }
}

// Whether a task's nested rows are drawn: the learner's choice, else open for a task with a dozen
// rows or fewer in a trace of a few dozen tasks (a lesson), closed in big traces.
bool task_unfolded(const Session& session, const ViewState& view, std::uint32_t task) {
  if (auto it = view.unfolded_tasks.find(task); it != view.unfolded_tasks.end()) return it->second;
  const std::size_t rows = nested_row_count(session.index(), session.lane_index().nested(), task);
  return rows > 0 && rows <= 12 && session.index().tasks().size() <= 64;
}

std::string describe_nested(const Session& session, const DrawCmd& c) {
  const TraceIndex& index = session.index();
  const NestedLanes& nested = session.lane_index().nested();
  if (c.aux >= nested.spans().size()) return {};
  const NestedSpan& span = nested.spans()[c.aux];
  const std::uint64_t start = index.run().start_ns;
  const std::string from = format_duration(span.begin_ns - start);
  const std::string lasted =
      span.end_event == npos ? std::string("still running when the trace ends")
                             : fmt::format("{} later", format_duration(span.end_ns - span.begin_ns));
  auto ended = [&](const char* done, const char* cut) {
    switch (span.end) {
      case SpanEnd::done: return fmt::format("{}, {}", done, lasted);
      case SpanEnd::cancelled: return fmt::format("{}, {}", cut, lasted);
      case SpanEnd::failed: return fmt::format("failed, {}", lasted);
      case SpanEnd::running: return lasted;
      case SpanEnd::released:
        return fmt::format("released {}: the select ended and dropped only its borrow; the borrowed future "
                           "lives on with its owner",
                           lasted);
      case SpanEnd::disabled:
        return fmt::format("answered Ready {}, but its pattern refused the output (a closed channel's None for "
                           "some(..)): the branch is disabled and the select raced on without it",
                           lasted);
    }
    return lasted;
  };
  // The row this span sits on: its kind says what the span is.
  const auto row = std::ranges::find_if(nested.rows(), [&](const NestedRow& r) {
    return c.aux >= r.first_span && c.aux < r.first_span + r.span_count;
  });
  if (row == nested.rows().end()) return {};
  switch (row->kind) {
    case NestedKind::future:
      return fmt::format("{} — from {}: {}", row->label, from,
                         ended("answered Ready", "dropped mid-flight (cancelled): it will never be polled again"));
    case NestedKind::request: {
      const RequestInfo& r = index.requests()[span.ref];
      std::string s = fmt::format("request {} sent at {}: {}", r.url, from, ended("answered", "cancelled: its future was dropped"));
      if (r.status) s += fmt::format(" (status {})", r.status);
      return s;
    }
    case NestedKind::lock: {
      const ResourceInfo* r = index.resource(span.ref);
      const std::string name = r ? r->name : std::string("?");
      if (span.waiting)
        return fmt::format("{} waits for '{}' from {}{}: {}", index.task_label(row->task), name, from,
                           span.holder ? fmt::format(", held by {}", index.task_label(span.holder)) : std::string(),
                           span.end == SpanEnd::done ? fmt::format("got it {}", lasted) : ended("", "gave up (dropped)"));
      return fmt::format("{} holds '{}' from {}: {}", index.task_label(row->task), name, from,
                         ended("released", "dropped with its task"));
    }
    case NestedKind::job:
      return fmt::format("{} from {}: {}", row->label, from, ended("finished", "cut"));
  }
  return {};
}

palette::Rgba poll_colour(std::uint32_t result) {
  switch (static_cast<trace::PollResult>(result)) {
    case trace::PollResult::pending: return palette::pending;
    case trace::PollResult::ready: return palette::running;
    case trace::PollResult::panicked: return palette::panicked;
  }
  return palette::pending;
}

// A wake from no task starts at a dot in its source's colour: the clock, a channel, a finished job.
palette::Rgba source_colour(trace::WakeSource s) {
  switch (s) {
    case trace::WakeSource::timer: return palette::timer;
    case trace::WakeSource::channel: return palette::scheduled;
    case trace::WakeSource::blocking: return palette::panicked;
    case trace::WakeSource::budget: return palette::timer;
    case trace::WakeSource::io:
    case trace::WakeSource::runtime:
    case trace::WakeSource::task: break;
  }
  return palette::wake;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) at least `min_units` wide.
double tick_step(double min_units) {
  if (min_units <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(min_units)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= min_units) return m * power;
  return 10 * power;
}

// What the pointer is over, in words, for the tooltip.
std::string describe_cmd(const Session& session, const DrawCmd& c) {
  const TraceIndex& index = session.index();
  const trace::Trace& t = session.trace();
  const std::uint64_t start = index.run().start_ns;
  const auto at = [&](std::uint32_t event) { return format_duration(t[event].time_ns - start); };
  switch (c.kind) {
    case DrawKind::poll: {
      const trace::Event b = t[c.event];
      std::string s = fmt::format("poll of {} at {}", index.task_label(b.task), at(c.event));
      const TaskInfo* task = index.task(b.task);
      if (task) {
        auto it = std::lower_bound(task->polls.begin(), task->polls.end(), c.event,
                                   [](const PollSpan& p, std::uint32_t e) { return p.begin_event < e; });
        if (it != task->polls.end() && it->begin_event == c.event) {
          s += fmt::format(", took {}", format_duration(it->end_ns - it->begin_ns));
          if (it->end_event != npos) s += "\n" + describe_event(index, t[it->end_event]);
        }
      }
      return s;
    }
    case DrawKind::folded:
      return fmt::format("{} {} too close together to draw one by one — zoom in", c.count,
                         t[c.event].kind == trace::EventKind::poll_begin ? "polls" : "spans");
    case DrawKind::idle_gap:
      return fmt::format("idle from {}: parked{}, waiting for a wake", at(c.event),
                         c.aux ? " at " + t.describe_location(c.aux) : std::string());
    case DrawKind::scheduled_gap: return fmt::format("in the run queue from {}: woken, waiting for its turn", at(c.event));
    case DrawKind::wake_arrow:
      return c.count > 1 ? fmt::format("{} wakes; the first: {} at {}", c.count, describe_event(index, t[c.event]), at(c.event))
                         : fmt::format("{} at {}", describe_event(index, t[c.event]), at(c.event));
    case DrawKind::cancelled_mark:
      return fmt::format("{} at {} — dropped mid-flight: its destructors ran, it will never be polled again",
                         c.count > 1 ? fmt::format("{} futures cancelled", c.count) : std::string("a future cancelled"), at(c.event));
    case DrawKind::done_mark: return fmt::format("{} at {}", describe_event(index, t[c.event]), at(c.event));
    case DrawKind::blocking_span: return fmt::format("{} at {}", describe_event(index, t[c.event]), at(c.event));
    case DrawKind::lint_marker: return describe_lint(index, index.lints()[c.aux]);
    case DrawKind::user_mark: return fmt::format("mark \"{}\" at {}", index.marks()[c.aux].label, at(c.event));
    case DrawKind::spawn_mark: return fmt::format("{} at {}", describe_event(index, t[c.event]), at(c.event));
    case DrawKind::steal_mark: return describe_steals(index, c.event, c.count) + " at " + at(c.event);
    case DrawKind::nested_span: return describe_nested(session, c);
  }
  return {};
}

// The UI report's picture of the timeline: the visible range, and every row with its extent.
void report_range(const Session& session, const TimelineViewport& vp, ReportedTimeline& t) {
  const TraceIndex& index = session.index();
  const std::uint64_t start = index.run().start_ns;
  t.axis = vp.axis == Axis::time ? "time" : "steps";
  t.begin = vp.begin;
  t.end = vp.end;
  if (vp.axis == Axis::time) {
    t.begin_ms = vp.begin / 1e6;
    t.end_ms = vp.end / 1e6;
  } else {
    const std::size_t n = session.trace().size();
    const auto time_at = [&](double v) {
      if (n == 0) return 0.0;
      const auto e = static_cast<std::size_t>(std::clamp(v, 0.0, static_cast<double>(n - 1)));
      return static_cast<double>(session.trace()[e].time_ns - start) / 1e6;
    };
    t.begin_ms = time_at(vp.begin);
    t.end_ms = time_at(vp.end);
  }
  ui_report::timeline(std::move(t));
}

// Appends one group's rows to the report; `group` is "" when the window shows one run, else "yours"
// or "beside".
void report_lanes(const Session& session, const std::vector<Lane>& lanes, const TimelineViewport& vp, float rows_on_screen,
                  std::string_view group, std::vector<ReportedLane>& out) {
  const TraceIndex& index = session.index();
  const auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  const auto visible_rows = static_cast<std::size_t>(std::max(rows_on_screen, 0.0f));
  for (std::size_t l = 0; l < lanes.size(); ++l) {
    const LaneExtent x = lane_extent(session.lane_index(), lanes[l]);
    ReportedLane r;
    r.group = std::string(group);
    r.kind = lane_kind_name(lanes[l].kind);
    r.label = lane_label(session, lanes[l]);
    r.parent = x.parent_task ? index.task_label(x.parent_task) : std::string();
    r.first_ms = ms(x.first_ns);
    r.last_ms = ms(x.last_ns);
    r.first_event = x.first_event;
    r.last_event = x.last_event;
    r.end = x.empty ? "none" : span_end_name(x.end);
    r.spans = x.spans ? x.spans : 1;
    r.on_screen = l >= vp.first_lane && l < vp.first_lane + visible_rows;
    out.push_back(std::move(r));
  }
}

// The whole run; with a run beside it on the time axis, the longer of the two.
void fit(const Session& session, TimelineCamera& cam, const Session* beside) {
  cam.begin = 0;
  cam.end = std::max(axis_extent_end(session.index(), cam.axis), 1.0);
  if (beside != nullptr && cam.axis == Axis::time) cam.end = std::max(cam.end, axis_extent_end(beside->index(), cam.axis));
  // A little room after the last event so the final marks are not on the edge.
  cam.end += (cam.end - cam.begin) * 0.02;
}

// Zooms by `factor` (<1 in, >1 out) keeping the axis value under pixel x where it is.
void zoom_at(TimelineCamera& cam, double x, double width, double factor) {
  const double span = cam.end - cam.begin;
  const double pivot = cam.begin + span * (x / width);
  const double new_span = std::clamp(span * factor, 1.0, 1e16);
  cam.begin = pivot - new_span * (x / width);
  cam.end = cam.begin + new_span;
}

// One run's rows in the window. The window shows the open trace; an exercise's reference run can be
// drawn under the learner's run as a second group, on the same axis (ViewState::beside).
struct LaneGroup {
  Session* session = nullptr;
  ViewState* view = nullptr;  // its rows, draw commands, folds and scroll
  std::string heading;        // "" when the window shows one run
  std::string note;           // after the heading, muted: what differs
  bool* open = nullptr;       // the heading's ×: stop showing this run
  bool primary = false;       // the open trace's: a click moves its cursor (the run beside has none to move)
  float heading_top = 0;      // the heading's line (when there is one)
  float top = 0;              // the rows start here on screen
  float height = 0;           // pixels of rows
  TimelineViewport vp;
};

// What the groups share: the window's geometry, the axis range, the pointer.
struct TimelineFrame {
  float origin_x = 0, avail_x = 0, lanes_x = 0, width = 0, label_w = 0;
  float line = 0, row_h = 0, indent = 0, bar_h = 0;
  bool any_nested = false;
  bool hovered = false;
  double mouse_x = 0;  // the pointer, in pixels from the lanes' left edge
  float mouse_y = 0;
  ImDrawList* draw = nullptr;
};

// The rows, their commands, the lock-wait arrows and the cursor of one group; then its hover and
// clicks. Everything is clipped to the group's rows.
void draw_group(LaneGroup& g, const TimelineFrame& f) {
  Session& session = *g.session;
  ViewState& view = *g.view;
  const TraceIndex& index = session.index();
  const std::vector<Lane>& lanes = view.timeline_rows;
  const std::vector<DrawCmd>& cmds = view.timeline_cmds;
  const TimelineViewport& vp = g.vp;
  ImDrawList* draw = f.draw;
  const float row_h = f.row_h, bar_h = f.bar_h, line = f.line, lanes_x = f.lanes_x, width = f.width;
  const ImVec2 origin(f.origin_x, g.top);
  const float height = g.height;
  const float scroll_y = view.camera.scroll_y;

  draw->PushClipRect(origin, ImVec2(origin.x + f.avail_x, origin.y + height), true);
  const auto row_y = [&](std::size_t lane) { return origin.y + static_cast<float>(lane) * row_h - scroll_y; };

  // Lane backgrounds and labels.
  const std::size_t last_lane = std::min(lanes.size(), vp.first_lane + vp.lane_count);
  for (std::size_t l = vp.first_lane; l < last_lane; ++l) {
    const float y = row_y(l);
    const bool selected = lanes[l].kind == LaneKind::task && lanes[l].id == session.selected_task;
    const palette::Rgba bg = selected ? palette::current_line : (l % 2 ? palette::background : palette::empty_slot);
    palette::Rgba band = bg;
    band.a = selected ? 1.0f : 0.35f;
    draw->AddRectFilled(ImVec2(origin.x, y), ImVec2(origin.x + f.avail_x, y + row_h), band.u32());
    const std::string label = lane_label(session, lanes[l]);
    palette::Rgba ink = palette::muted_text;
    float label_x = origin.x + 4;
    std::string shown = label;
    if (lanes[l].kind == LaneKind::task) {
      const std::uint32_t slot = index.task_slot(lanes[l].id);
      ink = state_colour(session.state().tasks[slot].state);
      if (session.state().tasks[slot].state == TaskState::not_spawned) ink = palette::empty_slot;
      if (!session.lane_index().nested().rows_of_task(slot).empty())
        shown = (task_unfolded(session, view, lanes[l].id) ? "▾ " : "▸ ") + label;
      else if (f.any_nested)
        label_x += ImGui::CalcTextSize("▾ ").x;
    } else if (is_nested(lanes[l].kind)) {
      label_x += f.indent;
      ink = nested_colour(lanes[l].kind);
      // A row whose first thing has not begun by the cursor is greyed, as a task not yet spawned is.
      const NestedLanes& nested = session.lane_index().nested();
      if (lanes[l].id < nested.rows().size() && nested.rows()[lanes[l].id].span_count > 0 &&
          nested.spans_of(lanes[l].id).front().begin_event >= session.state().cursor)
        ink = palette::empty_slot;
    }
    draw->PushClipRect(ImVec2(origin.x, y), ImVec2(lanes_x - 4, y + row_h), true);
    draw->AddText(ImVec2(label_x, y + (row_h - line) / 2), ink.u32(), shown.c_str());
    draw->PopClipRect();
    ui_report::text(label);
  }

  // Each worker's lane, for steal arrows (npos: the worker has no lane).
  std::vector<std::uint32_t> worker_lane(index.run().workers, npos);
  for (std::size_t l = 0; l < lanes.size(); ++l)
    if (lanes[l].kind == LaneKind::worker && lanes[l].id < worker_lane.size()) worker_lane[lanes[l].id] = static_cast<std::uint32_t>(l);

  // Lock waits seen this frame: an arrow from each to its holder's lane, drawn after the bars.
  struct NestedWait {
    std::uint32_t lane;
    float x;
    std::uint32_t holder;
    std::uint32_t resource;
  };
  std::vector<NestedWait> nested_waits;

  // The commands, in the order the layout gives (later on top).
  draw->PushClipRect(ImVec2(lanes_x, origin.y), ImVec2(lanes_x + width, origin.y + height), true);
  for (const DrawCmd& c : cmds) {
    const float x0 = lanes_x + c.x0, x1 = lanes_x + std::max(c.x1, c.x0 + 1.0f);
    if (c.lane == npos) {  // timeline-wide: a user mark or a lint of no task
      palette::Rgba col = c.kind == DrawKind::user_mark ? palette::accent_text : palette::panicked;
      col.a = 0.8f;
      draw->AddLine(ImVec2(x0, origin.y), ImVec2(x0, origin.y + height), col.u32(), 1.5f);
      continue;
    }
    const float y = row_y(c.lane);
    const float mid = y + row_h / 2;
    switch (c.kind) {
      case DrawKind::poll:
        draw->AddRectFilled(ImVec2(x0, mid - bar_h / 2), ImVec2(std::max(x1, x0 + 3), mid + bar_h / 2), poll_colour(c.aux).u32(), 2);
        break;
      case DrawKind::folded: {
        draw->AddRectFilled(ImVec2(x0, mid - bar_h / 2), ImVec2(std::max(x1, x0 + 3), mid + bar_h / 2), palette::done.u32(), 2);
        const std::string n = fmt::format("{}", c.count);
        if (ImGui::CalcTextSize(n.c_str()).x + 4 < x1 - x0)
          draw->AddText(ImVec2(x0 + 2, mid - line / 2), palette::token_outline.u32(), n.c_str());
        break;
      }
      case DrawKind::idle_gap:
        draw->AddLine(ImVec2(x0, mid), ImVec2(x1, mid), palette::idle.u32(), 1.0f);
        break;
      case DrawKind::scheduled_gap:
        draw->AddRectFilled(ImVec2(x0, mid - 2), ImVec2(x1, mid + 2), palette::scheduled.u32());
        break;
      case DrawKind::wake_arrow: {
        const float top = c.aux != npos && c.aux >= vp.first_lane && c.aux < last_lane ? row_y(c.aux) + row_h / 2
                                                                                      : y - row_h * 0.15f;
        const float tip = c.aux != npos && c.aux < c.lane ? mid - bar_h / 2
                          : c.aux != npos && c.aux > c.lane && c.aux < last_lane ? mid + bar_h / 2
                                                                                 : mid - bar_h / 2;
        const float dir = top <= tip ? 1.0f : -1.0f;
        draw->AddLine(ImVec2(x0, top), ImVec2(x0, tip), palette::wake.u32(), 1.5f);
        draw->AddTriangleFilled(ImVec2(x0 - 4, tip - 6 * dir), ImVec2(x0 + 4, tip - 6 * dir), ImVec2(x0, tip), palette::wake.u32());
        if (c.aux == npos) draw->AddCircleFilled(ImVec2(x0, top), 3.5f, source_colour(c.source).u32());
        break;
      }
      case DrawKind::cancelled_mark: {
        const float r = bar_h * 0.45f;
        draw->AddLine(ImVec2(x0 - r, mid - r), ImVec2(x0 + r, mid + r), palette::cancelled.u32(), 3.0f);
        draw->AddLine(ImVec2(x0 - r, mid + r), ImVec2(x0 + r, mid - r), palette::cancelled.u32(), 3.0f);
        break;
      }
      case DrawKind::done_mark: {
        const auto outcome = static_cast<trace::Outcome>(c.aux);
        const palette::Rgba col = outcome == trace::Outcome::ok          ? palette::running
                                  : outcome == trace::Outcome::cancelled ? palette::cancelled
                                                                         : palette::panicked;
        draw->AddCircleFilled(ImVec2(x0 + 5, mid), bar_h * 0.4f, col.u32());
        draw->AddText(ImVec2(x0 + 5 - ImGui::CalcTextSize("✓").x / 2, mid - line / 2), palette::token_outline.u32(),
                      outcome == trace::Outcome::ok ? "✓" : outcome == trace::Outcome::cancelled ? "✗" : "!");
        break;
      }
      case DrawKind::blocking_span:
        draw->AddRectFilled(ImVec2(x0, mid - bar_h / 2), ImVec2(x1, mid + bar_h / 2), palette::panicked.u32(), 2);
        break;
      case DrawKind::nested_span: {
        const NestedLanes& nested = session.lane_index().nested();
        if (c.aux >= nested.spans().size()) break;
        const NestedSpan& span = nested.spans()[c.aux];
        const palette::Rgba colour = nested_colour(lanes[c.lane].kind);
        const float h = bar_h * 0.8f;
        const float right = std::max(x1, x0 + 2);
        if (span.waiting) {
          // Waiting for a lock: an outline, and an arrow up or down to the lane of whoever holds it.
          draw->AddRect(ImVec2(x0, mid - h / 2), ImVec2(right, mid + h / 2), colour.u32(), 2, 0, 2.0f);
          nested_waits.push_back({c.lane, x0, span.holder, span.ref});
        } else {
          draw->AddRectFilled(ImVec2(x0, mid - h / 2), ImVec2(right, mid + h / 2), colour.u32(), 2);
        }
        // How it ended, at its end: a red cut when it was dropped mid-flight, a "!" when it failed,
        // an open end (no cap) while it runs on.
        if (span.end == SpanEnd::cancelled) {
          // A red cut across the bar's end, and a ✗ just after it: dropped here, mid-flight.
          draw->AddLine(ImVec2(right, mid - h * 0.9f), ImVec2(right, mid + h * 0.9f), palette::token_outline.u32(), 5.0f);
          draw->AddLine(ImVec2(right, mid - h * 0.9f), ImVec2(right, mid + h * 0.9f), palette::cancelled.u32(), 3.0f);
          const float r = h * 0.32f, cx = right + r + 4;
          draw->AddLine(ImVec2(cx - r, mid - r), ImVec2(cx + r, mid + r), palette::cancelled.u32(), 2.5f);
          draw->AddLine(ImVec2(cx - r, mid + r), ImVec2(cx + r, mid - r), palette::cancelled.u32(), 2.5f);
        } else if (span.end == SpanEnd::failed) {
          draw->AddCircleFilled(ImVec2(right, mid), h * 0.45f, palette::cancelled.u32());
          draw->AddText(ImVec2(right - ImGui::CalcTextSize("!").x / 2, mid - line / 2), palette::token_outline.u32(), "!");
        } else if (span.end == SpanEnd::done) {
          draw->AddLine(ImVec2(right - 1, mid - h / 2), ImVec2(right - 1, mid + h / 2), palette::highlight.u32(), 2.0f);
        } else if (span.end == SpanEnd::disabled) {
          // ∅ just after the end: it answered, but its pattern refused the answer; the race went on
          // without it. Grey, not red: nothing was lost, the branch simply no longer counts.
          const float r = h * 0.38f, cx = right + r + 4;
          draw->AddCircle(ImVec2(cx, mid), r, palette::muted_text.u32(), 0, 2.0f);
          draw->AddLine(ImVec2(cx - r * 1.2f, mid + r * 1.2f), ImVec2(cx + r * 1.2f, mid - r * 1.2f), palette::muted_text.u32(), 2.0f);
        }
        break;
      }
      case DrawKind::lint_marker:
        draw->AddTriangleFilled(ImVec2(x0, y + 1), ImVec2(x0 - 5, y + 10), ImVec2(x0 + 5, y + 10), palette::panicked.u32());
        break;
      case DrawKind::user_mark:
        draw->AddLine(ImVec2(x0, y), ImVec2(x0, y + row_h), palette::accent_text.u32(), 1.5f);
        break;
      case DrawKind::spawn_mark:
        draw->AddTriangleFilled(ImVec2(x0, mid - 5), ImVec2(x0, mid + 5), ImVec2(x0 + 6, mid), palette::scheduled.u32());
        break;
      case DrawKind::steal_mark: {
        // An arrow from the robbed worker's lane (a ring where the tasks were taken) into the
        // thief's; with the robbed lane scrolled away, a hook from the edge of this row. Outlined
        // in dark so it reads over a poll bar, and counted when several steals share the spot.
        const std::uint32_t from = c.aux < worker_lane.size() ? worker_lane[c.aux] : npos;
        const bool from_shown = from != npos && from >= vp.first_lane && from < last_lane;
        const float from_y = from_shown ? row_y(from) + row_h / 2 : (from != npos && from > c.lane ? y + row_h - 1 : y + 1);
        const float dir = from_y <= mid ? 1.0f : -1.0f;
        const float tip = mid - dir * bar_h * 0.1f;
        const ImU32 ink = palette::steal.u32(), edge = palette::token_outline.u32();
        draw->AddLine(ImVec2(x0, from_y), ImVec2(x0, tip - 6 * dir), edge, 4.0f);
        draw->AddLine(ImVec2(x0, from_y), ImVec2(x0, tip - 6 * dir), ink, 2.0f);
        const ImVec2 a(x0 - 6, tip - 9 * dir), b(x0 + 6, tip - 9 * dir), t(x0, tip + dir);
        draw->AddTriangleFilled(a, b, t, ink);
        draw->AddTriangle(a, b, t, edge, 1.0f);
        if (from_shown) {
          draw->AddCircleFilled(ImVec2(x0, from_y), 4.5f, edge);
          draw->AddCircle(ImVec2(x0, from_y), 4.0f, ink, 0, 2.0f);
        }
        if (c.count > 1) {
          const std::string n = fmt::format("{}", c.count);
          draw->AddText(ImVec2(x0 + 7, mid - line / 2), ink, n.c_str());
        }
        break;
      }
    }
  }

  // "Waits for": from a lock wait down (or up) to the holder's task lane, when it is on screen.
  // The arrow ends on the holder's row for that lock when it is unfolded, else on its task lane.
  const NestedLanes& nested_rows = session.lane_index().nested();
  for (const NestedWait& w : nested_waits) {
    if (w.holder == 0) continue;
    auto holder = std::ranges::find_if(lanes, [&](const Lane& l) {
      if (l.kind != LaneKind::lock || l.id >= nested_rows.rows().size()) return false;
      const NestedRow& row = nested_rows.rows()[l.id];
      return row.task == w.holder && row.span_count > 0 && nested_rows.spans()[row.first_span].ref == w.resource;
    });
    if (holder == lanes.end()) holder = std::ranges::find(lanes, Lane{LaneKind::task, w.holder});
    if (holder == lanes.end()) continue;
    const auto to = static_cast<std::size_t>(holder - lanes.begin());
    const float from_y = row_y(w.lane) + row_h / 2;
    const float dir = to > w.lane ? 1.0f : -1.0f;
    const float tip = row_y(to) + row_h / 2 - dir * bar_h * 0.4f;
    const float x = std::max(w.x, lanes_x + glyph_inset_px) + 6;
    draw->AddLine(ImVec2(x, from_y), ImVec2(x, tip - 7 * dir), palette::waits_for.u32(), 2.0f);
    draw->AddTriangleFilled(ImVec2(x - 5, tip - 8 * dir), ImVec2(x + 5, tip - 8 * dir), ImVec2(x, tip), palette::waits_for.u32());
  }


  // The future is dimmed; the cursor is a white line.
  const double cursor_value = cursor_axis_value(index, session.state().cursor, vp.axis);
  const float cursor_x = lanes_x + static_cast<float>(AxisMap(vp).x(cursor_value));
  if (cursor_x < lanes_x + width) {
    palette::Rgba shade = palette::background;
    shade.a = 0.55f;
    draw->AddRectFilled(ImVec2(std::max(cursor_x, lanes_x), origin.y), ImVec2(lanes_x + width, origin.y + height), shade.u32());
  }
  if (cursor_x >= lanes_x && cursor_x <= lanes_x + width)
    draw->AddLine(ImVec2(cursor_x, origin.y), ImVec2(cursor_x, origin.y + height), palette::highlight.u32(), 2.0f);
  draw->PopClipRect();
  draw->PopClipRect();

  // Hover and click, when the pointer is over this group's rows.
  if (!f.hovered || f.mouse_y < origin.y || f.mouse_y >= origin.y + height) return;
  const auto lane = static_cast<std::size_t>((f.mouse_y - origin.y + scroll_y) / row_h);
  if (lane >= lanes.size()) return;
  const bool foldable =
      lanes[lane].kind == LaneKind::task && nested_row_count(index, session.lane_index().nested(), lanes[lane].id) > 0;
  if (f.mouse_x < 0) {
    if (foldable) {
      if (ImGui::IsMouseReleased(ImGuiMouseButton_Left))
        view.unfolded_tasks[lanes[lane].id] = !task_unfolded(session, view, lanes[lane].id);
      ImGui::SetTooltip("click to %s what happens inside %s", task_unfolded(session, view, lanes[lane].id) ? "fold" : "show",
                        index.task_label(lanes[lane].id).c_str());
    } else if (ImGui::CalcTextSize(lane_label(session, lanes[lane]).c_str()).x + (is_nested(lanes[lane].kind) ? f.indent : 0) >
               f.label_w - 8) {
      ImGui::SetTooltip("%s", lane_label(session, lanes[lane]).c_str());  // cut in the column: whole here
    }
    return;
  }
  if (const DrawCmd* c = hit_test(cmds, static_cast<std::uint32_t>(lane), static_cast<float>(f.mouse_x), 4))
    ImGui::SetTooltip("%s", describe_cmd(session, *c).c_str());
  if (g.primary && ImGui::IsMouseReleased(ImGuiMouseButton_Left) && std::abs(ImGui::GetIO().MouseDragMaxDistanceSqr[0]) < 9) {
    session.playback().seek(event_at(index, AxisMap(vp).value(f.mouse_x), vp.axis));
    if (lanes[lane].kind == LaneKind::task) session.selected_task = lanes[lane].id;
  }
}

// A group's heading: its name, what differs (muted), and a × that stops showing a run beside.
void draw_heading(LaneGroup& g, const TimelineFrame& f) {
  ImDrawList* draw = f.draw;
  const float y = g.heading_top;
  const float h = g.top - g.heading_top;
  draw->AddRectFilled(ImVec2(f.origin_x, y), ImVec2(f.origin_x + f.avail_x, y + h), palette::empty_slot.u32());
  draw->AddLine(ImVec2(f.origin_x, y), ImVec2(f.origin_x + f.avail_x, y), palette::muted_text.u32(), 1.0f);
  float x = f.origin_x + 4;
  const float text_y = y + (h - f.line) / 2;
  const float close_w = g.open ? ImGui::CalcTextSize(" × ").x + 8 : 0;
  const float right = f.origin_x + f.avail_x - close_w;
  draw->PushClipRect(ImVec2(f.origin_x, y), ImVec2(right, y + h), true);
  draw->AddText(ImVec2(x, text_y), palette::accent_text.u32(), g.heading.c_str());
  ui_report::text(g.heading);
  x += ImGui::CalcTextSize(g.heading.c_str()).x;
  if (!g.note.empty()) {
    const std::string note = "  —  " + g.note;
    draw->AddText(ImVec2(x, text_y), palette::muted_text.u32(), note.c_str());
    ui_report::text(g.note);
    if (x + ImGui::CalcTextSize(note.c_str()).x > right) ui_report::clipped(g.note);
  }
  draw->PopClipRect();
  if (g.open == nullptr) return;
  const ImVec2 box_min(right, y), box_max(f.origin_x + f.avail_x, y + h);
  const bool over = f.hovered && ImGui::IsMouseHoveringRect(box_min, box_max);
  draw->AddText(ImVec2(right + 4, text_y), (over ? palette::highlight : palette::muted_text).u32(), " × ");
  if (over) {
    ImGui::SetTooltip("stop showing the %s", g.heading.c_str());
    // A click, not the end of a pan that happens to finish here.
    if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && ImGui::GetIO().MouseDragMaxDistanceSqr[0] < 9) *g.open = false;
  }
}

}  // namespace

void show_timeline(Session& session, ViewState& view, bool* open, const char* title) {
  TimelineCamera& cam = view.camera;
  const TraceIndex& index = session.index();
  const Session* beside = view.beside.view != nullptr && view.beside.session != &session ? view.beside.session : nullptr;
  if (cam.end <= cam.begin) {
    if (!cam.axis_chosen) cam.axis = index.run().virtual_time ? Axis::sequence : Axis::time;
    fit(session, cam, beside);
  }
  // The run beside this one, if a window put one there this frame.
  std::vector<LaneGroup> groups(1);
  groups[0].session = &session;
  groups[0].view = &view;
  groups[0].primary = true;
  if (beside != nullptr) {
    groups[0].heading = view.beside.this_heading;
    LaneGroup& other = groups.emplace_back();
    other.session = view.beside.session;
    other.view = view.beside.view;
    other.heading = view.beside.heading;
    other.note = view.beside.note;
    other.open = view.beside.open;
  }
  if (begin_window(title, open)) {
    // Toolbar (not in presentation mode: the class's screen is driven by the keyboard, and the lanes
    // need the room).
    if (!view.present) {
    int axis = cam.axis == Axis::time ? 0 : 1;
    const bool time_clicked = ImGui::RadioButton("time", &axis, 0);
    ImGui::SameLine();
    // Two runs compare on the clock: their event numbers do not line up.
    ImGui::BeginDisabled(beside != nullptr);
    const bool steps_clicked = ImGui::RadioButton("steps", &axis, 1);
    ImGui::EndDisabled();
    if (beside != nullptr && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("two runs are compared on the clock: their event numbers do not line up");
    ui_report::item(2);
    if ((time_clicked || steps_clicked) && (axis == 0) != (cam.axis == Axis::time)) {
      cam.axis = axis == 0 ? Axis::time : Axis::sequence;
      fit(session, cam, beside);
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("time: x is the clock (virtual time: many polls share one instant)\n"
                        "steps: every event gets the same width, so order is always visible");
    ImGui::SameLine();
    if (button("Fit")) fit(session, cam, beside);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the whole run (a lesson step frames its own moment)");
    ImGui::SameLine();
    if (button("?")) view.open.legend = !view.open.legend;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the legend: what each colour and mark means (F1)");
    ImGui::SameLine();
    ImGui::Checkbox("follow cursor", &cam.follow_cursor);
    ui_report::item();
    ImGui::SameLine();
    text_muted(cam.axis == Axis::time ? fmt::format("{} shown", format_duration(static_cast<std::uint64_t>(cam.end - cam.begin)))
                                      : fmt::format("{:.0f} events shown", cam.end - cam.begin));
    }

    // Geometry: a label column, then the lanes; a heading above each group when there are two.
    TimelineFrame f;
    f.line = ImGui::GetTextLineHeight();
    f.row_h = std::round(f.line * 1.7f);
    f.bar_h = f.row_h * 0.62f;
    f.indent = std::round(f.line * 1.2f);
    for (LaneGroup& g : groups) {
      with_nested_rows(g.view->timeline_rows, g.session->lanes(), g.session->index(), g.session->lane_index().nested(),
                       [&](std::uint32_t task) { return task_unfolded(*g.session, *g.view, task); });
      f.any_nested = f.any_nested || std::ranges::any_of(g.view->timeline_rows, [](const Lane& l) { return is_nested(l.kind); });
    }
    // The label column fits the longest label of the first rows (nested rows are indented and say
    // what they await), between 9 and 18 lines of width; longer ones are cut, whole in the tooltip.
    float widest = 0;
    for (const LaneGroup& g : groups) {
      const std::vector<Lane>& rows = g.view->timeline_rows;
      for (std::size_t l = 0; l < std::min<std::size_t>(rows.size(), 64); ++l)
        widest = std::max(widest, ImGui::CalcTextSize(lane_label(*g.session, rows[l]).c_str()).x +
                                      (is_nested(rows[l].kind) ? f.indent : 0) + ImGui::CalcTextSize("▾ ").x);
    }
    // ... and never more than a third of the window: the lanes are the point.
    f.label_w = std::round(std::clamp(widest + f.line, f.line * 9.0f,
                                      std::max(f.line * 9.0f, std::min(f.line * 18.0f, ImGui::GetContentRegionAvail().x / 3))));
    const float ruler_h = std::round(f.line * 2.5f);  // a row of ticks, then a row of mark labels
    const ImVec2 ruler_at = ImGui::GetCursorScreenPos();
    const ImVec2 origin(ruler_at.x, ruler_at.y + ruler_h);
    ImGui::Dummy(ImVec2(1, ruler_h));
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    f.origin_x = origin.x;
    f.avail_x = std::max(avail.x, 10.0f);
    f.lanes_x = origin.x + f.label_w;
    f.width = std::max(avail.x - f.label_w, 10.0f);
    const float height = std::max(avail.y, f.row_h);

    // Two groups share the height (below); one group has it all.
    const float heading_h = groups.size() > 1 ? std::round(f.line * 1.6f) : 0.0f;
    const float rows_h = std::max(height - heading_h * static_cast<float>(groups.size()), f.row_h);
    if (groups.size() == 1) {
      groups[0].heading_top = groups[0].top = origin.y;
      groups[0].height = rows_h;
    } else {
      const float need0 = static_cast<float>(groups[0].view->timeline_rows.size()) * f.row_h;
      const float need1 = static_cast<float>(groups[1].view->timeline_rows.size()) * f.row_h;
      // The open run (the learner's) gets all its rows when they fit in half; else what the run
      // beside leaves, but at least half.
      const float h0 = std::min(need0, std::max(rows_h / 2, rows_h - need1));
      groups[0].heading_top = origin.y;
      groups[0].top = origin.y + heading_h;
      groups[0].height = std::max(h0, f.row_h);
      groups[1].heading_top = groups[0].top + groups[0].height;
      groups[1].top = groups[1].heading_top + heading_h;
      groups[1].height = std::max(origin.y + height - groups[1].top, f.row_h);
    }

    ImGui::InvisibleButton("lanes", ImVec2(f.avail_x, height));
    f.hovered = ImGui::IsItemHovered();
    ImGuiIO& io = ImGui::GetIO();
    f.mouse_x = io.MousePos.x - f.lanes_x;
    f.mouse_y = io.MousePos.y;
    f.draw = ImGui::GetWindowDrawList();
    // The group under the pointer: shift+wheel scrolls it; a vertical drag scrolls the group it began in.
    LaneGroup* pointed = nullptr;
    for (LaneGroup& g : groups)
      if (f.mouse_y >= g.heading_top && f.mouse_y < g.top + g.height) pointed = &g;
    if (ImGui::IsItemActivated()) view.timeline_drag_group = pointed ? static_cast<int>(pointed - groups.data()) : -1;
    LaneGroup* dragged = view.timeline_drag_group >= 0 && static_cast<std::size_t>(view.timeline_drag_group) < groups.size()
                             ? &groups[static_cast<std::size_t>(view.timeline_drag_group)]
                             : nullptr;

    // Input: wheel zooms (shift+wheel scrolls the lanes), drag pans, click seeks and selects.
    if (f.hovered && io.MouseWheel != 0) {
      if (io.KeyShift) {
        if (pointed) pointed->view->camera.scroll_y -= io.MouseWheel * f.row_h * 3;
      } else {
        zoom_at(cam, std::clamp(f.mouse_x, 0.0, static_cast<double>(f.width)), f.width, std::pow(0.8, io.MouseWheel));
      }
      cam.follow_cursor = cam.follow_cursor && io.KeyShift;
    }
    // Keys, as in Tracy: W / S zoom in and out around the middle, A / D pan, while the pointer is over
    // the timeline (the arrow keys belong to playback).
    if (f.hovered && !io.WantTextInput) {
      const double per_frame = std::min(static_cast<double>(io.DeltaTime), 0.1);
      if (ImGui::IsKeyDown('W')) zoom_at(cam, f.width / 2.0, f.width, std::pow(0.25, per_frame));
      if (ImGui::IsKeyDown('S')) zoom_at(cam, f.width / 2.0, f.width, std::pow(4.0, per_frame));
      const double pan = (cam.end - cam.begin) * per_frame;
      const double direction = (ImGui::IsKeyDown('D') ? 1.0 : 0.0) - (ImGui::IsKeyDown('A') ? 1.0 : 0.0);
      if (direction != 0) {
        cam.begin += direction * pan;
        cam.end += direction * pan;
        cam.follow_cursor = false;
      }
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
      const double per_px = (cam.end - cam.begin) / f.width;
      cam.begin -= io.MouseDelta.x * per_px;
      cam.end -= io.MouseDelta.x * per_px;
      if (dragged) dragged->view->camera.scroll_y -= io.MouseDelta.y;
      cam.follow_cursor = false;
    }

    const double cursor_value = cursor_axis_value(index, session.state().cursor, cam.axis);
    if (cam.follow_cursor && session.playback().playing() && (cursor_value < cam.begin || cursor_value > cam.end)) {
      const double span = cam.end - cam.begin;
      cam.begin = cursor_value - span * 0.1;
      cam.end = cam.begin + span;
    }

    // Each group's layout, on the one axis range.
    ReportedTimeline reported;
    std::size_t commands = 0;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      LaneGroup& g = groups[gi];
      TimelineCamera& own = g.view->camera;
      const float content_h = static_cast<float>(g.view->timeline_rows.size()) * f.row_h;
      own.scroll_y = std::clamp(own.scroll_y, 0.0f, std::max(0.0f, content_h - g.height));
      g.vp.begin = cam.begin;
      g.vp.end = cam.end;
      g.vp.width_px = f.width;
      g.vp.first_lane = static_cast<std::size_t>(own.scroll_y / f.row_h);
      g.vp.lane_count = static_cast<std::size_t>(g.height / f.row_h) + 2;
      g.vp.axis = cam.axis;
      layout_timeline(g.session->lane_index(), g.view->timeline_rows, g.vp, g.view->timeline_cmds);
      commands += g.view->timeline_cmds.size();
      if (ui_report::active())
        report_lanes(*g.session, g.view->timeline_rows, g.vp, g.height / f.row_h,
                     groups.size() > 1 ? (gi == 0 ? "yours" : "beside") : "", reported.lanes);
    }
    ui_report::item(commands);
    ui_report::property("timeline_commands", std::to_string(commands));
    if (ui_report::active()) report_range(session, groups.front().vp, reported);

    ImDrawList* draw = f.draw;
    const std::vector<DrawCmd>& cmds = view.timeline_cmds;
    const float line = f.line, width = f.width, lanes_x = f.lanes_x;
    const TimelineViewport& vp = groups.front().vp;

    // The ruler: ticks in the axis' units (on the steps axis, each tick also tells the clock), and
    // the labels of the scenario's marks.
    {
      const AxisMap map(vp);
      draw->PushClipRect(ImVec2(lanes_x, ruler_at.y), ImVec2(lanes_x + width, origin.y), true);
      const float label_px = ImGui::CalcTextSize(cam.axis == Axis::time ? "000.0 ms" : "#0000 · 000.0 ms").x + line;
      // Events are whole numbers: a frame of two events gets one tick per event, never "#0" twice.
      double step = tick_step((cam.end - cam.begin) * label_px / width);
      if (cam.axis == Axis::sequence) step = std::max(step, 1.0);
      for (double v = std::ceil(cam.begin / step) * step; v <= cam.end; v += step) {
        const float x = lanes_x + static_cast<float>(map.x(v));
        std::string label;
        if (cam.axis == Axis::time) {
          label = format_duration_short(static_cast<std::uint64_t>(std::max(v, 0.0)));
        } else if (v >= 0 && v < static_cast<double>(session.trace().size())) {
          label = fmt::format("#{} · {}", static_cast<std::uint64_t>(v),
                              format_duration_short(session.trace()[static_cast<std::size_t>(v)].time_ns - index.run().start_ns));
        }
        if (label.empty()) continue;
        draw->AddLine(ImVec2(x, origin.y - 5), ImVec2(x, origin.y), palette::muted_text.u32());
        draw->AddText(ImVec2(x + 3, ruler_at.y + 1), palette::muted_text.u32(), label.c_str());
      }
      draw->PopClipRect();
      // Mark labels on their own row, each cut where the next one starts.
      const float marks_y = ruler_at.y + line * 1.2f;
      float previous_label_end = lanes_x;
      for (std::size_t i = 0; i < cmds.size(); ++i) {
        const DrawCmd& c = cmds[i];
        if (c.kind != DrawKind::user_mark || c.lane != npos) continue;
        float next_x = lanes_x + width;
        for (std::size_t j = i + 1; j < cmds.size(); ++j)
          if (cmds[j].kind == DrawKind::user_mark && cmds[j].lane == npos) {
            next_x = lanes_x + cmds[j].x0;
            break;
          }
        // After the mark when it fits before the next one (or the edge); else before the mark when
        // that fits after the previous label; else cut where the next one starts.
        const char* text = index.marks()[c.aux].label.c_str();
        const float text_w = ImGui::CalcTextSize(text).x;
        const float right_limit = std::min(next_x, lanes_x + width) - 2;
        float text_x = lanes_x + c.x0 + 3;
        if (text_x + text_w > right_limit && lanes_x + c.x0 - 3 - text_w >= previous_label_end)
          text_x = lanes_x + c.x0 - 3 - text_w;
        const float shown_left = std::max(previous_label_end, lanes_x);
        const float shown_right = std::max(right_limit, text_x + 1);
        draw->PushClipRect(ImVec2(shown_left, marks_y), ImVec2(shown_right, origin.y), true);
        draw->AddText(ImVec2(text_x, marks_y), palette::accent_text.u32(), text);
        draw->PopClipRect();
        previous_label_end = std::min(text_x + text_w, right_limit) + 4;
        ui_report::text(index.marks()[c.aux].label);
        // A label cut short by its neighbour is whole in a tooltip, as is any label under the pointer.
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        if (ImGui::IsWindowHovered() && mouse.y >= marks_y && mouse.y < origin.y &&
            mouse.x >= std::max(shown_left, std::min(text_x, lanes_x + c.x0 - 4)) &&
            mouse.x < std::max(std::min(text_x + text_w, shown_right), lanes_x + c.x0 + 4))
          ImGui::SetTooltip("mark \"%s\" at %s", text,
                            format_duration(session.trace()[c.event].time_ns - index.run().start_ns).c_str());
      }
    }

    for (LaneGroup& g : groups) {
      if (!g.heading.empty()) draw_heading(g, f);
      draw_group(g, f);
    }
  }
  end_window();
}

}  // namespace asynclab::vis
