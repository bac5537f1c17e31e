#pragma once
// Helpers for the lesson tests: load a lesson from the source tree's lessons/ folder and run its
// scenario with chosen parameters and seed, so a test reads like the claim the lesson makes:
//
//   auto run = run_lesson_with("08-join", {{"concurrent", "true"}});
//   TraceQuery q(run.trace);
//   CHECK(q.time_of_first(...) == 500ms);
//
// Rules:
// * A lesson that does not load, or a parameter it does not declare, fails the test with the
//   lesson's own error message (FAIL), never a crash.
// * find_event(run, "mark label=\"x\"") uses the lesson-directive language (event_filter.hpp), so a
//   test can point at the same moments a lesson's steps do.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "engine/catalog.hpp"
#include "engine/lesson_run.hpp"
#include "asynclab/trace/event_filter.hpp"

namespace asynclab::testing {

inline const lessons::Catalog& lesson_catalog() {
  static const lessons::Catalog catalog = [] {
    auto loaded = lessons::Catalog::load();
    if (!loaded) FAIL(loaded.error());
    return std::move(*loaded);
  }();
  return catalog;
}

inline const lessons::Lesson& lesson(std::string_view folder) {
  const auto* entry = lesson_catalog().find(folder);
  if (entry == nullptr) FAIL("no lesson " << folder);
  if (!entry->lesson) FAIL(entry->lesson.error().to_string());
  return *entry->lesson;
}

// Runs the lesson with its defaults and `params` set (k, v as --param takes them).
inline lessons::LessonRun run_lesson_with(std::string_view folder,
                                          std::initializer_list<std::pair<std::string, std::string>> params = {},
                                          std::uint64_t seed = 1) {
  const auto& l = lesson(folder);
  lessons::ParamValues values(l.params);
  for (const auto& [k, v] : params)
    if (auto ok = values.set(k, v); !ok) FAIL(ok.error());
  auto run = lessons::run_lesson(l, lesson_catalog().find(folder)->scenario, values, seed, values);
  if (!run.error.empty()) FAIL(run.error);
  return run;
}

// The first event at or after `from` that a directive-language filter picks.
inline std::optional<std::size_t> find_event(const lessons::LessonRun& run, std::string_view filter,
                                             std::size_t from = 0) {
  auto parsed = trace::parse_event_filter(filter);
  if (!parsed) FAIL(parsed.error());
  return trace::find_next(run.trace, *parsed, from);
}

// The virtual time of an event, since the run started.
inline std::chrono::nanoseconds time_at(const lessons::LessonRun& run, std::size_t event) {
  return std::chrono::nanoseconds(run.trace[event].time_ns);
}

}  // namespace asynclab::testing
