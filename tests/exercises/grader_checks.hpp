#pragma once
// Proving a grader (tests/exercises/graders_test.cpp, one generated test per exercise): the exercise
// as shipped fails, the reference solution passes, and every known-wrong solution in
// tests/exercises/wrong/NN-slug/ fails with the verdict and message its first lines announce:
//
//   // expect-verdict: failed       (or threw, deadlock, crashed, timed_out, over_limit, incomplete)
//   // expect-message: the run ended at 600 ms
//   // expect-time-limit-ms: 3000   (optional: for a solution that hangs on purpose)
//
//   // expect-limits: cpu-seconds = 1   (optional: one limit other than the default, limits.hpp)
//
// Each grader runs in its own process with a time limit, through the same runner `asynclab grade`
// uses (exercises/grading/runner.hpp). After each, nothing it started may live on (an adversary names
// its escaped process "asynclab-escape") and its kept output is within the limit.
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <stdio.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "catalog.hpp"
#include "declared_test_cases.hpp"
#include "limits.hpp"
#include "runner.hpp"

namespace asynclab::testing {

namespace fs = std::filesystem;

// Where this test process lets graders write their output and result files: one folder per
// process, removed when the process exits, so test runs leave nothing behind in /tmp.
inline const fs::path& grader_scratch() {
  struct Scratch {
    fs::path path = fs::temp_directory_path() / fmt::format("asynclab-graders-{}", ::getpid());
    ~Scratch() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.path;
}

// A variant's time limit is 120 s (sanitizer builds are slow; a hang still ends), or what its file
// asks for with `// expect-time-limit-ms: N` (a known-wrong solution that hangs on purpose).
inline grading::GraderOutcome run_variant(std::string_view folder, const std::string& target,
                                          std::chrono::milliseconds limit = std::chrono::seconds(120),
                                          const grading::Limits& limits = {}) {
  grading::GraderRun run;
  run.limits = limits;
  run.executable = fs::path(ASYNCLAB_GRADERS_DIR) / target;
  const auto* expected = grading::expected_test_cases(folder);
  REQUIRE(expected != nullptr);  // the build lists every exercise's checks
  run.expected_tests = *expected;
  run.time_limit = limit;
  run.scratch = grader_scratch();
  return grading::run_grader(run);
}

inline std::string expectation(const fs::path& file, std::string_view key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const std::string prefix = fmt::format("// {}:", key);
    if (line.starts_with(prefix)) return line.substr(std::min(line.size(), prefix.size() + 1));
  }
  return "";
}

// Processes on this machine whose name (comm) is `name`.
inline int processes_named(std::string_view name) {
  int found = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "comm");
    std::string comm;
    if (std::getline(in, comm) && comm == name) ++found;
  }
  return found;
}

// Whether this build proves the known-wrong solutions too (see ASYNCLAB_PROVE_WRONG_SOLUTIONS in
// tests/CMakeLists.txt: the sanitizer build leaves them to the optimised one).
enum class WrongSolutions { prove, skip };

inline void prove_grader(std::string_view folder, WrongSolutions wrong_solutions) {
  const std::string id = [&] {
    std::string s(folder);
    for (char& ch : s)
      if (ch == '-') ch = '_';
    return s;
  }();
  {
    // The folder has what a learner needs: a statement, a file with a TODO, three hints or more.
    const auto catalog = grading::ExerciseCatalog::load();
    REQUIRE(catalog);
    const grading::Exercise* e = catalog->find(folder);
    REQUIRE(e != nullptr);
    INFO(fmt::format("exercise {}: its files", folder));
    std::ifstream readme(e->readme());
    CHECK(readme.good());
    CHECK(e->title != e->slug);  // the README's first line names it: "# Exercise NN — title"
    std::ifstream source(e->exercise_file());
    const std::string text((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
    CHECK(text.find("TODO") != std::string::npos);
    CHECK(e->hints().size() >= 3);
  }
  {
    INFO(fmt::format("exercise {} as shipped", folder));
    const auto shipped = run_variant(folder, fmt::format("grade_{}_as_shipped", id));
    INFO(shipped.summary << "\n" << shipped.output.substr(0, 4000));
    CHECK(shipped.verdict != grading::Verdict::passed);
    CHECK(shipped.verdict != grading::Verdict::did_not_compile);
    CHECK(shipped.verdict != grading::Verdict::no_tests);
  }
  {
    INFO(fmt::format("exercise {}: the reference solution", folder));
    const auto solution = run_variant(folder, fmt::format("grade_{}_solution", id));
    INFO(solution.summary << "\n" << solution.output.substr(0, 4000));
    CHECK(solution.verdict == grading::Verdict::passed);
    CHECK(solution.tests.size() >= 2);
    // The checks asynclab was built knowing are the ones Catch2 itself registers, in the same order:
    // the build's reading of grade.cpp (declared_test_cases.hpp) against the grader's own list.
    std::vector<std::string> registered;
    const std::string list = fmt::format("'{}' --list-test-names-only 2>/dev/null",
                                         (fs::path(ASYNCLAB_GRADERS_DIR) / fmt::format("grade_{}_solution", id)).string());
    if (FILE* names = ::popen(list.c_str(), "r")) {
      char line[4096];
      while (std::fgets(line, sizeof line, names) != nullptr) {
        std::string name = line;
        while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
        if (!name.empty()) registered.push_back(name);
      }
      ::pclose(names);
    }
    std::vector<std::string> built;
    for (const auto& c : *grading::expected_test_cases(folder)) built.push_back(c.name);
    CHECK(registered == built);
    for (const auto& t : solution.tests) {
      CAPTURE(t.name);
      CHECK(t.task_id() != "");  // every graded point is tagged [task_N] ...
      CHECK(std::ranges::find(t.tags, "ex" + std::string(folder.substr(0, 2))) != t.tags.end());  // ... and [exNN]
    }
  }
  if (wrong_solutions == WrongSolutions::skip) return;
  const fs::path wrong_dir = fs::path(ASYNCLAB_WRONG_DIR) / std::string(folder);
  std::size_t wrong = 0;
  for (const auto& entry : fs::directory_iterator(wrong_dir)) {
    if (entry.path().extension() != ".cpp") continue;
    ++wrong;
    const std::string name = entry.path().stem().string();
    INFO(fmt::format("exercise {}: known-wrong solution {}", folder, entry.path().filename().string()));
    const std::string limit = expectation(entry.path(), "expect-time-limit-ms");
    grading::Limits limits;
    if (const std::string line = expectation(entry.path(), "expect-limits"); !line.empty()) {
      const auto eq = line.find('=');
      REQUIRE(eq != std::string::npos);
      REQUIRE(grading::set_limit(limits, line.substr(0, line.find_last_not_of(' ', eq - 1) + 1), line.substr(eq + 1)));
    }
    const auto outcome = run_variant(folder, fmt::format("grade_{}_wrong_{}", id, name),
                                     limit.empty() ? std::chrono::milliseconds(120'000)
                                                   : std::chrono::milliseconds(std::stoll(limit)),
                                     limits);
    INFO(outcome.summary << "\n" << outcome.output.substr(0, 4000));
    const std::string verdict = expectation(entry.path(), "expect-verdict");
    const std::string message = expectation(entry.path(), "expect-message");
    REQUIRE_FALSE(verdict.empty());
    if (verdict != "passed") REQUIRE_FALSE(message.empty());  // an adversary may pass: what it leaves is checked
    // Whatever it did, the machine is as it was: nothing it started lives on, its output was capped.
    CHECK(processes_named("asynclab-escape") == 0);
    CHECK(outcome.output.size() <= limits.output_kept + 200);
    REQUIRE(grading::verdict_named(verdict).has_value());
    CHECK(grading::verdict_name(outcome.verdict) == verdict);
    CHECK_THAT(outcome.summary, Catch::Contains(message));
    // However it ended, every check the grader has is listed, in order; none passed that did not report.
    REQUIRE(outcome.tests.size() == grading::expected_test_cases(folder)->size());
    for (std::size_t i = 0; i < outcome.tests.size(); ++i) {
      CHECK(outcome.tests[i].name == (*grading::expected_test_cases(folder))[i].name);
      if (outcome.tests[i].kind == "not_reported") CHECK_FALSE(outcome.tests[i].passed);
    }
  }
  CHECK(wrong >= 2);  // at least two known-wrong solutions per exercise
}

}  // namespace asynclab::testing
