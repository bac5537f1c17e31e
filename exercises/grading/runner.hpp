#pragma once
// Running one grader as `asynclab grade` and the grader tests do: in its own process, inside limits,
// its results read from the "asynclab" reporter's sealed lines (grader_main.cpp, results_channel.hpp),
// and the outcome put in one verdict a learner can act on and a teacher can trust.
//
// Rules:
// * The grader never takes the caller down: a hang is killed at the time limit (timed_out), a signal
//   is `crashed` with its name in words, an exception escaping the learner's code is `threw`, a stuck
//   run is `deadlock` (or a lost waker), failing checks are `failed`, a limit hit is `over_limit`
//   naming the limit.
// * Only asynclab says which checks a grader has (`expected_tests`, from the build: see
//   declared_test_cases.hpp). Every one must report, in order, over the results channel, sealed, or
//   the verdict is `incomplete` ("did not finish its checks"): a run that exits early, a line written
//   by anything but the reporter, a check reported out of order. A check that never reported is kept
//   in `tests` as not passed, so a results file still lists every check.
// * Results of the checks that finished before a crash or a kill are kept.
// * Every process the grader started — one that left its process group or session too — is dead
//   before run_grader returns: the grader runs under a supervisor process that is their child
//   subreaper, and kills what is left of the tree when the grader ends, at the time limit, or when
//   asynclab itself is interrupted (supervised_run.hpp).
// * Run as root, the grader runs as nobody (`drop_root`): asynclab's own files are out of its reach.
// * The child gets ASYNCLAB_TRACE_DIR (where graders save the learner's trace) and, when asked,
//   ASYNCLAB_GRADE_SEEDS; nothing else new. Its stdin is /dev/null; its output is kept up to
//   `limits.output_kept`, the rest counted.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "declared_test_cases.hpp"
#include "limits.hpp"

namespace asynclab::grading {

enum class Verdict {
  passed,
  failed,
  threw,
  deadlock,
  crashed,
  timed_out,
  over_limit,
  incomplete,
  did_not_compile,
  no_tests,
};

// "done", "failed", "threw an exception", ...: the verdict in a learner's words.
std::string_view verdict_words(Verdict v);
// The verdict's name in expect-verdict lines and results files: "passed", "over_limit", ...
std::string_view verdict_name(Verdict v);
std::optional<Verdict> verdict_named(std::string_view name);

// What a signal that ended a grader means, in words a learner reads: SIGABRT is "aborted (an uncaught
// exception, std::terminate, or abort)".
std::string signal_in_words(int signal);

struct TestResult {
  std::string name;
  std::vector<std::string> tags;
  bool passed = false;
  std::string kind;     // passed, failed, threw, crashed (as the reporter wrote it), not_reported
  std::string message;  // the first failure, as the grader wrote it
  int open_files = 0;   // descriptors the grader held as the check ended
  std::string output;   // what was printed while this check ran (within the output kept)
  std::string task_id() const;  // "task_2" from the tags, "" when there is none
};

struct GraderOutcome {
  Verdict verdict = Verdict::no_tests;
  std::string summary;  // the first failure / the signal / the limit / the compiler's first error
  std::vector<TestResult> tests;
  std::string output;   // what the grader printed (stdout and stderr), at most limits.output_kept bytes
  std::uint64_t output_dropped = 0;  // bytes of output beyond that, counted and dropped
  double seconds = 0;
  double cpu_seconds = 0;
};

struct GraderRun {
  std::filesystem::path executable;
  std::vector<DeclaredTestCase> expected_tests;    // the grader's checks, in order (expected_test_cases())
  std::chrono::milliseconds time_limit{10'000};
  Limits limits;
  std::optional<std::filesystem::path> trace_dir;  // ASYNCLAB_TRACE_DIR for the child
  int seeds = 0;                                   // ASYNCLAB_GRADE_SEEDS for the child (0: default)
  std::filesystem::path scratch;                   // the grader's working folder (created if missing)
  // Run as root, the grader runs as nobody (uid 65534) — see supervised_run.hpp's `run_as` — with
  // its working folder and a private trace folder of its own; the trace it saves is copied to
  // `trace_dir` afterwards. Only when the grader's executable is out of nobody's reach does it keep
  // root, and its output says so.
  bool drop_root = true;
};

GraderOutcome run_grader(const GraderRun& run);

// The verdict from results alone (used by run_grader once the process exited normally): the first
// failing check decides.
Verdict judge(const std::vector<TestResult>& tests, std::string& summary);

}  // namespace asynclab::grading
