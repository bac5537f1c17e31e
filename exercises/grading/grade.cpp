// See grade.hpp.
#include "grade.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <limits>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "compile_errors.hpp"
#include "declared_test_cases.hpp"
#include "learner_notes.hpp"
#include "supervised_run.hpp"

namespace asynclab::grading {

namespace fs = std::filesystem;

fs::path build_dir() { return ASYNCLAB_BUILD_DIR; }

namespace {

// The scratch folders of an asynclab that was killed mid-grade (asynclab-grade-PID-target, PID gone).
void remove_stale_scratch() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("asynclab-grade-")) continue;
    const std::string pid = name.substr(15, name.find('-', 15) - 15);
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno == EPERM) continue;
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

namespace {

// The compiler's first error with the two lines after it (its code line and caret), or the first
// line that says the build failed.
std::string compiler_first_error(const std::vector<std::string>& all) {
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& l = all[i];
    if (l.find(": error:") != std::string::npos || l.find("undefined reference") != std::string::npos ||
        l.find("fatal error:") != std::string::npos) {
      std::string out = l;
      for (std::size_t k = i + 1; k < all.size() && k <= i + 2; ++k) out += "\n" + all[k];
      return out;
    }
  }
  for (const auto& l : all)
    if (l.starts_with("FAILED") || l.find("Error") != std::string::npos) return l;
  return all.empty() ? "the build failed and said nothing" : all.back();
}

}  // namespace

std::string first_build_error(const std::string& log) {
  std::istringstream lines(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  const std::string first = compiler_first_error(all);
  // A mistake the table knows is said in plain words first; the compiler's own words follow.
  if (auto known = explain_compile_error(log)) return known->words + "\n\nThe compiler's first error:\n" + first;
  return first;
}

GradedExercise grade_exercise(const Exercise& e, const GradeRequest& request) {
  GradedExercise g;
  g.exercise = e;
  const std::string target = e.target() + (request.reference ? "_solution" : "");
  auto progress = [&](std::string_view what) {
    if (request.on_progress) request.on_progress(what);
  };

  // 1. Build: `cmake --build` of this one grader; ninja's [n/m] lines are the progress.
  progress("building");
  SupervisedCommand build;
  build.argv = {ASYNCLAB_CMAKE_COMMAND, "--build", build_dir().string(), "--target", target};
  build.time_limit = request.build_time_limit;
  // A compiler needs room a grader does not; only time bounds the build.
  build.limits.memory = std::numeric_limits<std::uint64_t>::max();
  build.limits.file_size = std::numeric_limits<std::uint64_t>::max();
  build.limits.cpu_seconds = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(request.build_time_limit).count()) * 8;
  build.limits.processes = 256;
  build.limits.open_files = 4096;
  build.limits.output_kept = std::uint64_t{4} << 20;
  std::string pending;
  build.on_output = [&](std::string_view chunk) {
    pending.append(chunk);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.starts_with("[")) progress(fmt::format("building {}", line.substr(0, line.find(']') + 1)));
    }
  };
  const SupervisedEnd built = run_supervised(build);
  g.build_log = built.output;
  if (!built.started || built.timed_out || built.interrupted || !built.exited || built.exit_status != 0) {
    g.outcome.verdict = Verdict::did_not_compile;
    g.outcome.summary =
        !built.started  ? fmt::format("could not run cmake to build the grader: {}", built.error)
        : built.timed_out ? fmt::format("building the grader took longer than {} s, and was stopped (a template or "
                                        "constexpr computation that never ends? a teacher sets the limit with "
                                        "--build-timeout)",
                                        std::chrono::duration_cast<std::chrono::seconds>(request.build_time_limit).count())
        : built.interrupted ? std::string("building the grader was interrupted")
                            : first_build_error(g.build_log);
    g.outcome.output = g.build_log;
    return g;
  }

  // 2. Run it in its own process, with the time limit; its trace goes where the GUI looks.
  progress("running the grader");
  GraderRun run;
  run.executable = build_dir() / "exercises" / target;
  if (const auto* cases = expected_test_cases(e.folder)) run.expected_tests = *cases;
  run.time_limit = request.time_limit;
  run.limits = request.limits;
  run.trace_dir = request.reference ? request.trace_dir / "reference" : request.trace_dir;
  run.seeds = request.seeds;
  remove_stale_scratch();
  run.scratch = fs::temp_directory_path() / fmt::format("asynclab-grade-{}-{}", ::getpid(), target);
  const fs::path trace = *run.trace_dir / (e.folder + ".altrace");
  std::error_code ec;
  fs::remove(trace, ec);  // an old trace must not pass for this run's
  g.outcome = run_grader(run);
  fs::remove_all(run.scratch, ec);
  if (fs::exists(trace)) g.trace = trace;
  if (!request.reference) g.notes = learner_notes(e.dir, e.exercise_file(), g.build_log, g.trace);
  return g;
}

}  // namespace asynclab::grading
