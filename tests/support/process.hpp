#pragma once
// Running the `asynclab` executable as a learner runs it, for the command-line and GUI tests: its exit
// status and what it printed, and a scratch folder for the files it reads and writes.
//
// Rules:
// * ASYNCLAB_EXE names the built executable (tests/CMakeLists.txt defines it for these tests).
// * Arguments are shell text: the tests only pass words and paths they made (quote paths with
//   quoted()).
// * The scratch folder is this process's own and is removed when the process exits.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#ifndef ASYNCLAB_EXE
#error "ASYNCLAB_EXE must name the built asynclab executable"
#endif

namespace asynclab::testing {

// The commands asynclab suggests follow ASYNCLAB_INVOKED_AS (cli/invocation.hpp). One set in the
// shell that runs the tests must not reach the programs they start: a test that wants it says so in
// its `env`. Unset before main, in every test program that starts asynclab.
inline const bool invoked_as_unset = [] {
  ::unsetenv("ASYNCLAB_INVOKED_AS");
  return true;
}();

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::filesystem::path scratch() {
  static const struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("asynclab-test-" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir;
  return dir.path;
}

inline std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// Runs a shell command line and captures its exit status, stdout and stderr.
inline Run run_command(const std::string& command) {
  const std::filesystem::path out = scratch() / "stdout.txt";
  const std::filesystem::path err = scratch() / "stderr.txt";
  const std::string cmd = command + " >" + quoted(out) + " 2>" + quoted(err);
  const int raw = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// Runs `[env] asynclab ARGS` and captures its exit status, stdout and stderr.
inline Run run_asynclab(const std::string& args, const std::string& env = "") {
  return run_command(env + " " + quoted(ASYNCLAB_EXE) + " " + args);
}

}  // namespace asynclab::testing
