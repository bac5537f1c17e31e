#pragma once
// What a grader (exercises/NN-slug/grade.cpp) uses to judge the learner's code by what it *did*: run
// it on the deterministic runtime under several seeds, keep the trace, and fail with a message that
// teaches — what was observed (virtual times, task names), what was expected, where to look.
//
//   TEST_CASE("the three fetches overlap", "[ex04][task_2]") {
//     for (auto seed : grading::seeds) {
//       auto run = grading::run_graded("04-join-fetches", seed, [] { return total_bytes(urls); }, world);
//       grading::require_finished(run);
//       if (run.end() != 300ms)
//         grading::fail(fmt::format("the run ended at {}", ...), "it ends at 300 ms, the slowest fetch",
//                       "exercise.cpp: are the fetches awaited one after another?");
//     }
//   }
//
// Rules:
// * run_graded never lets the learner's code take the grader down: a stuck run (deadlock, lost
//   waker) is kept as `stuck`, an exception escaping the learner's task as `panic`; require_finished
//   turns either into a failure that says which. (An infinite loop inside a poll cannot be caught
//   here: `asynclab grade` runs each grader in its own process with a time limit.)
// * The first run of each exercise (seed 1) is saved as $ASYNCLAB_TRACE_DIR/<exercise>.altrace when
//   that variable is set (`asynclab grade` sets it), so `asynclab gui --trace` shows the learner's
//   own run. Saving never fails a grade.
// * fail() messages start with the observation, then "expected:", then "look at:", each on a line;
//   `asynclab grade` prints the first failure of an exercise exactly as written.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/query.hpp"

namespace asynclab::grading {

using namespace std::chrono_literals;

// Every grader runs the learner's code under these seeds: a claim must hold whatever order the seed
// makes ready tasks run in (graders that need it turn on explore_schedules()). Five by default:
// 1, 2, 3, 17, 4242; `asynclab grade --seeds N` sets $ASYNCLAB_GRADE_SEEDS to use N (more seeds
// follow on from a fixed sequence, so a run is still reproducible).
class SeedList {
 public:
  const std::uint64_t* begin() const { return list().data(); }
  const std::uint64_t* end() const { return list().data() + list().size(); }
  std::uint64_t operator[](std::size_t i) const { return list().at(i); }
  std::size_t size() const { return list().size(); }

 private:
  static const std::vector<std::uint64_t>& list();
};
inline constexpr SeedList seeds{};

struct GradedRun {
  std::string exercise;
  std::uint64_t seed = 0;
  trace::Trace trace;
  std::optional<StuckReport> stuck;  // the run could not go on: deadlock or lost waker
  std::optional<std::string> panic;  // an exception escaped the learner's task: its what()
  std::uint64_t end_ns = 0;          // the virtual clock when the run ended

  bool finished() const { return !stuck && !panic; }
  std::chrono::nanoseconds end() const { return std::chrono::nanoseconds(end_ns); }
  trace::TraceQuery query() const { return trace::TraceQuery(trace); }
  // "300 ms", "1.25 s": a virtual time as a learner reads it.
  static std::string at(std::chrono::nanoseconds t);
};

// Runs `make_main()` (a callable returning the learner's future, e.g. a Task) as the task "main" on a
// fresh current-thread runtime with virtual time, the seed, and `configure` applied to its builder
// (a sim::Network, explore_schedules, ...). The value, if any, is handed to `on_value`.
template <class MakeMain, class OnValue = std::nullptr_t>
GradedRun run_graded(std::string_view exercise, std::uint64_t seed, MakeMain make_main,
                     const std::function<void(Runtime::Builder&)>& configure = {}, OnValue on_value = nullptr);

// A failure that teaches. Never returns (it is Catch2's FAIL).
[[noreturn]] void fail(std::string_view observed, std::string_view expected, std::string_view look_at);

// Fails unless the run finished: a stuck run fails with its report (deadlock / lost waker), a
// panicking one with what was thrown.
void require_finished(const GradedRun& run);

// The busiest moment of a run's simulated network (sim::http): how many requests were in flight at
// most, when that peak was first reached, and which URLs were in flight then (in the order they were
// requested) — what a failure message names when a limit is exceeded or never reached.
struct InFlight {
  std::size_t peak = 0;
  std::chrono::nanoseconds first_peak_at{0};
  std::vector<std::string> urls_at_peak;
};
InFlight requests_in_flight(const trace::Trace& trace);

// One request of a run's simulated network: which task made it, to which URL, when it began and
// ended (the run's end, if it never did), and whether it was dropped mid-flight (its future was
// dropped: a select's loser, an aborted task, the runtime shutting down).
struct Request {
  std::uint32_t task = 0;
  std::string url;
  std::chrono::nanoseconds began{0}, ended{0};
  bool answered = false;   // the request ended with an answer or a failure of the network's
  bool cancelled = false;  // dropped mid-flight
};
// Every request of the run, in the order they began.
std::vector<Request> requests(const GradedRun& run);
// The first request to exactly `url`, if there was one.
std::optional<Request> first_request_to(const GradedRun& run, std::string_view url);

// Where the learner's trace of `exercise` is saved, if $ASYNCLAB_TRACE_DIR is set.
std::optional<std::filesystem::path> trace_path(std::string_view exercise);

// ---- implementation of the template --------------------------------------------------------------

namespace detail {
void save_first_trace(const GradedRun& run);
}

template <class MakeMain, class OnValue>
GradedRun run_graded(std::string_view exercise, std::uint64_t seed, MakeMain make_main,
                     const std::function<void(Runtime::Builder&)>& configure, OnValue on_value) {
  GradedRun run;
  run.exercise = std::string(exercise);
  run.seed = seed;
  trace::Recorder recorder;
  {
    auto builder = Runtime::builder().current_thread().virtual_time().seed(seed).trace(recorder);
    if (configure) configure(builder);
    auto rt = builder.build();
    try {
      auto outcome = rt.try_block_on(make_main());
      if (!outcome) {
        run.stuck = outcome.error().report();
      } else if constexpr (!std::is_same_v<OnValue, std::nullptr_t>) {
        on_value(std::move(*outcome));
      }
    } catch (const std::exception& e) {
      run.panic = e.what();
    } catch (...) {
      run.panic = "something that is not a std::exception";
    }
    run.end_ns = static_cast<std::uint64_t>(rt.now().time_since_epoch().count());
  }  // the runtime is dropped here: its last events (cancelled leftovers) are in the trace
  run.trace = recorder.take();
  detail::save_first_trace(run);
  return run;
}

}  // namespace asynclab::grading
