// `asynclab grade`, `hint` and `reset`. See grade_commands.hpp.
//
// Index of this file:
// [SECTION] Building a grader
// [SECTION] Verdicts in words
// [SECTION] Results files (Exercism, Gradescope, GitHub Classroom)
// [SECTION] grade
// [SECTION] --watch
// [SECTION] hint and reset
#include "grade_commands.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "engine/progress.hpp"
#include "progress_file.hpp"
#include "exit_codes.hpp"
#include "grade.hpp"
#include "invocation.hpp"
#include "asynclab/trace/output_file.hpp"
#include "runner.hpp"

namespace asynclab::cli {

namespace fs = std::filesystem;
using grading::Exercise;
using grading::GraderOutcome;
using grading::Verdict;

namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path traces_dir() { return lessons::default_progress_path().parent_path() / "traces"; }

//-----------------------------------------------------------------------------
// [SECTION] Grading one exercise
//-----------------------------------------------------------------------------

using Graded = grading::GradedExercise;

// grading::grade_exercise, with ninja's [n/m] steps on one self-rewriting line on a terminal.
Graded grade_one(const Exercise& e, const GradeOptions& options, std::ostream& out) {
  grading::GradeRequest request;
  request.seeds = options.seeds;
  request.time_limit = std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
  request.build_time_limit = std::chrono::milliseconds(static_cast<long long>(options.build_timeout_s * 1000));
  request.limits = options.limits;
  request.trace_dir = traces_dir();
  const bool show = options.interactive && options.format == grading::ResultsFormat::text;
  if (show)
    request.on_progress = [&](std::string_view what) {
      out << fmt::format("\r  {} {}{}", e.folder, what, std::string(20, ' ')) << std::flush;
    };
  Graded g = grading::grade_exercise(e, request);
  if (show) out << "\r" << std::string(70, ' ') << "\r" << std::flush;
  return g;
}

//-----------------------------------------------------------------------------
// [SECTION] Verdicts in words
//-----------------------------------------------------------------------------

std::string indent(const std::string& text, std::string_view by) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += fmt::format("{}{}\n", by, line);
  return out;
}

void print_verdict_as_asynclab(const Graded& g, const GradeOptions& options, std::ostream& out);

// The verdict, with every suggested command as the learner starts asynclab (invocation.hpp).
void print_verdict(const Graded& g, const GradeOptions& options, std::ostream& out) {
  std::ostringstream verdict;
  print_verdict_as_asynclab(g, options, verdict);
  out << with_invocation(verdict.str());
}

void print_verdict_as_asynclab(const Graded& g, const GradeOptions& options, std::ostream& out) {
  const Exercise& e = g.exercise;
  const bool passed = g.outcome.verdict == Verdict::passed;
  auto paint = [&](std::string_view code, std::string_view s) {
    return options.color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  std::size_t tasks_passed = 0;
  for (const auto& t : g.outcome.tests) tasks_passed += t.passed ? 1 : 0;
  const std::string tally =
      g.outcome.tests.empty() ? "" : fmt::format(", {} of {} graded points", tasks_passed, g.outcome.tests.size());
  // How long the grader ran (its build is not counted): "40 ms", "2.3 s".
  const std::string took = g.outcome.seconds < 1.0 ? fmt::format("{:.0f} ms", g.outcome.seconds * 1000)
                                                   : fmt::format("{:.1f} s", g.outcome.seconds);
  // A program that was never built never ran: no run time to give.
  const std::string ran =
      g.outcome.verdict == Verdict::did_not_compile ? std::string() : fmt::format(" (ran in {})", took);
  out << fmt::format("{} {} {} — {}{}{}\n", passed ? paint("32", "✓") : paint("31", "✗"), e.id, e.title,
                     passed ? paint("32", "done") : paint("31", grading::verdict_words(g.outcome.verdict)), tally, ran);
  if (!passed) {
    // The first failing point: its task, then the grader's own words.
    for (const auto& t : g.outcome.tests)
      if (!t.passed) {
        out << fmt::format("    [{}] {}\n", t.task_id(), t.name);
        break;
      }
    std::string said = g.outcome.summary;
    if (auto nl = said.find('\n'); nl != std::string::npos && !g.outcome.tests.empty()) said = said.substr(nl + 1);
    out << indent(said, "    ");
  }
  for (const auto& note : g.notes) out << indent("also: " + note, "    ");
  if (g.trace) out << fmt::format("    your run: asynclab gui --trace {}\n", g.trace->string());
  if (!passed)
    out << fmt::format("    edit {}, then grade again; stuck? asynclab hint {}\n", e.exercise_file().string(), e.id);
}

//-----------------------------------------------------------------------------
// [SECTION] Results files (Exercism, Gradescope, GitHub Classroom)
//-----------------------------------------------------------------------------


//-----------------------------------------------------------------------------
// [SECTION] grade
//-----------------------------------------------------------------------------

std::expected<grading::ExerciseCatalog, int> load_exercises(std::ostream& err) {
  auto catalog = grading::ExerciseCatalog::load();
  if (!catalog) {
    err << fmt::format("asynclab: {}\n", catalog.error());
    return std::unexpected(exit_usage);
  }
  if (catalog->exercises().empty()) {
    err << "asynclab: there are no exercises in this build's exercises/ folder\n";
    return std::unexpected(exit_usage);
  }
  return std::move(*catalog);
}

const Exercise* current_exercise(const grading::ExerciseCatalog& catalog, const lessons::Progress& progress) {
  for (const auto& e : catalog.exercises())
    if (!progress.exercise_done(e.folder)) return &e;
  return nullptr;
}

// The exercise not done yet whose exercise.cpp was saved last, when it was saved after the last
// grade (the progress file's time) and after the others (a clone writes them all within a second):
// a learner who skipped ahead and edited 04 means 04 when they type `asynclab grade`, not 03.
// nullptr when no such edit stands out, and before the first grade.
const Exercise* edited_exercise(const grading::ExerciseCatalog& catalog, const lessons::Progress& progress) {
  using Time = fs::file_time_type;
  std::error_code progress_ec;
  const Time last_grade = fs::last_write_time(lessons::default_progress_path(), progress_ec);
  if (progress_ec) return nullptr;
  std::vector<Time> times;
  const Exercise* newest = nullptr;
  Time newest_time = Time::min();
  for (const auto& e : catalog.exercises()) {
    std::error_code ec;
    const Time t = fs::last_write_time(e.exercise_file(), ec);
    if (ec) continue;
    times.push_back(t);
    if (!progress.exercise_done(e.folder) && (newest == nullptr || t > newest_time)) {
      newest = &e;
      newest_time = t;
    }
  }
  if (newest == nullptr || times.size() < 2 || newest_time <= last_grade) return nullptr;
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
  const Time median = times[times.size() / 2];
  return newest_time - median > std::chrono::seconds(2) ? newest : nullptr;
}

// What `asynclab grade` with no exercise grades: the one just edited, else the first not done.
const Exercise* default_exercise(const grading::ExerciseCatalog& catalog, const lessons::Progress& progress,
                                 std::ostream& out) {
  const Exercise* next = current_exercise(catalog, progress);
  const Exercise* edited = edited_exercise(catalog, progress);
  if (edited != nullptr && edited != next) {
    out << with_invocation(fmt::format(
        "Grading {}, the exercise you saved last (the next in order is {}: asynclab grade {}).\n", edited->id, next->id,
        next->id));
    return edited;
  }
  return next;
}

void print_list(const grading::ExerciseCatalog& catalog, const lessons::Progress& progress, std::ostream& out) {
  std::size_t done = 0;
  for (const auto& e : catalog.exercises()) {
    const bool d = progress.exercise_done(e.folder);
    done += d ? 1 : 0;
    out << fmt::format("  {} {}  {}\n", d ? "✓" : " ", e.id, e.title);
  }
  out << fmt::format("  {} of {} done\n", done, catalog.exercises().size());
}

int grade_exercises(const std::vector<const Exercise*>& chosen, const grading::ExerciseCatalog& catalog,
                    lessons::Progress& progress, const GradeOptions& options, std::ostream& out, std::ostream& err,
                    std::vector<Graded>* results = nullptr) {
  std::vector<Graded> graded;
  for (const Exercise* e : chosen) {
    graded.push_back(grade_one(*e, options, out));
    const auto& g = graded.back();
    progress.record_grade(e->folder, g.outcome.verdict == Verdict::passed, grading::verdict_words(g.outcome.verdict));
    if (options.format == grading::ResultsFormat::text) print_verdict(g, options, out);
  }
  save_progress(progress, "asynclab grade", err);
  const bool all_passed = std::ranges::all_of(graded, [](const Graded& g) { return g.outcome.verdict == Verdict::passed; });

  if (options.format == grading::ResultsFormat::text) {
    const Exercise* next = current_exercise(catalog, progress);
    std::size_t done = 0;
    for (const auto& e : catalog.exercises()) done += progress.exercise_done(e.folder) ? 1 : 0;
    out << fmt::format("\n{} of {} exercises done.", done, catalog.exercises().size());
    // "Done" is kept once earned, so every exercise may be done while one graded just now fails:
    // then the summary says so instead of congratulating.
    std::string failing;
    for (const auto& g : graded)
      if (g.outcome.verdict != Verdict::passed) failing += (failing.empty() ? "" : ", ") + g.exercise.id;
    if (next == nullptr && failing.empty())
      out << " Every exercise passes — well done.\n";
    else if (next == nullptr)
      out << fmt::format(" Each has passed once, but {} fail{} now: fix {}, then grade again.\n", failing,
                         failing.find(',') == std::string::npos ? "s" : "", failing.find(',') == std::string::npos ? "it" : "them");
    else
      out << with_invocation(fmt::format(" Next: {} {} — read {}, edit {}, then: asynclab grade\n", next->id,
                                         next->title, next->readme().string(), next->exercise_file().string()));
  } else {
    const nlohmann::json results_json = grading::results_file(options.format, graded);
    // The learner's output and messages may hold bytes that are not UTF-8: replaced (U+FFFD), never a
    // reason to write no results file at all.
    const std::string text = results_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (options.output) {
      if (auto written = trace::write_output_file(*options.output, text); !written) {
        err << fmt::format("asynclab grade: {}\n", written.error());
        return exit_failed;
      }
      err << fmt::format("wrote {} ({} results, {} exercise{})\n", *options.output,
                         grading::results_format_name(options.format), graded.size(),
                         graded.size() == 1 ? "" : "s");
    } else {
      out << text;
    }
  }
  if (results != nullptr) *results = std::move(graded);
  return all_passed ? exit_ok : exit_failed;
}

//-----------------------------------------------------------------------------
// [SECTION] --watch
//-----------------------------------------------------------------------------

// Keys without Enter while watching, restored on every way out: q, the last pass, an error that
// unwinds, and Ctrl-C, SIGTERM or a closed terminal (SIGHUP), whose handlers put the terminal back
// before the signal ends the process as it would have. Only ICANON and ECHO change: output keeps
// its newline translation, so lines never stair-step.
class RawKeys {
 public:
  explicit RawKeys(bool on) {
    if (!on || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    on_ = true;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    struct sigaction restore_then_die {};
    restore_then_die.sa_handler = &RawKeys::on_signal;
    sigemptyset(&restore_then_die.sa_mask);
    restore_then_die.sa_flags = SA_RESETHAND;  // the second time, the default action at once
    for (std::size_t i = 0; i < std::size(signals); ++i) ::sigaction(signals[i], &restore_then_die, &previous_[i]);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  ~RawKeys() {
    if (!on_) return;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    for (std::size_t i = 0; i < std::size(signals); ++i) ::sigaction(signals[i], &previous_[i], nullptr);
  }
  RawKeys(const RawKeys&) = delete;
  RawKeys& operator=(const RawKeys&) = delete;

 private:
  static constexpr int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  // tcsetattr is async-signal-safe; then the signal is raised again with its default action.
  static void on_signal(int sig) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    ::raise(sig);
  }
  // Static: the handler needs it. One RawKeys exists at a time (grade --watch).
  static inline termios saved_{};
  bool on_ = false;
  struct sigaction previous_[std::size(signals)] {};
};

int watch(const grading::ExerciseCatalog& catalog, lessons::Progress& progress, GradeOptions options,
          std::ostream& out, std::ostream& err) {
  const Exercise* current = options.exercises.empty() ? default_exercise(catalog, progress, out)
                                                      : catalog.find(options.exercises.front());
  if (current == nullptr) {
    out << "Every exercise passes — nothing to watch.\n";
    return exit_ok;
  }
  const int inotify = ::inotify_init1(IN_CLOEXEC);
  if (inotify < 0) {
    err << "asynclab grade --watch: cannot watch files here (inotify)\n";
    return exit_usage;
  }
  RawKeys keys(options.interactive);
  int watched = -1;
  auto watch_dir = [&](const Exercise& e) {
    if (watched >= 0) ::inotify_rm_watch(inotify, watched);
    // The folder, not the file: editors save by writing a new file and renaming it over the old one.
    watched = ::inotify_add_watch(inotify, e.dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
  };
  watch_dir(*current);
  auto grade_current = [&] {
    out << fmt::format("\n── grading {} {} ──\n", current->id, current->title);
    std::vector<Graded> graded;
    grade_exercises({current}, catalog, progress, options, out, err, &graded);
    if (!graded.empty() && graded.front().outcome.verdict == Verdict::passed) {
      current = current_exercise(catalog, progress);
      if (current == nullptr) return false;
      out << fmt::format("\nOn to {} {}: read {}\n", current->id, current->title, current->readme().string());
      watch_dir(*current);
    }
    out << fmt::format("watching {} — save it to grade again · h hint · l list · q quit\n",
                       current->exercise_file().string())
        << std::flush;
    return true;
  };
  bool going = grade_current();
  while (going) {
    pollfd fds[2] = {{inotify, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) break;
    if (fds[0].revents & POLLIN) {
      alignas(inotify_event) char buffer[4096];
      const auto n = ::read(inotify, buffer, sizeof buffer);
      bool saved = false;
      for (char* p = buffer; n > 0 && p < buffer + n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(p);
        if (ev->len > 0 && std::string_view(ev->name) == "exercise.cpp") saved = true;
        p += sizeof(inotify_event) + ev->len;
      }
      if (saved) going = grade_current();
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) <= 0 || key == 'q') break;
      if (key == 'h') hint_command(current->folder, out, err);
      if (key == 'l') print_list(catalog, progress, out);
    }
  }
  ::close(inotify);
  if (!going) out << "\nEvery exercise passes — well done.\n";
  return current == nullptr ? exit_ok : exit_failed;
}

}  // namespace

int grade_command(const GradeOptions& given, std::istream&, std::ostream& out, std::ostream& err) {
  GradeOptions options = given;
  if (options.limits_file)
    if (auto ok = grading::read_limits_file(*options.limits_file, options.limits); !ok) {
      err << "asynclab grade: " << ok.error() << "\n";
      return exit_usage;
    }
  for (const auto& [name, value] : options.limit_values)
    if (auto ok = grading::set_limit(options.limits, name, value); !ok) {
      err << "asynclab grade: --" << ok.error() << "\n";
      return exit_usage;
    }
  auto catalog = load_exercises(err);
  if (!catalog) return catalog.error();
  auto progress = load_progress(err);
  if (!fs::exists(grading::build_dir() / "CMakeCache.txt")) {
    err << fmt::format("asynclab grade: the build folder {} is gone; build asynclab again (scripts/run.sh)\n",
                       grading::build_dir().string());
    return exit_usage;
  }
  for (const auto& name : options.exercises)
    if (catalog->find(name) == nullptr) {
      err << fmt::format("asynclab grade: no exercise '{}' (they are: {})\n", name, [&] {
        std::string ids;
        for (const auto& e : catalog->exercises()) ids += (ids.empty() ? "" : ", ") + e.id;
        return ids;
      }());
      return exit_usage;
    }
  if (options.watch) return watch(*catalog, progress, options, out, err);

  std::vector<const Exercise*> chosen;
  if (options.all) {
    for (const auto& e : catalog->exercises()) chosen.push_back(&e);
  } else if (!options.exercises.empty()) {
    for (const auto& name : options.exercises) chosen.push_back(catalog->find(name));
  } else if (const Exercise* current = default_exercise(*catalog, progress, out)) {
    chosen.push_back(current);
  } else {
    out << with_invocation("Every exercise passes. Grade them all again with: asynclab grade --all\n");
    return exit_ok;
  }
  return grade_exercises(chosen, *catalog, progress, options, out, err);
}

//-----------------------------------------------------------------------------
// [SECTION] hint and reset
//-----------------------------------------------------------------------------

int hint_command(const std::string& name, std::ostream& out, std::ostream& err) {
  auto catalog = load_exercises(err);
  if (!catalog) return catalog.error();
  const Exercise* e = catalog->find(name);
  if (e == nullptr) {
    err << fmt::format("asynclab hint: no exercise '{}'\n", name);
    return exit_usage;
  }
  const auto hints = e->hints();
  if (hints.empty()) {
    out << fmt::format("Exercise {} has no hints; its README says what done means: {}\n", e->id, e->readme().string());
    return exit_ok;
  }
  auto progress = load_progress(err);
  const std::size_t seen = progress.hints_shown(e->folder);
  const std::size_t shown = std::min(seen + 1, hints.size());
  std::ostringstream text;
  for (std::size_t i = 0; i < shown; ++i)
    text << fmt::format("Hint {} of {}{}\n{}\n\n", i + 1, hints.size(), i + 1 == shown && shown > seen ? " (new)" : "",
                        hints[i]);
  if (shown > seen && shown == hints.size()) text << "That was the last hint.\n";
  else if (shown == hints.size()) text << fmt::format("Those are all {} hints.\n", hints.size());
  else text << fmt::format("Run asynclab hint {} again for the next one.\n", e->id);
  out << with_invocation(text.str());
  progress.set_hints_shown(e->folder, shown);
  save_progress(progress, "asynclab hint", err);
  return exit_ok;
}

int solution_command(const std::string& name, std::ostream& out, std::ostream& err) {
  auto catalog = load_exercises(err);
  if (!catalog) return catalog.error();
  const Exercise* e = catalog->find(name);
  if (e == nullptr) {
    err << fmt::format("asynclab solution: no exercise '{}'\n", name);
    return exit_usage;
  }
  const auto progress = load_progress(err);
  if (!progress.exercise_done(e->folder)) {
    out << with_invocation(
        fmt::format("Exercise {} is not done yet: its reference solution opens once `asynclab grade {}` passes.\n"
                    "Stuck? `asynclab hint {}` gives the next hint.\n",
                    e->id, e->id, e->id));
    return exit_failed;
  }
  const fs::path file = e->dir.parent_path() / "grading" / "solutions" / (e->folder + ".cpp");
  const std::string text = slurp(file);
  if (text.empty()) {
    err << fmt::format("asynclab solution: {} is missing\n", file.string());
    return exit_failed;
  }
  out << fmt::format("Exercise {} is done. The reference solution ({}), to compare with yours:\n\n{}", e->id,
                     file.string(), text);
  if (!text.ends_with('\n')) out << "\n";
  return exit_ok;
}

namespace {

// The blob id exercises/shipped.txt gives `folder` ("04-join-fetches 1f2e..."), or "" when it has no
// well-formed line for it.
std::string shipped_blob_id(const fs::path& list, const std::string& folder) {
  std::istringstream lines(slurp(list));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream words(line);
    std::string name, blob;
    if (!(words >> name >> blob) || name != folder) continue;
    const bool hex = blob.size() == 40 && std::ranges::all_of(blob, [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    return hex ? blob : std::string();
  }
  return {};
}

}  // namespace

int reset_command(const std::string& name, bool assume_yes, std::istream& in, std::ostream& out, std::ostream& err) {
  auto catalog = load_exercises(err);
  if (!catalog) return catalog.error();
  const Exercise* e = catalog->find(name);
  if (e == nullptr) {
    err << fmt::format("asynclab reset: no exercise '{}'\n", name);
    return exit_usage;
  }
  // The shipped file is the version exercises/shipped.txt names by its git blob id (see there why
  // neither HEAD's nor the first one git saw will do). Without a line for it there, HEAD's — or,
  // when the learner committed their own work, the version of the commit that added it.
  const fs::path file = e->exercise_file();
  const std::string repo = ASYNCLAB_SOURCE_DIR;
  const std::string relative = fs::relative(file, repo).string();
  auto git = [&](const std::string& args) -> std::optional<std::string> {
    FILE* p = ::popen(fmt::format("git -C {} {} 2>/dev/null", quoted(repo), args).c_str(), "r");
    if (p == nullptr) return std::nullopt;
    std::string text;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
    return ::pclose(p) == 0 ? std::optional(text) : std::nullopt;
  };
  auto first_line = [](std::string text) {
    text.erase(std::min(text.find('\n'), text.size()));
    return text;
  };
  const std::string now = slurp(file);
  std::optional<std::string> shipped;
  const std::string shipped_blob = shipped_blob_id(e->dir.parent_path() / "shipped.txt", e->folder);
  if (!shipped_blob.empty()) {
    if (auto now_blob = git("hash-object " + quoted(relative)); now_blob && first_line(*now_blob) == shipped_blob)
      shipped = now;
    else
      shipped = git("cat-file blob " + shipped_blob);
  }
  if (!shipped) {
    shipped = git("show HEAD:" + quoted(relative));
    if (shipped && *shipped == now)
      if (auto added = git("log --diff-filter=A --format=%H -1 -- " + quoted(relative)); added && !first_line(*added).empty())
        shipped = git("show " + first_line(*added) + ":" + quoted(relative));
  }
  if (!shipped) {
    err << fmt::format("asynclab reset: cannot find the shipped {} (is this a git clone?)\n", file.string());
    return exit_failed;
  }
  // The exercise is to be solved again: its done mark goes (attempts and hints are kept).
  auto forget_done = [&]() -> bool {
    auto progress = load_progress(err);
    if (!progress.exercise_done(e->folder)) return true;
    progress.reset_exercise(e->folder);
    if (!save_progress(progress, "asynclab reset", err)) return false;
    out << fmt::format("{} is no longer marked done.\n", e->id);
    return true;
  };
  if (*shipped == now) {
    out << fmt::format("{} is already as shipped.\n", file.string());
    return forget_done() ? exit_ok : exit_failed;
  }
  if (!assume_yes) {
    out << fmt::format("Put {} back as shipped? Your version is kept as exercise.cpp.bak. [y/N] ", file.string())
        << std::flush;
    std::string answer;
    if (!std::getline(in, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
      out << "Nothing changed.\n";
      return exit_ok;
    }
  }
  auto backup = file;
  backup += ".bak";
  if (auto saved = trace::write_output_file(backup, now); !saved) {
    err << fmt::format("asynclab reset: {}; nothing changed\n", saved.error());
    return exit_failed;
  }
  if (auto written = trace::write_output_file(file, *shipped); !written) {
    err << fmt::format("asynclab reset: {}\n", written.error());
    return exit_failed;
  }
  out << fmt::format("{} is as shipped again; your version is in {}.\n", file.string(), backup.string());
  return forget_done() ? exit_ok : exit_failed;
}

}  // namespace asynclab::cli
