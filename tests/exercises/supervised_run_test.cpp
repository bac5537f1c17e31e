// A program run the way graders are run (exercises/grading/supervised_run.hpp): nothing it starts
// outlives it, and each limit holds. The programs are small shell scripts, so each claim is tested
// without building a grader; the graders' own cheats and limits are proven in graders_test.
#include <dirent.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <iterator>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "asynclab/detail/sanitizers.hpp"
#include "supervised_run.hpp"

using namespace asynclab::grading;
using namespace std::chrono_literals;

namespace {

SupervisedCommand shell(std::string script) {
  SupervisedCommand c;
  c.argv = {"/bin/sh", "-c", std::move(script)};
  c.time_limit = 20s;
  return c;
}

// Processes on this machine whose command line holds `marker`.
int processes_with(const std::string& marker) {
  int found = 0;
  DIR* proc = ::opendir("/proc");
  REQUIRE(proc != nullptr);
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == ::getpid()) continue;
    std::ifstream in("/proc/" + name + "/cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(marker) != std::string::npos) ++found;
  }
  ::closedir(proc);
  return found;
}

// A `sleep` argument no other process has: 100000.<pid><n> seconds.
std::string unique_sleep() {
  static int n = 0;
  return fmt::format("100000.{}{}", ::getpid(), ++n);
}

}  // namespace

TEST_CASE("a program's output and exit status come back, its stdin is empty", "[exercises][supervised]") {
  auto c = shell("cat; echo out; echo err >&2; exit 3");
  const auto end = run_supervised(c);
  REQUIRE(end.started);
  CHECK(end.exited);
  CHECK(end.exit_status == 3);
  CHECK(end.output == "out\nerr\n");
  CHECK_FALSE(end.timed_out);
}

TEST_CASE("the results channel is fd 3: the preamble waits in it, and what the program writes comes back",
          "[exercises][supervised]") {
  auto c = shell("head -c 5 <&3; echo; echo sealed >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '");
  c.results_preamble = "hello";
  const auto end = run_supervised(c);
  CHECK(end.results == "sealed\n");
  // stdin, stdout, stderr and the channel, and the one `ls` opens to list them: nothing else leaks in.
  CHECK_THAT(end.output, Catch::StartsWith("hello\n0 1 2 3 "));
  CHECK(end.output.size() <= std::string("hello\n0 1 2 3 4 ").size());
}

TEST_CASE("the environment gets what the runner adds, replacing asynclab's own", "[exercises][supervised]") {
  ::setenv("ASYNCLAB_SUPERVISED_TEST", "outer", 1);
  auto c = shell("echo $ASYNCLAB_SUPERVISED_TEST");
  c.environment = {"ASYNCLAB_SUPERVISED_TEST=inner"};
  CHECK(run_supervised(c).output == "inner\n");
}

TEST_CASE("a process that left the session (setsid) or was orphaned is dead when the run returns",
          "[exercises][supervised]") {
  const std::string escaped = unique_sleep(), orphan = unique_sleep();
  // The program starts both and exits at once; without a subreaper both would live on under init.
  // `env -i`: they do not carry the run's mark either, so only the subreaper can find them.
  auto c = shell(fmt::format("setsid env -i /bin/sleep {} & (env -i /bin/sleep {} &) ; exit 0", escaped, orphan));
  const auto end = run_supervised(c);
  CHECK(end.exited);
  CHECK(processes_with(escaped) == 0);
  CHECK(processes_with(orphan) == 0);
}

TEST_CASE("a program that kills its supervisor still leaves nothing behind", "[exercises][supervised]") {
  const std::string escaped = unique_sleep();
  // It leaves the session, then kills the process that would have killed it ($PPID: the supervisor).
  auto c = shell(fmt::format("setsid sleep {} & kill -9 $PPID; exit 0", escaped));
  const auto end = run_supervised(c);
  CHECK(end.supervisor_lost);  // no report from the supervisor: nothing it says can be trusted
  CHECK(end.seconds < 10);     // not the time limit: the lost supervisor is noticed at once
  CHECK(processes_with(escaped) == 0);
}

TEST_CASE("a program that hangs is killed at the time limit, with what it started", "[exercises][supervised]") {
  const std::string child = unique_sleep();
  auto c = shell(fmt::format("setsid sleep {} & while :; do :; done", child));
  c.time_limit = 300ms;
  const auto end = run_supervised(c);
  CHECK(end.timed_out);
  CHECK_FALSE(end.exited);
  CHECK(end.seconds < 10);
  CHECK(processes_with(child) == 0);
}

TEST_CASE("a tree of more processes than the limit is stopped and killed", "[exercises][supervised]") {
  const std::string marker = unique_sleep();
  auto c = shell(fmt::format("i=0; while [ $i -lt 100 ]; do sleep {} & i=$((i+1)); done; wait", marker));
  c.limits.processes = 20;
  const auto end = run_supervised(c);
  CHECK(end.too_many_processes);
  CHECK(end.most_processes > 20);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("output past the kept size is counted and dropped, not held in memory", "[exercises][supervised]") {
  auto c = shell("head -c 5000000 /dev/zero");
  c.limits.output_kept = 1 << 20;
  const auto end = run_supervised(c);
  CHECK(end.exited);
  CHECK(end.output.size() == (1u << 20));
  CHECK(end.output_dropped == 5'000'000 - (1u << 20));
}

TEST_CASE("a file larger than the limit ends the program with SIGXFSZ", "[exercises][supervised]") {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("asynclab-supervised-{}", ::getpid());
  std::filesystem::create_directories(dir);
  auto c = shell("head -c 8000000 /dev/zero > big; echo after");
  c.working_dir = dir;
  c.limits.file_size = 1 << 20;
  const auto end = run_supervised(c);
  // The shell survives its child: the child (head) got SIGXFSZ; the file stopped at the limit.
  CHECK(std::filesystem::file_size(dir / "big") == (1u << 20));
  CHECK_THAT(end.output, Catch::Contains("after"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the program's limits are set: open files, file size, CPU, memory, no core files", "[exercises][supervised]") {
  auto c = shell("ulimit -n; ulimit -f; ulimit -t; ulimit -v; ulimit -c");
  c.limits.open_files = 100;
  c.limits.file_size = 1 << 20;  // ulimit -f counts 512-byte blocks in dash, 1024-byte ones in bash
  c.limits.cpu_seconds = 7;
  c.limits.memory = std::uint64_t{1} << 30;
  const auto end = run_supervised(c);
  std::istringstream lines(end.output);
  std::string open_files, file_size, cpu, memory, core;
  lines >> open_files >> file_size >> cpu >> memory >> core;
  CHECK(open_files == "100");
  CHECK((file_size == "2048" || file_size == "1024"));
  CHECK(cpu == "7");
#if !defined(ASYNCLAB_ASAN) && !defined(ASYNCLAB_TSAN)
  CHECK(memory == "1048576");  // KiB; a sanitizer build leaves the address space alone (limits.hpp)
#endif
  CHECK(core == "0");
}

TEST_CASE("a program that spins past its CPU seconds ends with SIGXCPU", "[exercises][supervised]") {
  auto c = shell("exec /bin/sh -c 'while :; do :; done'");
  c.limits.cpu_seconds = 1;
  const auto end = run_supervised(c);
  CHECK(end.signal == SIGXCPU);
  CHECK(end.cpu_seconds >= 0.9);
  CHECK_FALSE(end.timed_out);
}

TEST_CASE("a program that cannot be run says so and exits 127", "[exercises][supervised]") {
  SupervisedCommand c;
  c.argv = {"/nonexistent/grader"};
  const auto end = run_supervised(c);
  CHECK(end.exited);
  CHECK(end.exit_status == 127);
  CHECK_THAT(end.output, Catch::Contains("cannot run /nonexistent/grader"));
}

TEST_CASE("run as nobody, a program can write nothing of root's and cannot kill its supervisor",
          "[exercises][supervised]") {
  if (::geteuid() != 0) {
    WARN("not root: asynclab keeps the learner's own user, and there is nothing to drop");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("asynclab-supervised-root-{}", ::getpid());
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0755);  // root's, readable by all: like a build tree
  const std::string escaped = unique_sleep();
  auto c = shell(fmt::format("id -u; touch {}/tampered 2>/dev/null || echo refused; "
                             "setsid sleep {} & kill -9 $PPID 2>/dev/null || echo protected; exit 0",
                             dir.string(), escaped));
  c.run_as = std::pair<uid_t, gid_t>{65534, 65534};
  const auto end = run_supervised(c);
  CHECK(end.output == "65534\nrefused\nprotected\n");
  CHECK_FALSE(std::filesystem::exists(dir / "tampered"));
  CHECK_FALSE(end.supervisor_lost);
  CHECK(processes_with(escaped) == 0);
  std::filesystem::remove_all(dir);
}
