// Every lesson of the syllabus, checked the same way: it loads, its scenario runs under several
// seeds (to completion, or to the deadlock report the lesson means), every step's directives match
// the trace of the run that step uses, and a highlighted task exists. Each lesson's own claim is
// tested in its lesson_NN_test.cpp.
#include <set>

#include <fmt/format.h>

#include "engine/markdown.hpp"
#include "lessons/lesson_support.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 3, 17, 4242};

}  // namespace

TEST_CASE("every lesson folder loads and has its scenario compiled in", "[lessons]") {
  const auto& catalog = lesson_catalog();
  REQUIRE_FALSE(catalog.entries().empty());
  for (const auto& entry : catalog.entries()) {
    INFO(entry.folder);
    if (!entry.lesson) FAIL(entry.lesson.error().to_string());
    CHECK(entry.scenario != nullptr);
    CHECK_FALSE(entry.lesson->summary.empty());
    CHECK(entry.lesson->steps.size() >= 2);
  }
  // And every compiled-in scenario has its lesson.md.
  for (const auto& s : lessons::registered_scenarios()) {
    INFO(s.folder);
    CHECK(catalog.find(s.folder) != nullptr);
  }
}

TEST_CASE("every lesson's scenario runs and every directive matches, under several seeds", "[lessons]") {
  for (const auto& entry : lesson_catalog().entries()) {
    if (!entry.lesson) continue;  // reported above
    const auto& lesson = *entry.lesson;
    const lessons::ParamValues defaults(lesson.params);
    for (auto seed : seeds) {
      // One run per distinct parameter set the steps use (a `set:` directive starts another).
      std::set<std::string> done;
      for (std::size_t step = 0; step < lesson.steps.size(); ++step) {
        auto params = lesson.values_at(step, defaults);
        if (!done.insert(params.to_string()).second) continue;
        INFO(fmt::format("lesson {} seed {} params {}", entry.folder, seed, params.to_string()));
        auto run = lessons::run_lesson(lesson, entry.scenario, params, seed, defaults);
        if (!run.error.empty()) FAIL(run.error);
        CHECK(run.trace.size() > 0);
        for (const auto& u : run.unmatched)
          FAIL_CHECK(fmt::format("{}:{}: step {} `run-until: {}` matches no event", lesson.path.string(), u.line,
                                 u.step + 1, u.text));
        // A highlighted task exists in the run of its step.
        for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
          if (lesson.values_at(k, defaults) != params || run.steps[k].highlight.empty()) continue;
          auto spawn = find_event(run, fmt::format("spawn task=\"{}\"", run.steps[k].highlight));
          if (!spawn)
            FAIL_CHECK(fmt::format("{}: step {} highlights task \"{}\", which this run never spawns",
                                   lesson.path.string(), k + 1, run.steps[k].highlight));
        }
        // Cursors only move forward within one run.
        for (std::size_t k = 1; k < run.steps.size(); ++k) {
          bool fresh = false;
          for (const auto& d : lesson.steps[k].directives) fresh |= d.kind == lessons::DirectiveKind::set;
          if (!fresh) CHECK(run.steps[k].cursor >= run.steps[k - 1].cursor);
        }
      }
    }
  }
}

TEST_CASE("every lesson teaches the same way: call-outs and the Rust beside the C++", "[lessons]") {
  for (const auto& entry : lesson_catalog().entries()) {
    if (!entry.lesson) continue;
    const auto& lesson = *entry.lesson;
    std::size_t pairs = 0;
    for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
      INFO(fmt::format("{}:{} (step {})", lesson.path.string(), lesson.steps[k].line, k + 1));
      auto doc = lessons::parse_markdown(lesson.steps[k].markdown);
      bool notice = false;
      for (const auto& b : doc.blocks) notice |= b.callout == lessons::Callout::notice;
      CHECK(notice);  // each step says what to notice
      pairs += lessons::side_by_side_pairs(doc).size();
    }
    INFO(lesson.path.string());
    CHECK(pairs >= 1);  // the seeds' Rust beside the scenario's C++, at least once
  }
}
