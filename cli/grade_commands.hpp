#pragma once
// `asynclab grade`, `asynclab hint`, `asynclab reset` — the learner's rustlings-style loop over the
// exercises (design.md §6).
//
// * grade [EXERCISE...] [--all]: without names, the current exercise (the first not done). For each:
//   build its grader through CMake (only what changed; a progress line while it builds), run it in
//   its own process with a time limit, and print a verdict — done, failed with the first failure,
//   threw, got stuck, crashed, timed out, or did not compile with the compiler's first error — then
//   where to go next. Progress (done marks) is saved atomically; the learner's trace of the graded
//   run is saved where `asynclab gui --trace` opens it, and the verdict says where.
// * --watch: grade the current exercise, then again each time its exercise.cpp is saved (inotify),
//   moving on when it passes; h shows a hint, l the list, q quits.
// * --format exercism|gradescope|classroom [-o FILE]: the platform's results file instead of text
//   (exercism: results.json version 3; gradescope: results.json; classroom: the result object of
//   GitHub Classroom's autograding command grader).
// * Limits: each grader run is bounded in memory, CPU time, processes, file size, open files and
//   output kept (exercises/grading/limits.hpp), from a limits file and the options; a bad value is a
//   usage error that names it.
// * Exit status: 0 every exercise graded passed, 1 some did not, 2 usage or environment error.
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "limits.hpp"
#include "results_file.hpp"

namespace asynclab::cli {

struct GradeOptions {
  std::vector<std::string> exercises;
  bool all = false;
  bool watch = false;
  int seeds = 0;             // 0: the graders' default (5)
  double timeout_s = 30;     // per grader process
  double build_timeout_s = 600;  // per grader build
  std::optional<std::string> limits_file;  // read first: `name = value` lines (limits.hpp)
  std::vector<std::pair<std::string, std::string>> limit_values;  // --memory 4G ...: then these
  grading::Limits limits;    // what grade_command made of the two (set by it)
  grading::ResultsFormat format = grading::ResultsFormat::text;
  std::optional<std::string> output;
  bool color = false;
  bool interactive = false;  // stdin and stdout are a terminal (progress line, watch keys)
};

int grade_command(const GradeOptions& options, std::istream& in, std::ostream& out, std::ostream& err);
int hint_command(const std::string& exercise, std::ostream& out, std::ostream& err);
// * solution EXERCISE: the reference solution, once the exercise is done (rustlings v6's
//   `solution`), to compare with one's own; before that, where to get help instead (exit 1).
int solution_command(const std::string& exercise, std::ostream& out, std::ostream& err);
int reset_command(const std::string& exercise, bool assume_yes, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace asynclab::cli
