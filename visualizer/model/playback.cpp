// The playback cursor. See playback.hpp for the rules.
#include "model/playback.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace asynclab::vis {

namespace {
constexpr double fraction_tolerance = 1e-9;
}  // namespace

Playback::Playback(const trace::Trace& trace) : trace_(&trace), context_(trace) {}

void Playback::move_to(std::size_t cursor) {
  pause();
  cursor_ = std::min(cursor, size());
}

void Playback::seek(std::size_t cursor) { move_to(cursor); }

bool Playback::step_forward() {
  const std::size_t before = cursor_;
  move_to(at_end() ? cursor_ : cursor_ + 1);
  return cursor_ != before;
}

bool Playback::step_back() {
  const std::size_t before = cursor_;
  move_to(at_start() ? 0 : cursor_ - 1);
  return cursor_ != before;
}

void Playback::jump_start() { move_to(0); }
void Playback::jump_end() { move_to(size()); }

bool Playback::step_to_next_of_task(std::uint32_t task) {
  for (std::size_t i = cursor_; i < size(); ++i) {
    if ((*trace_)[i].task != task) continue;
    move_to(i + 1);
    return true;
  }
  pause();
  return false;
}

bool Playback::step_to_prev_of_task(std::uint32_t task) {
  // The current event is cursor - 1; the one before it of this task is searched below that.
  for (std::size_t i = cursor_ < 2 ? 0 : cursor_ - 1; i-- > 0;) {
    if ((*trace_)[i].task != task) continue;
    move_to(i + 1);
    return true;
  }
  pause();
  return false;
}

std::optional<std::size_t> Playback::run_until(const trace::EventFilter& filter) {
  pause();
  auto found = trace::find_next(context_, filter, cursor_);
  if (found) move_to(*found + 1);
  return found;
}

void Playback::play() {
  carried_ = 0;
  playing_ = !at_end();
}

void Playback::pause() {
  playing_ = false;
  carried_ = 0;
}

void Playback::toggle() {
  if (playing_) {
    pause();
  } else {
    play();
  }
}

void Playback::set_speed(double events_per_second) {
  if (std::isnan(events_per_second)) return;
  speed_ = std::clamp(events_per_second, min_speed, max_speed);
}

std::optional<std::size_t> Playback::advance(double real_seconds) {
  if (!playing_ || !(real_seconds > 0)) return std::nullopt;
  carried_ += real_seconds * speed_;
  // Frame times are rarely exact binary fractions: seven frames of 1/70 s at 10 events per second sum
  // to 0.99999..., which must still be one event. The tolerance is far below any speed's step.
  const double whole = std::floor(carried_ + fraction_tolerance);
  carried_ = std::max(0.0, carried_ - whole);
  const std::size_t left = size() - cursor_;
  // Compared as doubles first: a long frame at top speed may owe more events than a size_t holds.
  const std::size_t steps = whole >= static_cast<double>(left) ? left : static_cast<std::size_t>(whole);
  for (std::size_t k = 0; k < steps; ++k) {
    const std::size_t event = cursor_++;
    if (auto hit = breakpoint_at(event)) {
      pause();
      return hit;
    }
  }
  if (at_end()) pause();
  return std::nullopt;
}

std::optional<std::size_t> Playback::breakpoint_at(std::size_t event) {
  if (breakpoints_.empty()) return std::nullopt;
  const trace::Event e = (*trace_)[event];
  for (std::size_t b = 0; b < breakpoints_.size(); ++b) {
    const bool hit = breakpoints_[b].nth ? nth_event_[b] == event : breakpoints_[b].matches(context_, e);
    if (hit) return b;
  }
  return std::nullopt;
}

std::size_t Playback::add_breakpoint(trace::EventFilter filter) {
  nth_event_.push_back(filter.nth ? trace::find_next(context_, filter, 0) : std::nullopt);
  breakpoints_.push_back(std::move(filter));
  return breakpoints_.size() - 1;
}

std::expected<std::size_t, std::string> Playback::add_breakpoint(std::string_view filter_text) {
  auto filter = trace::parse_event_filter(filter_text);
  if (!filter) return std::unexpected(filter.error());
  return add_breakpoint(std::move(*filter));
}

bool Playback::remove_breakpoint(std::size_t index) {
  if (index >= breakpoints_.size()) return false;
  breakpoints_.erase(breakpoints_.begin() + static_cast<std::ptrdiff_t>(index));
  nth_event_.erase(nth_event_.begin() + static_cast<std::ptrdiff_t>(index));
  return true;
}

void Playback::trace_grew() {
  context_ = trace::FilterContext(*trace_);
  for (std::size_t b = 0; b < breakpoints_.size(); ++b)
    if (breakpoints_[b].nth) nth_event_[b] = trace::find_next(context_, breakpoints_[b], 0);
}

void Playback::clear_breakpoints() {
  breakpoints_.clear();
  nth_event_.clear();
}

}  // namespace asynclab::vis
