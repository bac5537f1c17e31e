// See runner.hpp.
#include "runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asynclab/trace/file.hpp"
#include "asynclab/trace/output_file.hpp"
#include "results_channel.hpp"
#include "supervised_run.hpp"

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
    case Verdict::over_limit: return "went over a limit";
    case Verdict::incomplete: return "did not finish its checks";
    case Verdict::did_not_compile: return "did not compile";
    case Verdict::no_tests: return "ran no tests";
  }
  return "?";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::passed: return "passed";
    case Verdict::failed: return "failed";
    case Verdict::threw: return "threw";
    case Verdict::deadlock: return "deadlock";
    case Verdict::crashed: return "crashed";
    case Verdict::timed_out: return "timed_out";
    case Verdict::over_limit: return "over_limit";
    case Verdict::incomplete: return "incomplete";
    case Verdict::did_not_compile: return "did_not_compile";
    case Verdict::no_tests: return "no_tests";
  }
  return "?";
}

std::optional<Verdict> verdict_named(std::string_view name) {
  for (Verdict v : {Verdict::passed, Verdict::failed, Verdict::threw, Verdict::deadlock, Verdict::crashed,
                    Verdict::timed_out, Verdict::over_limit, Verdict::incomplete, Verdict::did_not_compile,
                    Verdict::no_tests})
    if (verdict_name(v) == name) return v;
  return std::nullopt;
}

std::string signal_in_words(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  const std::string name = abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
  std::string_view words;
  switch (signal) {
    case SIGSEGV:
      words = "a bad memory access: a dangling pointer or reference used after what it pointed at was gone, "
              "an index past the end, or a null pointer";
      break;
    case SIGABRT: words = "aborted (an uncaught exception, std::terminate, or abort)"; break;
    case SIGBUS: words = "a bad memory access (a misaligned or unmapped address)"; break;
    case SIGFPE: words = "an arithmetic error, such as an integer divided by zero"; break;
    case SIGILL: words = "an illegal instruction (often what undefined behaviour compiles to)"; break;
    case SIGTRAP: words = "a trap (a __builtin_trap, or a debugger breakpoint)"; break;
    case SIGKILL: words = "killed"; break;
    case SIGTERM: words = "asked to stop"; break;
    case SIGPIPE: words = "wrote to a pipe nobody reads"; break;
    case SIGXCPU: words = "used up its CPU time"; break;
    case SIGXFSZ: words = "wrote a file larger than allowed"; break;
    default: words = sigdescr_np(signal) != nullptr ? sigdescr_np(signal) : "an unexpected signal"; break;
  }
  return fmt::format("{}: {}", name, words);
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
    if (t.kind == "not_reported") return Verdict::incomplete;
    if (t.kind == "threw" || t.message.starts_with("threw")) return Verdict::threw;
    if (t.message.starts_with("deadlock") || t.message.starts_with("lost waker") || t.message.starts_with("stuck"))
      return Verdict::deadlock;
    return Verdict::failed;
  }
  summary.clear();
  return Verdict::passed;
}


namespace {

std::vector<std::string> tags_of(std::string_view written) {
  std::vector<std::string> tags;
  for (std::size_t at = written.find('['); at != std::string_view::npos; at = written.find('[', at + 1)) {
    const auto close = written.find(']', at);
    if (close == std::string_view::npos) break;
    tags.emplace_back(written.substr(at + 1, close - at - 1));
  }
  return tags;
}

// The checks that reported, each sealed and in the grader's order; `distrust` says why reading
// stopped early, when something other than the reporter wrote to the channel.
struct ReadResults {
  std::vector<TestResult> tests;
  std::string distrust;
};

ReadResults read_sealed_results(const channel::Key& key, std::string_view bytes,
                                const std::vector<DeclaredTestCase>& expected) {
  ReadResults r;
  for (std::uint64_t index = 0; !bytes.empty(); ++index) {
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) break;  // a line cut short by a crash or a kill
    const std::string_view line = bytes.substr(0, newline);
    bytes.remove_prefix(newline + 1);
    const auto json = channel::open_line(key, index, line);
    if (!json) {
      r.distrust = fmt::format("result line {} was not written by the grader's reporter: something else in the "
                               "process wrote to the grader's results channel",
                               index + 1);
      break;
    }
    auto j = nlohmann::json::parse(*json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      r.distrust = fmt::format("result line {} is not a result", index + 1);
      break;
    }
    TestResult t;
    try {
      t.name = j.value("name", "");
      t.tags = j.value("tags", std::vector<std::string>{});
      t.passed = j.value("passed", false);
      t.kind = j.value("kind", "failed");
      t.message = j.value("message", "");
      t.open_files = j.value("open_files", 0);
    } catch (const nlohmann::json::exception&) {
      r.distrust = fmt::format("result line {} is not a result", index + 1);
      break;
    }
    if (index >= expected.size() || t.name != expected[index].name) {
      r.distrust = index >= expected.size()
                       ? fmt::format("it reported a check \"{}\" after its last one", t.name)
                       : fmt::format("check {} is \"{}\", but \"{}\" reported in its place", index + 1,
                                     expected[index].name, t.name);
      break;
    }
    r.tests.push_back(std::move(t));
  }
  return r;
}

// Splits the grader's output at the reporter's marks: each check's share goes to its result, the
// marks leave the output (which otherwise keeps its order).
void attribute_output(GraderOutcome& o) {
  std::string clean;
  std::vector<std::string> per_check(o.tests.size());
  std::string* check = nullptr;  // the check printing now; none before the first mark
  std::string_view text = o.output;
  while (!text.empty()) {
    const auto mark = text.find(channel::output_mark);
    const auto piece = text.substr(0, mark);
    clean.append(piece);
    if (check != nullptr) check->append(piece);
    if (mark == std::string_view::npos) break;
    text.remove_prefix(mark + channel::output_mark.size());
    const auto newline = text.find('\n');
    const auto number = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), index);
    if (ec != std::errc{} || end != number.data() + number.size() || index >= o.tests.size()) {
      check = nullptr;  // not a mark of a check that reported
      continue;
    }
    check = &per_check[index];
  }
  for (std::size_t i = 0; i < per_check.size(); ++i) o.tests[i].output = std::move(per_check[i]);
  o.output = std::move(clean);
}

// Why user `nobody` could not run `exe` ("" when it can): every folder on the way must let others
// through, and the file must let others execute it.
std::string out_of_reach_for_others(const fs::path& exe) {
  std::error_code ec;
  const fs::path full = fs::absolute(exe, ec);
  struct stat st {};
  if (::stat(full.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0)
    return fmt::format("{} is not executable by other users", full.string());
  for (fs::path dir = full.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (::stat(dir.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0)
      return fmt::format("the folder {} does not let other users through", dir.string());
    if (dir == dir.root_path()) break;
  }
  return "";
}

// Copies the traces a grader running as nobody saved in its private folder to where asynclab keeps
// them: each a regular file (never a link it planted), of at most the size a trace can be.
void copy_traces(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    if (entry.path().extension() != ".altrace") continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    std::string bytes;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) <= trace::largest_trace_file) {
      bytes.resize(static_cast<std::size_t>(st.st_size));
      const ssize_t got = ::read(fd, bytes.data(), bytes.size());
      bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    }
    ::close(fd);
    if (bytes.empty()) continue;
    fs::create_directories(to, ec);
    (void)trace::write_output_file(to / entry.path().filename(), bytes);
  }
}

bool mentions_bad_alloc(const GraderOutcome& o) {
  if (o.output.find("bad_alloc") != std::string::npos) return true;
  return std::ranges::any_of(o.tests, [](const TestResult& t) { return t.message.find("bad_alloc") != std::string::npos; });
}

}  // namespace

GraderOutcome run_grader(const GraderRun& run) {
  GraderOutcome outcome;
  std::error_code ec;
  if (!fs::exists(run.executable)) {
    outcome.verdict = Verdict::did_not_compile;
    outcome.summary = fmt::format("the grader {} was not built", run.executable.string());
    return outcome;
  }
  if (run.expected_tests.empty()) {
    outcome.verdict = Verdict::incomplete;
    outcome.summary = fmt::format(
        "asynclab does not know which checks {} has (it knows them from the build): rebuild asynclab, then grade "
        "again",
        run.executable.filename().string());
    return outcome;
  }
  channel::Key key;
  try {
    key = channel::fresh_key();
  } catch (const std::exception& e) {
    outcome.verdict = Verdict::crashed;
    outcome.summary = fmt::format("could not start the grader: {}", e.what());
    return outcome;
  }
  fs::create_directories(run.scratch, ec);

  SupervisedCommand command;
  command.argv = {run.executable.string(), "--reporter", "asynclab", "--order", "decl"};
  std::optional<fs::path> private_traces;
  std::string kept_root;
  if (::geteuid() == 0 && run.drop_root) {
    kept_root = out_of_reach_for_others(run.executable);
    if (kept_root.empty()) {
      constexpr uid_t nobody = 65534;
      command.run_as = std::pair<uid_t, gid_t>{nobody, nobody};
      // Its own folders, and nothing else of asynclab's it can write.
      [[maybe_unused]] const int owned = ::chown(run.scratch.c_str(), nobody, nobody);
      ::chmod(run.scratch.c_str(), 0700);
      if (run.trace_dir) {
        private_traces = run.scratch / "traces";
        fs::create_directories(*private_traces, ec);
        [[maybe_unused]] const int traces_owned = ::chown(private_traces->c_str(), nobody, nobody);
      }
    }
  }
  if (private_traces) command.environment.push_back("ASYNCLAB_TRACE_DIR=" + private_traces->string());
  else if (run.trace_dir) command.environment.push_back("ASYNCLAB_TRACE_DIR=" + run.trace_dir->string());
  if (run.seeds > 0) command.environment.push_back(fmt::format("ASYNCLAB_GRADE_SEEDS={}", run.seeds));
  command.working_dir = run.scratch;
  command.time_limit = run.time_limit;
  command.limits = run.limits;
  command.results_preamble.assign(reinterpret_cast<const char*>(key.data()), key.size());
  const SupervisedEnd end = run_supervised(command);
  if (private_traces) {
    copy_traces(*private_traces, *run.trace_dir);
    fs::remove_all(*private_traces, ec);
  }

  outcome.seconds = end.seconds;
  outcome.cpu_seconds = end.cpu_seconds;
  outcome.output = end.output;
  outcome.output_dropped = end.output_dropped;
  if (!end.started) {
    outcome.verdict = Verdict::crashed;
    outcome.summary = end.error;
    return outcome;
  }
  ReadResults read = read_sealed_results(key, end.results, run.expected_tests);
  if (end.results_overflow && read.distrust.empty())
    read.distrust = "it wrote more to the grader's results channel than a grader writes";
  outcome.tests = std::move(read.tests);
  attribute_output(outcome);
  if (!kept_root.empty())
    outcome.output += fmt::format("\n[asynclab ran this grader as root, not as nobody: {}]\n", kept_root);
  if (end.output_dropped > 0)
    outcome.output += fmt::format("\n[… {} more of output were dropped: only the first {} is kept]\n",
                                  format_bytes(end.output_dropped), format_bytes(run.limits.output_kept));
  const std::size_t reported = outcome.tests.size();
  const DeclaredTestCase* next = reported < run.expected_tests.size() ? &run.expected_tests[reported] : nullptr;

  // Every check stays listed: those that never reported, as not passed, with why.
  auto list_the_rest = [&](std::string_view why) {
    for (std::size_t i = outcome.tests.size(); i < run.expected_tests.size(); ++i) {
      TestResult t;
      t.name = run.expected_tests[i].name;
      t.tags = tags_of(run.expected_tests[i].tags);
      t.kind = "not_reported";
      t.message = std::string(why);
      outcome.tests.push_back(std::move(t));
    }
  };
  auto over = [&](std::string what) {
    outcome.verdict = Verdict::over_limit;
    outcome.summary = std::move(what);
    list_the_rest(fmt::format("not run: {}", outcome.summary));
    return outcome;
  };
  const std::string memory_words =
      fmt::format("used more than {} of memory (std::bad_alloc: an allocation was refused) — the limit for one "
                  "grader run; something keeps growing, or allocates far more than the exercise needs",
                  format_bytes(run.limits.memory));

  if (end.supervisor_lost) {
    outcome.verdict = Verdict::incomplete;
    outcome.summary = "the process watching the grader was killed from inside the run (by the code being graded), "
                      "so nothing the run reported counts";
    outcome.tests.clear();
    list_the_rest("not counted: the grader's supervisor was killed");
    return outcome;
  }
  if (end.interrupted) {
    outcome.verdict = Verdict::crashed;
    outcome.summary = "grading was interrupted before the grader finished";
    list_the_rest("not run: grading was interrupted");
    return outcome;
  }
  if (end.timed_out) {
    outcome.verdict = Verdict::timed_out;
    outcome.summary = fmt::format(
        "the grader was stopped after {} s: something never finished — a loop that never reaches a "
        "co_await, or a poll that never returns",
        std::chrono::duration<double>(run.time_limit).count());
    list_the_rest("not run: the grader was stopped at its time limit");
    return outcome;
  }
  if (end.too_many_processes)
    return over(fmt::format("started more than {} processes at once — the limit for one grader run; an exercise "
                            "needs none",
                            run.limits.processes));
  if (end.signal != 0) {
    const bool cpu_spent = end.cpu_seconds + 0.5 >= run.limits.cpu_seconds;
    if (end.signal == SIGXCPU || (end.signal == SIGKILL && cpu_spent))
      return over(fmt::format("used more than {} s of CPU time — the limit for one grader run; a loop that never "
                              "waits, on every thread",
                              run.limits.cpu_seconds));
    if (end.signal == SIGXFSZ)
      return over(fmt::format("wrote a file larger than {} — the limit for one grader run",
                              format_bytes(run.limits.file_size)));
    if (mentions_bad_alloc(outcome)) return over(memory_words);
    outcome.verdict = Verdict::crashed;
    outcome.summary = fmt::format("the grader crashed: {}{}", signal_in_words(end.signal),
                                  next != nullptr ? fmt::format(", during the check \"{}\"", next->name) : "");
    list_the_rest(fmt::format("not run: the grader crashed ({})", signal_in_words(end.signal)));
    return outcome;
  }

  if (!read.distrust.empty()) {
    outcome.verdict = Verdict::incomplete;
    outcome.summary = fmt::format("{}, so nothing from check {} on counts", read.distrust, reported + 1);
    outcome.tests.resize(reported);
    list_the_rest("not counted: the grader's results channel was written to by something else");
    return outcome;
  }
  const bool some_failed = std::ranges::any_of(outcome.tests, [](const TestResult& t) { return !t.passed; });
  if (some_failed && mentions_bad_alloc(outcome)) return over(memory_words);
  int most_open_files = end.most_open_files;
  for (const auto& t : outcome.tests) most_open_files = std::max(most_open_files, t.open_files);
  if (some_failed && most_open_files >= run.limits.open_files - 1)
    return over(fmt::format("opened more than {} files at once — the limit for one grader run; something opens "
                            "files (or sockets) and never closes them",
                            run.limits.open_files));
  if (some_failed) {
    outcome.verdict = judge(outcome.tests, outcome.summary);
    list_the_rest("not reported: an earlier check failed and the grader stopped");
    return outcome;
  }
  if (next != nullptr && outcome.output.find("a Catch2 listener is registered") != std::string::npos) {
    outcome.verdict = Verdict::incomplete;
    outcome.summary = "a Catch2 listener was registered by code that is not the grader's — one sees every check's "
                      "result before the grader's reporter and can change it — so the grader withheld its results";
    list_the_rest("not counted: the grader withheld its results");
    return outcome;
  }
  if (next != nullptr) {
    outcome.verdict = Verdict::incomplete;
    outcome.summary = fmt::format(
        "{} of {} checks reported, then the grader exited (status {}) before \"{}\" — code that ends the "
        "program (std::exit, _exit, quick_exit) ends the grader with it",
        reported, run.expected_tests.size(), end.exit_status, next->name);
    list_the_rest("not reported: the grader exited before this check");
    return outcome;
  }
  outcome.verdict = judge(outcome.tests, outcome.summary);
  if (outcome.verdict == Verdict::passed && end.exit_status != 0) {
    // Every check passed, yet the process failed at its end (a sanitizer's report at exit, a
    // destructor that threw): its own words say what happened.
    outcome.verdict = Verdict::crashed;
    std::string said;
    std::istringstream lines(outcome.output);
    for (std::string line; std::getline(lines, line);)
      if (line.find("ERROR") != std::string::npos || line.find("error") != std::string::npos ||
          line.find("cannot run") != std::string::npos) {
        said = line;
        break;
      }
    outcome.summary = fmt::format("the grader stopped with exit status {} after its {} checks{}{}", end.exit_status,
                                  outcome.tests.size(), said.empty() ? "" : ": ", said);
  }
  return outcome;
}

}  // namespace asynclab::grading
