// See runner.hpp.
#include "runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace asynclab::grading {

namespace fs = std::filesystem;

std::string_view verdict_words(Verdict v) {
  switch (v) {
    case Verdict::passed: return "done";
    case Verdict::failed: return "failed";
    case Verdict::threw: return "threw an exception";
    case Verdict::deadlock: return "got stuck (deadlock or lost waker)";
    case Verdict::crashed: return "crashed";
    case Verdict::timed_out: return "did not finish in time";
    case Verdict::did_not_compile: return "did not compile";
    case Verdict::no_tests: return "ran no tests";
  }
  return "?";
}

std::string TestResult::task_id() const {
  for (const auto& t : tags)
    if (t.starts_with("task_")) return t;
  return "";
}

Verdict judge(const std::vector<TestResult>& tests, std::string& summary) {
  if (tests.empty()) {
    summary = "the grader ran no tests";
    return Verdict::no_tests;
  }
  for (const auto& t : tests) {
    if (t.passed) continue;
    summary = fmt::format("{}\n{}", t.name, t.message);
    if (t.kind == "crashed") return Verdict::crashed;
    if (t.kind == "threw" || t.message.starts_with("threw")) return Verdict::threw;
    if (t.message.starts_with("deadlock") || t.message.starts_with("lost waker") || t.message.starts_with("stuck"))
      return Verdict::deadlock;
    return Verdict::failed;
  }
  summary.clear();
  return Verdict::passed;
}

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<TestResult> read_results(const fs::path& file) {
  std::vector<TestResult> tests;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;  // a line cut short by a crash
    TestResult t;
    t.name = j.value("name", "");
    t.tags = j.value("tags", std::vector<std::string>{});
    t.passed = j.value("passed", false);
    t.kind = j.value("kind", "failed");
    t.message = j.value("message", "");
    tests.push_back(std::move(t));
  }
  return tests;
}

}  // namespace

GraderOutcome run_grader(const GraderRun& run) {
  GraderOutcome outcome;
  std::error_code ec;
  fs::create_directories(run.scratch, ec);
  const fs::path results = run.scratch / (run.executable.filename().string() + ".results.jsonl");
  const fs::path output = run.scratch / (run.executable.filename().string() + ".output.txt");
  fs::remove(results, ec);
  if (!fs::exists(run.executable)) {
    outcome.verdict = Verdict::did_not_compile;
    outcome.summary = fmt::format("the grader {} was not built", run.executable.string());
    return outcome;
  }

  const auto started = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child == 0) {
    // The child: its own process group (so a kill reaches anything it started), output to a file.
    ::setpgid(0, 0);
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    if (run.trace_dir) ::setenv("ASYNCLAB_TRACE_DIR", run.trace_dir->c_str(), 1);
    if (run.seeds > 0) ::setenv("ASYNCLAB_GRADE_SEEDS", std::to_string(run.seeds).c_str(), 1);
    const std::string exe = run.executable.string();
    const std::string reporter_out = results.string();
    ::execl(exe.c_str(), exe.c_str(), "--reporter", "asynclab", "--out", reporter_out.c_str(), "--order", "decl",
            static_cast<char*>(nullptr));
    std::fprintf(stderr, "cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  if (child < 0) {
    outcome.verdict = Verdict::crashed;
    outcome.summary = fmt::format("could not start the grader: {}", std::strerror(errno));
    return outcome;
  }

  int status = 0;
  bool killed = false;
  while (true) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (std::chrono::steady_clock::now() - started > run.time_limit) {
      ::kill(-child, SIGKILL);
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      killed = true;
      break;
    }
    // Polling the child is how a time limit is kept without a signal handler in the caller; a grader
    // run takes tenths of a second, so 5 ms granularity costs nothing.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  outcome.output = slurp(output);
  outcome.tests = read_results(results);

  if (killed) {
    outcome.verdict = Verdict::timed_out;
    outcome.summary = fmt::format(
        "the grader was stopped after {} s: something never finished — a loop that never reaches a "
        "co_await, or a poll that never returns",
        std::chrono::duration<double>(run.time_limit).count());
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    outcome.verdict = Verdict::crashed;
    outcome.summary = fmt::format("the grader crashed with signal {} ({}) — e.g. a dangling pointer or reference "
                                  "used after the thing it pointed at was gone",
                                  sig, sigabbrev_np(sig) != nullptr ? sigabbrev_np(sig) : "?");
    return outcome;
  }
  outcome.verdict = judge(outcome.tests, outcome.summary);
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  if ((outcome.verdict == Verdict::passed || outcome.verdict == Verdict::no_tests) && exit_status != 0) {
    // No test failed, yet the process did: it died inside a test (a sanitizer caught a bad memory
    // access and exited, or the grader could not start). Its own words say what happened.
    outcome.verdict = Verdict::crashed;
    std::string said;
    std::istringstream lines(outcome.output);
    for (std::string line; std::getline(lines, line);)
      if (line.find("ERROR") != std::string::npos || line.find("error") != std::string::npos ||
          line.find("cannot run") != std::string::npos) {
        said = line;
        break;
      }
    outcome.summary = fmt::format("the grader stopped with exit status {} after {} test{}{}{}", exit_status,
                                  outcome.tests.size(), outcome.tests.size() == 1 ? "" : "s",
                                  said.empty() ? "" : ": ", said);
  }
  return outcome;
}

}  // namespace asynclab::grading
