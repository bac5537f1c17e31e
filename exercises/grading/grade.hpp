#pragma once
// Grading one exercise end to end, as `asynclab grade` and the GUI's Exercises window do it: build
// its grader through CMake (only what changed), run it in its own process with a time limit, keep
// the learner's trace. No printing here: a progress callback says what is happening.
//
// Rules:
// * Never throws for anything the learner did: a compile error is Verdict::did_not_compile with the
//   compiler's first error (a build past `build_time_limit` too), everything else is the runner's
//   verdict (runner.hpp). The build runs supervised like the grader: nothing it starts outlives it.
// * The checks the grader must report are the ones this asynclab was built knowing
//   (expected_test_cases()), never what the run says it has.
// * `reference` grades the reference solution instead (the grader built against
//   grading/solutions/NN-slug.cpp), saving its trace under trace_dir/reference/ — the run a learner compares
//   theirs with.
// * Safe to call from a background thread: it touches no global state but the environment variable
//   ASYNCLAB_GRADE_SEEDS of its children (set per call through the runner, not globally).
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "runner.hpp"

namespace asynclab::grading {

struct GradeRequest {
  int seeds = 0;  // 0: the graders' default
  std::chrono::milliseconds time_limit{30'000};
  Limits limits;                                       // what the grader's run may take
  std::chrono::milliseconds build_time_limit{600'000};  // building it (a first build compiles the grading pieces)
  std::filesystem::path trace_dir;  // where the learner's trace goes (reference runs: trace_dir/reference)
  bool reference = false;
  std::function<void(std::string_view)> on_progress;  // "building [3/5]", "running the grader"
};

struct GradedExercise {
  Exercise exercise;
  GraderOutcome outcome;
  std::optional<std::filesystem::path> trace;  // the run saved by the grader, when it saved one
  std::string build_log;
  // What the learner should hear about beside the verdict (learner_notes.hpp): the compiler's
  // warnings on their files, forgotten futures in their run, a coroutine lambda that dangles.
  std::vector<std::string> notes;
};

GradedExercise grade_exercise(const Exercise& exercise, const GradeRequest& request);

// The first error of a build log, with the two lines after it (GCC's caret and note).
std::string first_build_error(const std::string& log);

// The build folder and CMake this asynclab was built with (graders are built there).
std::filesystem::path build_dir();

}  // namespace asynclab::grading
