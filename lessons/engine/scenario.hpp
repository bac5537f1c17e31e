#pragma once
// ScenarioRun: what a lesson's scenario.cpp receives. A scenario is the program a lesson drives,
// written in mini-tokio's narrated voice; it reads its parameters, runs its async main on the
// runtime the lesson prepared (current thread, virtual time, the chosen seed, recording), and may
// print lines and report measurements.
//
//   // lessons/08-join/scenario.cpp
//   namespace asynclab::lessons {
//   void scenario_08_join(ScenarioRun& run) {
//     run.block_on(fetch_three(run.params().millis("latency_a"), ...));
//   }
//   }
//
// Rules:
// * Each lessons/NN-slug/scenario.cpp defines `void asynclab::lessons::scenario_NN_slug(ScenarioRun&)`
//   (hyphens in the slug become underscores); the build finds the folders and registers them, so
//   adding a lesson is adding a folder.
// * A scenario runs the runtime once, through block_on. Running it under virtual time makes the run
//   instant and the trace the same for the same seed and parameters, byte for byte.
// * A run that gets stuck is not an error here: block_on records the StuckReport (the deadlock
//   lesson wants one) and returns; the trace holds the report as events too.
// * An exception escaping the scenario is a broken lesson: the caller reports it with the lesson's
//   name, never crashes.
// * say() is the scenario's println!: a line stamped with the virtual clock and the trace position,
//   so the GUI shows only what was printed before the playback cursor.
// * measure() reports a real measurement (memory, wall time) for lessons that compare approaches on
//   the real machine (threads vs tasks, CPU-heavy work); such numbers vary run to run and are never
//   asserted by tests.
#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/recorder.hpp"
#include "engine/params.hpp"

namespace asynclab::lessons {

struct SaidLine {
  std::size_t event = 0;  // trace position when it was said: shown once the cursor passes it
  std::uint64_t at_ns = 0;
  std::string text;
};

struct Measurement {
  std::string label;  // "1,000 threads: resident memory"
  double value = 0;
  std::string unit;   // "MiB", "ms", "context switches"
};

class ScenarioRun {
 public:
  ScenarioRun(const ParamValues& params, std::uint64_t seed) : params_(params), seed_(seed) {}
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  const ParamValues& params() const { return params_; }
  std::uint64_t seed() const { return seed_; }

  // The builder the lesson's runtime starts from: current thread, virtual time, this run's seed,
  // recording into this run. A scenario may add to it (a sim::Network, explore_schedules, ...) and
  // pass it to block_on.
  Runtime::Builder builder() { return Runtime::builder().current_thread().virtual_time().seed(seed_).trace(recorder_); }

  // Runs `main` as the task "main" on builder() and returns when it finishes or the run is stuck.
  // `where` is the scenario's own line, so `main` is spawned there (the Task window's "spawned at"),
  // not inside this engine.
  template <class F>
  void block_on(F&& main, std::source_location where = std::source_location::current()) {
    block_on(builder(), std::forward<F>(main), where);
  }
  template <class F>
  void block_on(const Runtime::Builder& with, F&& main, std::source_location where = std::source_location::current()) {
    if (ran_) throw std::logic_error("a lesson scenario runs its runtime once");
    ran_ = true;
    auto rt = with.build();
    active_ = this;
    struct Reset {
      ~Reset() { active_ = nullptr; }
    } reset;
    auto outcome = rt.try_block_on(std::forward<F>(main), "main", where);
    if (!outcome) stuck_ = outcome.error().report();
    end_ns_ = static_cast<std::uint64_t>(rt.now().time_since_epoch().count());
  }

  // The scenario's println!, from inside or outside the runtime.
  void say(std::string text);
  // From a task that has no ScenarioRun at hand (the run being recorded right now).
  static void say_current(std::string text);
  void measure(std::string label, double value, std::string unit);

  // After the run.
  bool ran() const { return ran_; }
  const std::optional<StuckReport>& stuck() const { return stuck_; }
  std::uint64_t end_ns() const { return end_ns_; }
  trace::Trace take_trace() { return recorder_.take(); }
  std::vector<SaidLine>& said() { return said_; }
  std::vector<Measurement>& measurements() { return measurements_; }

 private:
  static thread_local ScenarioRun* active_;
  const ParamValues& params_;
  std::uint64_t seed_;
  trace::Recorder recorder_;
  bool ran_ = false;
  std::optional<StuckReport> stuck_;
  std::uint64_t end_ns_ = 0;
  std::vector<SaidLine> said_;
  std::vector<Measurement> measurements_;
};

// The println! of scenarios: `say("fetch a: got {} bytes", n)` from any task of the running lesson.
template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  ScenarioRun::say_current(fmt::format(format, std::forward<Args>(args)...));
}

using ScenarioFn = void (*)(ScenarioRun&);

}  // namespace asynclab::lessons
