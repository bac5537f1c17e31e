#pragma once
// An `asynclab` process on a pseudo-terminal, as a learner runs it in a terminal window: its stdin,
// stdout and stderr are the terminal, which is its controlling terminal, so termios settings,
// newline translation and Ctrl-C behave as they do for a person (for `grade --watch`).
//
// Rules:
// * The test keeps its own handle on the terminal's far side, so it can read the terminal's
//   settings while the process runs and after it has gone (terminal()).
// * Nothing sleeps: reads block in poll() until output arrives; the time limit guards a hang.
// * The child is always reaped: the destructor kills it if it is still running.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/exec_child.hpp"

namespace asynclab::testing {

class PtyProcess {
 public:
  PtyProcess(const std::string& program, const std::vector<std::string>& args, const std::vector<std::string>& env) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const char* name = ::ptsname(master_);
    if (name == nullptr) return;
    const std::string slave_name = name;
    slave_ = ::open(slave_name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_ < 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();  // a session of its own, whose controlling terminal is the one opened next
      const int tty = ::open(slave_name.c_str(), O_RDWR);
      if (tty < 0) ::_exit(126);
      ::dup2(tty, STDIN_FILENO);
      ::dup2(tty, STDOUT_FILENO);
      ::dup2(tty, STDERR_FILENO);
      exec_child(program, args, env);
    }
  }
  ~PtyProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (slave_ >= 0) ::close(slave_);
    if (master_ >= 0) ::close(master_);
  }
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  bool started() const { return pid_ > 0 && master_ >= 0 && slave_ >= 0; }

  // The terminal's settings now (while the process runs, or after it has gone).
  std::optional<termios> terminal() const {
    termios t{};
    if (::tcgetattr(slave_, &t) != 0) return std::nullopt;
    return t;
  }

  // Reads until `text` appears in the output after position `from`, or `limit` passes. Returns
  // where it was found, or npos.
  std::size_t read_until(std::string_view text, std::size_t from, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto found = output_.find(text, from);
      if (found != std::string::npos) return found;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::string::npos;
      read_some(static_cast<int>(left.count()));
    }
  }

  void send(std::string_view keys) { (void)!::write(master_, keys.data(), keys.size()); }
  void signal(int sig) const { ::kill(pid_, sig); }

  // Waits for the process to end (at most `limit`), reading what it writes meanwhile. Its exit
  // status, or minus the signal that ended it; nullopt if it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!status_) {
      int raw = 0;
      if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? -WTERMSIG(raw) : -1000;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      // Output wakes this up at once; an exit with nothing more to say is seen within 20 ms.
      read_some(20);
    }
    while (read_some(0)) {
    }
    return status_;
  }

  const std::string& output() const { return output_; }

 private:
  // Reads what is there within `wait_ms`; false when nothing came.
  bool read_some(int wait_ms) {
    pollfd fd{master_, POLLIN, 0};
    if (::poll(&fd, 1, wait_ms) <= 0 || !(fd.revents & POLLIN)) return false;
    char buffer[4096];
    const auto n = ::read(master_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  int slave_ = -1;
  std::optional<int> status_;
  std::string output_;
};

}  // namespace asynclab::testing
