// See supervised_run.hpp.
#include "supervised_run.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "asynclab/detail/sanitizers.hpp"
#include "results_channel.hpp"

extern char** environ;

namespace asynclab::grading {

namespace {

using Clock = std::chrono::steady_clock;

// How often the supervisor looks at the tree (its size, the program's descriptors) while it runs.
constexpr auto supervisor_tick = std::chrono::milliseconds(10);

//-----------------------------------------------------------------------------
// The process tree, as /proc shows it
//-----------------------------------------------------------------------------

std::vector<pid_t> numbers_in(const std::string& text) {
  std::vector<pid_t> out;
  long value = -1;
  for (char c : text + " ") {
    if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value * 10) + (c - '0');
    } else if (value >= 0) {
      out.push_back(static_cast<pid_t>(value));
      value = -1;
    }
  }
  return out;
}

std::string read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

std::vector<std::string> directory_entries(const std::string& path) {
  std::vector<std::string> out;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return out;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') out.emplace_back(entry->d_name);
  ::closedir(dir);
  return out;
}

// Whether this kernel lists a thread's children in /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN).
bool kernel_lists_children() {
  static const bool lists = ::access(fmt::format("/proc/{}/task/{}/children", ::getpid(), ::getpid()).c_str(), R_OK) == 0;
  return lists;
}

// The children of `pid`: from every thread's children list, or, on a kernel without them, from the
// parent field of every process's stat.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  if (kernel_lists_children()) {
    for (const auto& tid : directory_entries(fmt::format("/proc/{}/task", pid))) {
      const auto some = numbers_in(read_small_file(fmt::format("/proc/{}/task/{}/children", pid, tid)));
      out.insert(out.end(), some.begin(), some.end());
    }
    return out;
  }
  for (const auto& name : directory_entries("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_small_file("/proc/" + name + "/stat");
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) continue;
    const auto fields = numbers_in(stat.substr(close + 1));  // state is a letter: fields[0] is ppid
    if (!fields.empty() && fields[0] == pid) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// How many processes hang below `root` (itself included).
int tree_size(pid_t root) {
  std::set<pid_t> seen{root};
  std::deque<pid_t> todo{root};
  while (!todo.empty() && seen.size() < 100'000) {
    const pid_t p = todo.front();
    todo.pop_front();
    for (pid_t c : children_of(p))
      if (seen.insert(c).second) todo.push_back(c);
  }
  return static_cast<int>(seen.size());
}

// Threads a user runs now, as RLIMIT_NPROC counts them.
long tasks_of_user(uid_t uid) {
  long count = 0;
  for (const auto& name : directory_entries("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string status = read_small_file("/proc/" + name + "/status");
    const auto uid_at = status.find("\nUid:");
    const auto threads_at = status.find("\nThreads:");
    if (uid_at == std::string::npos || threads_at == std::string::npos) continue;
    if (numbers_in(status.substr(uid_at + 5, 40)).front() != static_cast<pid_t>(uid)) continue;
    count += numbers_in(status.substr(threads_at + 9, 20)).front();
  }
  return count;
}

//-----------------------------------------------------------------------------
// The program (the supervisor's child)
//-----------------------------------------------------------------------------

struct Prepared {
  std::vector<std::string> argv_text, env_text;
  std::vector<char*> argv, envp;
  std::string working_dir;
  Limits limits;
  rlim_t nproc = RLIM_INFINITY;  // RLIMIT_NPROC, counted over this whole user
  std::optional<std::pair<uid_t, gid_t>> run_as;
};

Prepared prepare(const SupervisedCommand& c) {
  Prepared p;
  p.argv_text = c.argv;
  std::set<std::string> replaced;
  for (const auto& e : c.environment) replaced.insert(e.substr(0, e.find('=')));
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (!replaced.contains(entry.substr(0, entry.find('=')))) p.env_text.push_back(entry);
  }
  p.env_text.insert(p.env_text.end(), c.environment.begin(), c.environment.end());
  for (auto& s : p.argv_text) p.argv.push_back(s.data());
  p.argv.push_back(nullptr);
  for (auto& s : p.env_text) p.envp.push_back(s.data());
  p.envp.push_back(nullptr);
  p.working_dir = c.working_dir.string();
  p.limits = c.limits;
  // The kernel counts RLIMIT_NPROC over every thread this user runs and does not apply it to root;
  // the supervisor's own count of the tree is what holds everywhere, this is the backstop where the
  // kernel can enforce it. Threads count, so the room is generous.
  // The room is wide: the user's other programs (a browser) start threads meanwhile, and a right
  // solution must never fail for that. Run as another user (nobody), the kernel's count is nearly all
  // the program's own: that room is the limit itself (threads count, hence the factor).
  p.run_as = c.run_as;
  if (c.run_as && c.run_as->first != 0)
    p.nproc = static_cast<rlim_t>(tasks_of_user(c.run_as->first) + 8L * c.limits.processes + 64);
  else if (::geteuid() != 0)
    p.nproc = static_cast<rlim_t>(tasks_of_user(::getuid()) + 8L * c.limits.processes + 4096);
  return p;
}

void set_limit(int resource, rlim_t value) {
  const rlimit limit{value, value};
  ::setrlimit(resource, &limit);
}

[[noreturn]] void become_the_program(const Prepared& p, int devnull, int output, int results) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD}) ::signal(sig, SIG_DFL);
  ::setpgid(0, 0);
  if (!p.working_dir.empty() && ::chdir(p.working_dir.c_str()) != 0) {
    // Runs where it is: the working folder only keeps its files apart.
  }
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(output, STDOUT_FILENO);
  ::dup2(output, STDERR_FILENO);
  if (results == channel::results_fd) {
    ::fcntl(results, F_SETFD, 0);  // dup2 onto itself would keep close-on-exec
  } else {
    ::dup2(results, channel::results_fd);
  }
  ::syscall(SYS_close_range, channel::results_fd + 1, ~0U, 0);

  set_limit(RLIMIT_CORE, 0);
#if !defined(ASYNCLAB_ASAN) && !defined(ASYNCLAB_TSAN)
  if (p.limits.memory != std::numeric_limits<std::uint64_t>::max()) set_limit(RLIMIT_AS, static_cast<rlim_t>(p.limits.memory));
#endif
  // The soft limit sends SIGXCPU (the verdict's cue), the hard one a second later SIGKILL.
  const rlimit cpu{static_cast<rlim_t>(p.limits.cpu_seconds), static_cast<rlim_t>(p.limits.cpu_seconds) + 1};
  ::setrlimit(RLIMIT_CPU, &cpu);
  if (p.limits.file_size != std::numeric_limits<std::uint64_t>::max())
    set_limit(RLIMIT_FSIZE, static_cast<rlim_t>(p.limits.file_size));
  set_limit(RLIMIT_NOFILE, static_cast<rlim_t>(p.limits.open_files));
  if (p.nproc != RLIM_INFINITY) set_limit(RLIMIT_NPROC, p.nproc);
  if (p.run_as) {
    const auto [uid, gid] = *p.run_as;
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0 || ::getuid() != uid) {
      const std::string why = fmt::format("cannot run the grader as user {}: {}\n", uid, std::strerror(errno));
      [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, why.data(), why.size());
      ::_exit(126);
    }
  }

  ::execve(p.argv[0], p.argv.data(), p.envp.data());
  const std::string why = fmt::format("cannot run {}: {}\n", p.argv[0], std::strerror(errno));
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, why.data(), why.size());
  ::_exit(127);
}

//-----------------------------------------------------------------------------
// The supervisor
//-----------------------------------------------------------------------------

// What the supervisor tells asynclab, in one write on its report pipe.
struct Report {
  int status = 0;  // the program's wait status
  int reaped = 0;  // 1 when the program ended by itself (status is its own)
  int timed_out = 0, too_many_processes = 0, interrupted = 0;
  int most_processes = 0, most_open_files = 0;
  long cpu_microseconds = 0;
};

// Kills every process below the supervisor until it has no child left: a killed process's orphans
// become the supervisor's children (it is their subreaper), and are killed in the next round.
void kill_the_tree(pid_t program) {
  while (true) {
    ::kill(-program, SIGKILL);
    for (pid_t child : children_of(::getpid())) ::kill(child, SIGKILL);
    int status = 0;
    const pid_t reaped = ::waitpid(-1, &status, 0);
    if (reaped < 0 && errno == ECHILD) return;
  }
}

[[noreturn]] void supervise(const Prepared& p, Clock::time_point deadline, int devnull, int output, int results,
                            int report_fd) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // asynclab gone (killed, or the thread that started this ended): end the run as if interrupted.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  sigset_t watched;
  sigemptyset(&watched);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&watched, sig);
  ::sigprocmask(SIG_BLOCK, &watched, nullptr);

  Report report;
  const pid_t program = ::fork();
  if (program == 0) become_the_program(p, devnull, output, results);
  ::close(devnull);
  ::close(output);
  ::close(results);
  if (program < 0) {
    report.status = 127 << 8;
    report.reaped = 1;
  }
  while (program > 0 && !report.reaped) {
    const auto now = Clock::now();
    if (now >= deadline) {
      report.timed_out = 1;
      break;
    }
    const auto wait = std::min<Clock::duration>(deadline - now, supervisor_tick);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    const timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    const int sig = ::sigtimedwait(&watched, nullptr, &timeout);
    if (sig > 0 && sig != SIGCHLD) {
      report.interrupted = 1;
      break;
    }
    // Orphans of the tree are the supervisor's children too: reap them, and notice the program's end.
    int status = 0;
    rusage usage{};
    for (pid_t done; (done = ::wait4(-1, &status, WNOHANG, &usage)) > 0;)
      if (done == program) {
        report.status = status;
        report.reaped = 1;
        report.cpu_microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000L +
                                  usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
      }
    if (report.reaped) break;
    const int processes = tree_size(::getpid()) - 1;
    report.most_processes = std::max(report.most_processes, processes);
    if (processes > p.limits.processes) {
      report.too_many_processes = 1;
      break;
    }
    const int open_files = static_cast<int>(directory_entries(fmt::format("/proc/{}/fd", program)).size());
    report.most_open_files = std::max(report.most_open_files, open_files);
  }
  if (program > 0) kill_the_tree(program);
  if (!report.reaped && program > 0) {
    // The program was killed above: its CPU time is what the kernel says of children waited for.
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    report.cpu_microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000L +
                              usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  }
  [[maybe_unused]] auto ignored = ::write(report_fd, &report, sizeof report);
  ::_exit(0);
}

//-----------------------------------------------------------------------------
// asynclab's side
//-----------------------------------------------------------------------------

struct Fds {
  int devnull = -1, output[2] = {-1, -1}, report[2] = {-1, -1}, results[2] = {-1, -1};
  ~Fds() {
    for (int fd : {devnull, output[0], output[1], report[0], report[1], results[0], results[1]})
      if (fd >= 0) ::close(fd);
  }
  static void close(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// The mark every process of one run carries in its environment, inherited by whatever it starts.
constexpr std::string_view run_mark = "ASYNCLAB_SUPERVISED_RUN=";

// Kills every process whose environment carries this run's mark, until none is left. It catches
// what the supervisor could not: processes that outlived a supervisor killed from inside the tree
// (they are init's children then, not the subreaper's). Only a process that cleared its own
// environment on purpose escapes it.
//
// One sweep that finds nothing is not enough: a process in the middle of execve shows an empty
// environ for an instant (seen under load: a `setsid sleep` escaped the sweep that way), so the
// sweeps go on until two in a row, a millisecond apart, find nothing.
void kill_marked(const std::string& mark) {
  int quiet_sweeps = 0;
  for (int round = 0; round < 100 && quiet_sweeps < 2; ++round) {
    int killed = 0;
    for (const auto& name : directory_entries("/proc")) {
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = static_cast<pid_t>(std::stol(name));
      if (pid == ::getpid()) continue;
      const std::string environment = read_small_file("/proc/" + name + "/environ");
      if (environment.find(mark) == std::string::npos) continue;
      ::kill(pid, SIGKILL);
      ++killed;
    }
    quiet_sweeps = killed == 0 ? quiet_sweeps + 1 : 0;
    ::usleep(1000);  // a killed process leaves /proc once its parent (init, here) has reaped it
  }
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

SupervisedEnd run_supervised(const SupervisedCommand& command) {
  SupervisedEnd end;
  Fds fds;
  fds.devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fds.devnull < 0 || ::pipe2(fds.output, O_CLOEXEC) != 0 || ::pipe2(fds.report, O_CLOEXEC) != 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.results) != 0) {
    end.error = fmt::format("could not set up the grader's pipes: {}", std::strerror(errno));
    return end;
  }
  if (!write_all(fds.results[0], command.results_preamble)) {
    end.error = fmt::format("could not set up the grader's results channel: {}", std::strerror(errno));
    return end;
  }
  SupervisedCommand marked = command;
  std::string mark;
  mark = std::string(run_mark);
  try {
    for (auto b : channel::fresh_key()) mark += fmt::format("{:02x}", b);
  } catch (const std::exception&) {
    mark += fmt::format("{}-{}", ::getpid(), Clock::now().time_since_epoch().count());
  }
  marked.environment.push_back(mark);
  const Prepared prepared = prepare(marked);
  const auto started = Clock::now();
  const auto deadline = started + command.time_limit;
  const pid_t supervisor = ::fork();
  if (supervisor == 0) {
    ::close(fds.output[0]);
    ::close(fds.report[0]);
    ::close(fds.results[0]);
    supervise(prepared, deadline, fds.devnull, fds.output[1], fds.results[1], fds.report[1]);
  }
  if (supervisor < 0) {
    end.error = fmt::format("could not start the grader: {}", std::strerror(errno));
    return end;
  }
  end.started = true;
  Fds::close(fds.devnull);
  Fds::close(fds.output[1]);
  Fds::close(fds.report[1]);
  Fds::close(fds.results[1]);

  // Read the output, the results and the supervisor's report until all three close: the tree is dead
  // by then (its last write ends are gone). The supervisor keeps its own deadline; this one only
  // guards against a supervisor killed from inside the tree.
  const auto guard = deadline + std::chrono::seconds(15);
  Report report;
  bool got_report = false;
  std::string report_bytes;
  pollfd polled[3] = {{fds.output[0], POLLIN, 0}, {fds.results[0], POLLIN, 0}, {fds.report[0], POLLIN, 0}};
  char buffer[65536];
  while (polled[0].fd >= 0 || polled[1].fd >= 0 || polled[2].fd >= 0) {
    if (Clock::now() > guard) {
      ::kill(supervisor, SIGKILL);
      break;
    }
    const int ready = ::poll(polled, 3, 100);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 3; ++i) {
      if (polled[i].fd < 0 || (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        polled[i].fd = -1;  // closed (the Fds destructor closes the descriptor)
        continue;
      }
      const std::string_view got(buffer, static_cast<std::size_t>(n));
      if (i == 0) {
        if (command.on_output) command.on_output(got);
        const std::size_t room = command.limits.output_kept - std::min<std::uint64_t>(end.output.size(), command.limits.output_kept);
        end.output.append(got.substr(0, std::min(room, got.size())));
        end.output_dropped += got.size() - std::min(room, got.size());
      } else if (i == 1) {
        // Past the most a grader writes, nothing more is kept: a later piece would splice the stream.
        if (end.results_overflow || end.results.size() + got.size() > command.results_max) {
          end.results_overflow = true;
        } else {
          end.results.append(got);
        }
      } else {
        report_bytes.append(got);
      }
    }
    // The supervisor's report pipe closed without a whole report: it was killed (from inside the
    // tree). Whatever still holds the output open is swept below; waiting for it would only wait for
    // the guard.
    if (polled[2].fd < 0 && report_bytes.size() != sizeof report) break;
  }
  int status = 0;
  while (::waitpid(supervisor, &status, 0) < 0 && errno == EINTR) {
  }
  // The supervisor killed the tree; this sweeps what escaped it (see kill_marked).
  kill_marked(mark);
  end.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (report_bytes.size() == sizeof report) {
    std::memcpy(&report, report_bytes.data(), sizeof report);
    got_report = true;
  }
  if (!got_report) {
    // The supervisor was killed before it could report (from inside the tree, or by the guard).
    end.supervisor_lost = true;
    end.signal = SIGKILL;
    return end;
  }
  end.timed_out = report.timed_out != 0;
  end.too_many_processes = report.too_many_processes != 0;
  end.interrupted = report.interrupted != 0;
  end.most_processes = report.most_processes;
  end.most_open_files = report.most_open_files;
  end.cpu_seconds = static_cast<double>(report.cpu_microseconds) / 1e6;
  if (report.reaped) {
    end.exited = WIFEXITED(report.status);
    end.exit_status = end.exited ? WEXITSTATUS(report.status) : 0;
    end.signal = WIFSIGNALED(report.status) ? WTERMSIG(report.status) : 0;
  } else {
    end.signal = SIGKILL;  // killed by the supervisor: at the deadline, over the process limit, interrupted
  }
  return end;
}

}  // namespace asynclab::grading
