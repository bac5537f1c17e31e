#pragma once
// What most runtime tests start from: a virtual-time runtime (never a real sleep), the virtual
// clock read as "time since the runtime started", and a shared log for observing order.
//
// Rules:
// * Every runtime a test builds runs on virtual time: timing claims are checked as virtual
//   durations, so a test of a 5-second timeout takes microseconds and gives the same answer each run.
// * A Log is appended to from tasks and read after block_on returns: assertions about order are made
//   outside the runtime, where a failing REQUIRE cannot be swallowed as a task's panic.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/runtime.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/trace/recorder.hpp"

namespace asynclab::testing {

inline Runtime virtual_runtime(std::uint64_t seed = 0) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).build();
}
inline Runtime virtual_runtime(trace::Recorder& rec, std::uint64_t seed = 0) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).trace(rec).build();
}

// Virtual time since the runtime started; only meaningful inside a runtime.
inline Duration elapsed() { return asynclab::now().time_since_epoch(); }

using Log = std::vector<std::string>;

// Appends a line to a log when destroyed: shows *when* a future's frame was dropped relative to
// other events.
class LogOnDrop {
 public:
  LogOnDrop(Log& log, std::string line) : log_(&log), line_(std::move(line)) {}
  LogOnDrop(const LogOnDrop&) = delete;
  LogOnDrop& operator=(const LogOnDrop&) = delete;
  ~LogOnDrop() { log_->push_back(line_); }

 private:
  Log* log_;
  std::string line_;
};

}  // namespace asynclab::testing
