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

#include <stdexcept>

#include "asynclab/runtime.hpp"
#include "asynclab/spawn.hpp"
#include "asynclab/task.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/trace/recorder.hpp"

namespace asynclab::testing {

inline Runtime virtual_runtime(std::uint64_t seed = 0) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).build();
}
inline Runtime virtual_runtime(trace::Recorder& rec, std::uint64_t seed = 0) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).trace(rec).build();
}
// A virtual-time runtime whose seed also picks the order of ready tasks: run a claim under many
// seeds to check it holds in every schedule.
inline Runtime exploring(std::uint64_t seed) {
  return Runtime::builder().current_thread().virtual_time().seed(seed).explore_schedules().build();
}

// Virtual time since the runtime started; only meaningful inside a runtime.
inline Duration elapsed() { return asynclab::now().time_since_epoch(); }
// " at 30 ms": the virtual time, for log lines.
inline std::string at_ms() { return " at " + std::to_string(elapsed().count() / 1'000'000) + " ms"; }

// Awaits every handle; fails the awaiting task (a panic the test sees through block_on) when a
// joined task did not finish.
template <class T>
Task<void> join_all(std::vector<JoinHandle<T>>& handles) {
  for (auto& h : handles) {
    auto r = co_await h;
    if (!r) throw std::runtime_error("a worker did not finish: " + r.error().to_string());
  }
}

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
