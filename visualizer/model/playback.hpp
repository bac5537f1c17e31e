#pragma once
// Playback: the cursor the whole visualizer follows — where in the trace the learner is, whether it
// plays, how fast, and where it must stop. No ImGui and no clock inside: the GUI passes the real
// seconds each frame took to advance(), so tests drive it frame by frame and get the same answer.
//
// Rules:
// * The cursor runs from 0 to size(): events [0, cursor) have happened, and event cursor - 1 is "the
//   current event" the views highlight. Every move that stops on an event (a breakpoint, run_until,
//   stepping to a task's next event) leaves the cursor just after it, so that event is the current one.
// * States: paused or playing. Only advance() moves the cursor while playing, by speed() events per
//   real second; fractions of an event carry over from frame to frame. Playing stops (pauses) at the
//   end of the trace and at a breakpoint: the event a breakpoint matches is applied, then playback
//   pauses and advance() says which breakpoint it was. Resuming goes on from there.
// * A manual move (a step, a jump, a seek, run_until) pauses playback and drops any carried fraction:
//   the learner asked to look at one place.
// * The Trace is borrowed: it must outlive the Playback and not change while it is used — except
//   by growing (live mode), after which trace_grew() looks names and nth breakpoints up again.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/trace/trace.hpp"
#include "asynclab/trace/event_filter.hpp"

namespace asynclab::vis {

class Playback {
 public:
  static constexpr double default_speed = 10.0;  // events per second: slow enough to follow a wake
  static constexpr double min_speed = 0.01;
  static constexpr double max_speed = 1e9;

  explicit Playback(const trace::Trace& trace);

  std::size_t cursor() const { return cursor_; }
  std::size_t size() const { return trace_->size(); }
  bool at_start() const { return cursor_ == 0; }
  bool at_end() const { return cursor_ >= size(); }
  bool playing() const { return playing_; }
  double speed() const { return speed_; }

  // Manual moves. Each pauses; the step functions say whether the cursor moved.
  void seek(std::size_t cursor);  // clamped to [0, size()]
  bool step_forward();
  bool step_back();
  void jump_start();
  void jump_end();
  // To just after the task's next event (at or after the cursor) / its event before the current one.
  bool step_to_next_of_task(std::uint32_t task);
  bool step_to_prev_of_task(std::uint32_t task);
  // To just after the next event the filter picks, at or after the cursor; the event's index, or
  // nullopt (and no move) when there is none. Breakpoints are not looked at on the way.
  std::optional<std::size_t> run_until(const trace::EventFilter& filter);

  void play();  // at the end there is nothing to play: stays paused
  void pause();
  void toggle();
  // Clamped to [min_speed, max_speed]; a NaN is ignored.
  void set_speed(double events_per_second);

  // Moves the cursor by real_seconds * speed() events while playing. Returns the index (in
  // breakpoints()) of the breakpoint it stopped at, or nullopt.
  std::optional<std::size_t> advance(double real_seconds);

  // Breakpoints, in the order added; each filter keeps the text it was written as.
  std::size_t add_breakpoint(trace::EventFilter filter);
  std::expected<std::size_t, std::string> add_breakpoint(std::string_view filter_text);
  bool remove_breakpoint(std::size_t index);
  void clear_breakpoints();
  const std::vector<trace::EventFilter>& breakpoints() const { return breakpoints_; }

  // The trace has more events (live mode): forget names looked up so far and find nth breakpoints
  // again. The cursor stays.
  void trace_grew();

 private:
  std::optional<std::size_t> breakpoint_at(std::size_t event);
  void move_to(std::size_t cursor);

  const trace::Trace* trace_;
  trace::FilterContext context_;
  std::size_t cursor_ = 0;
  bool playing_ = false;
  double speed_ = default_speed;
  double carried_ = 0;  // the fraction of an event advance() owes
  std::vector<trace::EventFilter> breakpoints_;
  // Per breakpoint with nth: the one event it picks (nullopt: the trace has no such event). Found
  // when the breakpoint is added, so playing never counts matches from the start.
  std::vector<std::optional<std::size_t>> nth_event_;
};

}  // namespace asynclab::vis
