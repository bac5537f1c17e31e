#pragma once
// StuckError: what block_on throws (and try_block_on returns) instead of hanging when no task can
// ever run again — every task pending, no timer armed, nothing left that could wake anyone.
//
// Rules:
// * The report names every task still alive, where it is parked, and why it cannot continue: a task
//   whose every waker clone has been dropped has a "lost waker"; otherwise some other stuck task or
//   resource holds its waker.
// * The same facts are recorded in the trace (lost-waker lints and a runtime_stopped event), so the
//   visualizer can show the report beside the timeline.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace asynclab {

struct StuckTask {
  std::uint32_t id = 0;
  std::string name;
  std::string parked_at;    // "file.cpp:42", or "" when it never reached an await
  std::uint32_t live_wakers = 0;
  bool lost_waker = false;  // no waker clone alive: nothing in the program can wake this task
  // The resource its last poll waited on, when a primitive said so: "mutex \"first\"" ("" if none),
  // what the resource says of itself, and the tasks holding it.
  std::uint32_t resource_id = 0;
  std::string waits_on;
  std::string resource_state;
  std::vector<std::uint32_t> held_by;
  // It awaits this task's JoinHandle (0: none), which is stuck too or will never finish.
  std::uint32_t joins = 0;
};

class StuckReport {
 public:
  std::vector<StuckTask> tasks;
  // A wait-for cycle among the stuck tasks, in order (each waits on a resource held by the next,
  // the last by the first); empty when there is none.
  std::vector<std::uint32_t> cycle;
  std::uint64_t at_ns = 0;  // runtime clock when the run stopped

  const StuckTask* task(std::uint32_t id) const;
  bool is_deadlock() const { return !cycle.empty(); }

  std::size_t lost_wakers() const;
  // A readable, multi-line account for a terminal or a failure message.
  std::string render() const;
};

class StuckError : public std::runtime_error {
 public:
  explicit StuckError(StuckReport report);
  const StuckReport& report() const { return report_; }

 private:
  StuckReport report_;
};

}  // namespace asynclab
