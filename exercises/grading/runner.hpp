#pragma once
// Running one grader as `asynclab grade` and the grader tests do: in its own process, with a time
// limit, its results read from the "asynclab" reporter's JSON lines (grader_main.cpp), and the
// outcome put in one verdict a learner can act on.
//
// Rules:
// * The grader never takes the caller down: a hang is killed at the limit (timed_out), a signal is
//   `crashed` with its name, an exception escaping the learner's code is `threw`, a stuck run is
//   `deadlock` (or a lost waker), failing checks are `failed`. Each has its own summary line.
// * Results of the test cases that finished before a crash or a kill are kept.
// * The child gets ASYNCLAB_TRACE_DIR (where graders save the learner's trace) and, when asked,
//   ASYNCLAB_GRADE_SEEDS; nothing else new.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace asynclab::grading {

enum class Verdict { passed, failed, threw, deadlock, crashed, timed_out, did_not_compile, no_tests };

// "done", "failed", "threw an exception", ...: the verdict in a learner's words.
std::string_view verdict_words(Verdict v);

struct TestResult {
  std::string name;
  std::vector<std::string> tags;
  bool passed = false;
  std::string kind;     // passed, failed, threw, crashed (as the reporter wrote it)
  std::string message;  // the first failure, as the grader wrote it
  std::string task_id() const;  // "task_2" from the tags, "" when there is none
};

struct GraderOutcome {
  Verdict verdict = Verdict::no_tests;
  std::string summary;  // the first failure / the signal / the time limit / the compiler's first error
  std::vector<TestResult> tests;
  std::string output;   // what the grader printed (stdout and stderr), for reports
  double seconds = 0;
};

struct GraderRun {
  std::filesystem::path executable;
  std::chrono::milliseconds time_limit{10'000};
  std::optional<std::filesystem::path> trace_dir;  // ASYNCLAB_TRACE_DIR for the child
  int seeds = 0;                                   // ASYNCLAB_GRADE_SEEDS for the child (0: default)
  std::filesystem::path scratch;                   // where the results file goes
};

GraderOutcome run_grader(const GraderRun& run);

// The verdict from results alone (used by run_grader once the process exited normally).
Verdict judge(const std::vector<TestResult>& tests, std::string& summary);

}  // namespace asynclab::grading
