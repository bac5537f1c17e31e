// See grade.hpp.
#include "grade.hpp"

#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "compile_errors.hpp"

namespace asynclab::grading {

namespace fs = std::filesystem;

namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

fs::path build_dir() { return ASYNCLAB_BUILD_DIR; }

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
  const std::string cmd = fmt::format("{} --build {} --target {} 2>&1", quoted(ASYNCLAB_CMAKE_COMMAND),
                                      quoted(build_dir().string()), target);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    g.outcome.verdict = Verdict::did_not_compile;
    g.outcome.summary = "could not run cmake to build the grader";
    return g;
  }
  char buffer[4096];
  std::string line;
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    line += buffer;
    if (line.back() != '\n') continue;
    g.build_log += line;
    if (line.starts_with("[")) progress(fmt::format("building {}", line.substr(0, line.find(']') + 1)));
    line.clear();
  }
  g.build_log += line;
  if (::pclose(pipe) != 0) {
    g.outcome.verdict = Verdict::did_not_compile;
    g.outcome.summary = first_build_error(g.build_log);
    g.outcome.output = g.build_log;
    return g;
  }

  // 2. Run it in its own process, with the time limit; its trace goes where the GUI looks.
  progress("running the grader");
  GraderRun run;
  run.executable = build_dir() / "exercises" / target;
  run.time_limit = request.time_limit;
  run.trace_dir = request.reference ? request.trace_dir / "reference" : request.trace_dir;
  run.seeds = request.seeds;
  run.scratch = fs::temp_directory_path() / fmt::format("asynclab-grade-{}-{}", ::getpid(), target);
  const fs::path trace = *run.trace_dir / (e.folder + ".altrace");
  std::error_code ec;
  fs::remove(trace, ec);  // an old trace must not pass for this run's
  g.outcome = run_grader(run);
  fs::remove_all(run.scratch, ec);
  if (fs::exists(trace)) g.trace = trace;
  return g;
}

}  // namespace asynclab::grading
