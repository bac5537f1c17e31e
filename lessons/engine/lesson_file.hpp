#pragma once
// Lesson: one lessons/NN-slug/lesson.md, parsed. The format (design.md §4):
//
//   ---
//   id: 08
//   title: join! — three fetches at once
//   seeds: C
//   summary: one task, three requests in flight; total time is the slowest, not the sum
//   param: concurrent  bool = true                 | join the fetches (off: one after another)
//   param: latency_a   int 10..2000 ms = 300       | latency of fetch("a")
//   param: order       choice same,opposite = same | the order chef 2 takes the locks
//   ---
//
//   ## The first step's title
//   Markdown...
//   > **Notice:** what to look at in the timeline now.
//   <!-- run-until: wake task="fetch b" -->
//
//   ## The next step ...
//
// Rules:
// * The front matter is `key: value` lines between two `---` lines; id, title and seeds are required.
//   A `param:` line is `NAME KIND [RANGE] [UNIT] = DEFAULT | LABEL` with KIND int (RANGE MIN..MAX),
//   bool, or choice (RANGE a,b,c).
// * Each `## ` heading starts a step; nothing but blank lines may come before the first one.
// * Directives are HTML comments on a line of their own, read in the order written:
//     run-until: FILTER       move the playback to the first event at or after the previous step's
//                             cursor that FILTER (trace/event_filter.hpp) picks, and past it
//     highlight: task="NAME"  make that task's lane stand out
//     focus: window="NAME"    bring that window forward (Timeline, Tasks, Task, Executor, Resources,
//                             Warnings, Code, Pinning, Output)
//     set: NAME=VALUE ...     set parameters from this step on (re-runs the scenario)
//     axis: steps | time      the timeline's horizontal axis from this step on
//     frame: step | run | since-start | previous
//                             what the timeline shows when the step begins (default `step`: the
//                             events since the previous step's cursor, up to this step's; `run`: all
//                             of it; `since-start`: from the first event; `previous`: this step's
//                             events on the previous step's axis too, so that a step comparing two
//                             runs shows the shorter one shorter). The learner can still zoom out.
//     expect: CLAIM           what the step's Notice says, checkable: the tests check it at the step's
//                             cursor (engine/step_claims.hpp: `span "GET *b*" cancelled at
//                             {{latency_a}} ms`, `shows Warnings "lost waker"`, `task "main" is parked`)
//   An unknown directive, an unparsable filter, a parameter the front matter does not declare or a
//   value outside its range is an error naming the file and line.
// * `{{expression}}` in a step's text is a figure that follows the sliders (engine/text_template.hpp):
//   `{{latency_users + latency_posts + latency_comments}} ms`. A bad one is an error at its line.
// * A blockquote that starts with "Notice:" is the step's "what to notice" call-out; a ```rust block
//   followed by a ```cpp block is drawn side by side (the seeds' Rust beside the scenario's C++).
// * Parsing never throws; every error carries the path and the 1-based line.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/params.hpp"
#include "asynclab/trace/event_filter.hpp"

namespace asynclab::lessons {

enum class DirectiveKind { run_until, highlight, focus, set, axis, frame, expect };

struct Directive {
  DirectiveKind kind = DirectiveKind::run_until;
  std::size_t line = 0;                                      // in lesson.md, 1-based
  std::string text;                                          // the argument as written
  std::optional<trace::EventFilter> filter;                    // run_until
  std::string name;                                          // highlight: task; focus: window; axis: steps/time; frame
  std::vector<std::pair<std::string, std::string>> assigns;  // set: NAME=VALUE, checked against the specs
};

struct Step {
  std::string title;
  std::size_t line = 0;      // of its `## ` heading
  std::string markdown;      // the body, directives left in (they are HTML comments: invisible)
  std::vector<Directive> directives;

  const Directive* run_until() const;
  // The texts of its `expect:` lines, in order ({{ }} not expanded).
  std::vector<std::string> claims() const;
};

struct Lesson {
  std::string id;       // "08"
  std::string slug;     // "join" (from the folder name NN-slug)
  std::string folder;   // "08-join"
  std::string title;
  std::string seeds;    // "C" or "A, B"
  std::string summary;
  std::vector<ParamSpec> params;
  std::vector<Step> steps;
  std::filesystem::path path;  // the lesson.md it came from

  // The parameters a run uses at `step` (0-based): the defaults, then `overrides` (the learner's
  // sliders or --param), then every `set:` of steps 0..step in order.
  ParamValues values_at(std::size_t step, const ParamValues& overrides) const;
  // The identifier of the scenario function, from the folder: "scenario_08_join".
  std::string scenario_symbol() const;
};

// "lessons/08-join/lesson.md:14: unknown directive 'run-untill' (known: run-until, highlight, ...)"
struct LessonError {
  std::filesystem::path path;
  std::size_t line = 0;  // 0 when the error is about the file as a whole
  std::string message;
  std::string to_string() const;
};

// `folder` is the lesson's folder name (NN-slug), which gives id and slug; `text` is lesson.md.
std::expected<Lesson, LessonError> parse_lesson(std::string_view text, const std::filesystem::path& path);
std::expected<Lesson, LessonError> load_lesson(const std::filesystem::path& lesson_md);

}  // namespace asynclab::lessons
