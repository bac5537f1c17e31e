#pragma once
// An `asynclab` process a test talks to while it runs: the test writes keys to its stdin and reads
// its stdout up to an expected line, as a learner at a terminal would (for `grade --watch`).
//
// Rules:
// * Nothing sleeps: reads block in poll() until output arrives. The time limit only guards against
//   a hang — when it runs out, read_until returns false and the process is killed on destruction.
// * stderr is merged into stdout, so every message is seen in order.
// * The child is always reaped: the destructor kills it if it is still running.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/exec_child.hpp"

namespace asynclab::testing {

class InteractiveProcess {
 public:
  // Starts `program args...` with `env` (NAME=VALUE entries) added to this process's environment.
  InteractiveProcess(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::string>& env) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      exec_child(program, args, env);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~InteractiveProcess() {
    if (stdin_ >= 0) ::close(stdin_);
    if (stdout_ >= 0) ::close(stdout_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  InteractiveProcess(const InteractiveProcess&) = delete;
  InteractiveProcess& operator=(const InteractiveProcess&) = delete;

  bool started() const { return pid_ > 0 && stdin_ >= 0 && stdout_ >= 0; }

  // Reads until `text` appears in the output after position `from` (or the process closes its
  // output, or `limit` passes). Returns where it was found, or npos.
  std::size_t read_until(std::string_view text, std::size_t from, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto found = output_.find(text, from);
      if (found != std::string::npos) return found;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::string::npos;
      pollfd fd{stdout_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const auto n = ::read(stdout_, buffer, sizeof buffer);
      if (n <= 0) {
        closed_ = true;
        return output_.find(text, from);
      }
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  void send(std::string_view keys) { (void)!::write(stdin_, keys.data(), keys.size()); }

  // Closes its stdin and waits for it to exit (at most `limit`); its exit status, or -1.
  int finish(std::chrono::milliseconds limit) {
    ::close(stdin_);
    stdin_ = -1;
    read_until("\x01never printed\x01", 0, limit);  // drains the output until it closes
    if (!closed_) return -1;                        // still running: the destructor kills it
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return -1;
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  bool reaped_ = false;
  bool closed_ = false;  // the process closed its output (it is exiting)
  std::string output_;
};

}  // namespace asynclab::testing
