// The main of every grader: Catch2's, plus a reporter named "asynclab" that writes one JSON line per
// test case — its name, tags, whether it passed, and its first failure as the learner should read
// it — so `asynclab grade` and the tests read results without parsing Catch2's console output.
//
//   {"name": "...", "tags": ["ex04", "task_2"], "passed": false, "kind": "failed", "message": "...",
//    "open_files": 5}
//
// Run by the runner, each line is sealed and sent over the results socket (results_channel.hpp):
// the learner's code shares this process, so the lines go where it cannot rewrite them, under a key
// it does not have. Run by hand (no results socket), the lines go to Catch2's output, unsealed.
//
// `kind` is "passed", "failed" (an assertion or fail()), "threw" (an exception escaped a test), or
// "crashed" (a signal Catch2 caught: the learner's code did something fatal).
#define CATCH_CONFIG_MAIN
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <optional>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "results_seal.hpp"

namespace {

namespace channel = asynclab::grading::channel;

// The key the runner put in the results socket. It is taken before any code of the learner's can
// run: a function in .preinit_array runs before every static constructor of the program (the
// learner's exercise.cpp included) and before any shared library's. What is left in the socket
// after that is nothing to read or peek at. Kept here, with internal linkage: no symbol names it.
std::optional<channel::Key> results_key;
bool results_socket = false;

bool is_socket(int fd) {
  int type = 0;
  socklen_t size = sizeof type;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0;
}

void take_results_key() {
  results_socket = is_socket(channel::results_fd);
  if (!results_socket) return;  // run by hand: no runner, no key
  channel::Key key{};
  // Never waits: the runner wrote the key before the grader started.
  const ssize_t n = ::recv(channel::results_fd, key.data(), key.size(), MSG_DONTWAIT);
  // Programs the learner's code starts must not inherit the channel.
  ::fcntl(channel::results_fd, F_SETFD, FD_CLOEXEC);
  if (n == static_cast<ssize_t>(key.size())) results_key = key;
}

[[gnu::used, gnu::section(".preinit_array")]] void (*take_results_key_first)() = &take_results_key;

int open_descriptors() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  const int highest = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 16));
  int count = 0;
  for (int fd = 0; fd < highest; ++fd) count += ::fcntl(fd, F_GETFD) != -1 ? 1 : 0;
  return count;
}

class JsonLinesReporter : public Catch::StreamingReporterBase<JsonLinesReporter> {
 public:
  explicit JsonLinesReporter(Catch::ReporterConfig const& config)
      : StreamingReporterBase(config), sealed_(results_socket), key_(results_key) {
    results_key.reset();
    // A Catch2 listener sees every test case's stats before this reporter does, and may change them
    // (a failure into a pass). The graders register none; one registered means code that is not
    // the grader's is listening in, and nothing this run reports can be trusted.
    if (!Catch::getRegistryHub().getReporterRegistry().getListeners().empty()) {
      key_.reset();
      std::fprintf(stderr, "asynclab grader: a Catch2 listener is registered (not by the grader): results withheld\n");
    }
  }
  static std::string getDescription() { return "one JSON line per test case, for asynclab grade"; }

  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    StreamingReporterBase::testCaseStarting(info);
    kind_ = "passed";
    message_.clear();
    if (sealed_) {
      // What the learner's code prints from here on is this check's (results_channel.hpp).
      std::cout.flush();
      std::cerr.flush();
      std::fflush(nullptr);
      const std::string mark = std::string(channel::output_mark) + std::to_string(index_) + "\n";
      [[maybe_unused]] auto written = ::write(STDOUT_FILENO, mark.data(), mark.size());
    }
  }

  void assertionStarting(Catch::AssertionInfo const&) override {}

  bool assertionEnded(Catch::AssertionStats const& stats) override {
    const Catch::AssertionResult& result = stats.assertionResult;
    if (result.isOk() || !message_.empty()) return true;  // only the first failure teaches
    switch (result.getResultType()) {
      case Catch::ResultWas::ThrewException: kind_ = "threw"; break;
      case Catch::ResultWas::FatalErrorCondition: kind_ = "crashed"; break;
      default: kind_ = "failed"; break;
    }
    std::string text;
    // INFO/CAPTURE context first; FAIL's own text is among the info messages too, and comes last.
    for (const auto& info : stats.infoMessages)
      if (info.message != result.getMessage()) text += info.message + "\n";
    if (result.hasExpression()) {
      text += result.getExpressionInMacro();
      if (result.hasExpandedExpression() && result.getExpandedExpression() != result.getExpression())
        text += "\n  with expansion: " + result.getExpandedExpression();
      if (result.hasMessage()) text += "\n" + result.getMessage();
    } else {
      text += result.getMessage();
    }
    if (kind_ == "threw") text = "threw: " + text;
    message_ = text;
    return true;
  }

  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    nlohmann::json line;
    line["name"] = stats.testInfo.name;
    line["tags"] = stats.testInfo.tags;
    const bool passed = stats.totals.assertions.failed == 0 && stats.totals.testCases.failed == 0;
    line["passed"] = passed;
    line["kind"] = passed ? "passed" : kind_ == "passed" ? "failed" : kind_;
    line["message"] = message_;
    // How many descriptors the process holds as the check ends: a check that failed because it could
    // open no more is then said to have hit the open-files limit (runner.cpp).
    line["open_files"] = open_descriptors();
    send(line.dump());
    StreamingReporterBase::testCaseEnded(stats);
  }

 private:
  // Written at once (a later crash must not lose finished tests).
  void send(const std::string& json) {
    if (!sealed_) {
      stream << json << std::endl;
      return;
    }
    if (!key_) return;  // the key was taken before the reporter could read it: nothing here is trusted
    const std::string line = channel::sealed_line(*key_, index_++, json);
    for (std::size_t sent = 0; sent < line.size();) {
      const ssize_t n = ::write(channel::results_fd, line.data() + sent, line.size() - sent);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  bool sealed_ = false;
  std::optional<channel::Key> key_;
  std::uint64_t index_ = 0;
  std::string kind_ = "passed";
  std::string message_;
};

}  // namespace

CATCH_REGISTER_REPORTER("asynclab", JsonLinesReporter)
