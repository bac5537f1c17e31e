#pragma once
// What a step's Notice says, written so the tool can check it: `<!-- expect: ... -->` lines under a
// step state the Notice's claims about the picture at the step's cursor, and the lesson tests check
// every one under every seed (tests/lessons/lesson_claims_test.cpp). A Notice that says "mirror b's
// branch is cut at 300 ms" while the timeline shows it cut at 500 ms fails a test, not a learner.
//
// Grammar (one claim per `expect:` line; LABEL and TEXT are quoted; `*` in a LABEL matches any run
// of characters; `{{expression}}` figures follow the parameters, as in the text):
//   shows WINDOW "TEXT"            that window (Executor, Resources, Warnings, Tasks, Task, Pinning, as
//   hides WINDOW "TEXT"            the terminal prints it: visualizer/terminal/window_text.hpp; or
//                                  Output, the lines the program has printed) shows TEXT at the cursor
//                                  / does not yet
//   task "NAME" is STATE           the task's state at the cursor: not_spawned, scheduled, running,
//                                  parked (waiting for a wake), done, cancelled, panicked
//   span "LABEL" ENDS [at N ms]    a row inside a task (model/nested_lanes.hpp: a branch, a request,
//                                  a lock wait or hold, a blocking job) whose label matches has a span
//                                  that ended ENDS (done, cancelled, failed, disabled, released) before the cursor, at N
//                                  ms when given (within half a millisecond)
//   span "LABEL" running           ... one that began before the cursor and has not ended by it
//   spans "LABEL" one-after-another  the spans of rows matching LABEL begun by the cursor (two or more)
//   spans "LABEL" overlap          never overlap in time / are all in flight together at some instant
//   happened FILTER                an event the filter picks (trace/event_filter.hpp) is before the
//   not-happened FILTER            cursor / none is
//   happened FILTER then FILTER …  in that order: each the first such event after the one before, all
//                                  before the cursor (`then` inside a quoted value is just a word)
//
// Rules:
// * parse_claim() checks the grammar, the window names and the filter when lesson.md is read, so a
//   typo is an error at its line (lesson_file.hpp); check_claim() then only judges.
// * check_claim() looks at nothing after the cursor: what the learner has not reached is not shown.
// * A failed claim comes back as a sentence saying what was expected and what the tool shows.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/params.hpp"
#include "engine/scenario.hpp"
#include "asynclab/trace/event_filter.hpp"
#include "model/timeline_layout.hpp"
#include "model/world_state.hpp"

namespace asynclab::lessons {

enum class ClaimKind {
  shows,
  hides,
  task_state,
  span_end,
  span_running,
  spans_in_sequence,
  spans_overlap,
  happened,
  not_happened
};

struct StepClaim {
  ClaimKind kind = ClaimKind::shows;
  std::string text;                             // as written (after `expect:`), for messages
  std::string window;                           // shows / hides
  std::string quoted;                           // the TEXT, task NAME or span LABEL
  vis::TaskState state = vis::TaskState::idle;  // task_state
  vis::SpanEnd end = vis::SpanEnd::done;        // span_end
  std::optional<double> at_ms;                  // span_end ... at N ms
  std::optional<trace::EventFilter> filter;       // happened / not_happened
  std::vector<trace::EventFilter> then;           // happened A then B then C: B and C, in order
};

// Parses one claim whose `{{ }}` figures are already expanded.
std::expected<StepClaim, std::string> parse_claim(std::string_view text);

// What the tool shows at a step's cursor, for check_claim().
struct ClaimContext {
  const vis::LaneIndex& lanes;   // and through it the TraceIndex
  const vis::WorldState& state;  // events [0, cursor) applied
  std::size_t cursor = 0;
  std::uint32_t highlighted_task = 0;   // the step's highlight (the Task window shows it), 0: none
  std::span<const SaidLine> said = {};  // the Output window's lines, each shown once the cursor reaches it
};

// Empty when the claim holds; else what was expected and what is shown, in a sentence.
std::string check_claim(const StepClaim& claim, const ClaimContext& context);

// Checks the claims of one step (the texts of its `expect:` lines, `{{ }}` not yet expanded) with the
// parameters its run used: one message per claim that does not hold (see check_claim).
std::vector<std::string> check_claims(std::span<const std::string> texts, const ParamValues& values,
                                      const ClaimContext& context);

// Whether `label` matches `pattern`, where `*` matches any run of characters.
bool label_matches(std::string_view pattern, std::string_view label);

}  // namespace asynclab::lessons
