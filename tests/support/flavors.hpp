#pragma once
// Runtime flavors for the semantic tests: the same test body run on the current-thread runtime (in
// virtual time, as the tests have always run) and on the multi_thread runtime with 2 and 4 real
// worker threads (detail/scheduler.hpp, "Worker threads").
//
//   TEST_CASE("...", "[tag]") {
//     ASYNCLAB_EACH_FLAVOR(flavor);          // runs the rest of the test once per flavor
//     auto rt = flavor.runtime();            // current_thread + virtual time, or multi_thread(n)
//     rt.block_on(...);
//   }
//
// Rules:
// * current_thread builds exactly what harness.hpp's virtual_runtime(seed) / virtual_runtime(rec,
//   seed) build, so a test's current-thread run is the one it had before it was parametrized.
// * multi_thread(n) runs in real time: no test may sleep for real, so `flavor.timer(d)` gives d on
//   the current-thread flavor and zero (a timer already due when it is armed) on worker threads.
//   Use it only where a due-at-once timer keeps the test's meaning: a timeout or select whose
//   timer is already due is Ready without suspending, so a loop that awaits only such futures never
//   yields, and a task it spawned may wait in its worker's LIFO slot for ever.
// * exploring(seed) is harness.hpp's exploring(seed) on current_thread; on worker threads the
//   threads reorder the tasks, so a loop over seeds simply runs the test that many times.
// * The flavor's name goes into the test output (INFO), so a failure says which flavor failed.
// * On worker threads Catch2's assertion macros must not run inside tasks (they are not
//   thread-safe), and what tasks share must be atomic or handed over through the runtime (a
//   JoinHandle, a channel, a lock): tests collect results into variables and assert after block_on.
#include <cstdint>
#include <ostream>
#include <string>

#include <catch2/catch.hpp>

#include "asynclab/runtime.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/trace/recorder.hpp"
#include "support/harness.hpp"

namespace asynclab::testing {

struct Flavor {
  std::uint32_t workers = 0;  // 0: current_thread in virtual time; n >= 1: multi_thread(n) on n threads

  bool threaded() const { return workers != 0; }
  std::string name() const {
    return threaded() ? "multi_thread(" + std::to_string(workers) + ")" : "current_thread (virtual time)";
  }

  Runtime runtime(std::uint64_t seed = 0) const {
    if (!threaded()) return virtual_runtime(seed);
    return Runtime::builder().multi_thread(workers).seed(seed).build();
  }
  Runtime runtime(trace::Recorder& rec, std::uint64_t seed = 0) const {
    if (!threaded()) return virtual_runtime(rec, seed);
    return Runtime::builder().multi_thread(workers).seed(seed).trace(rec).build();
  }

  // harness.hpp's exploring(seed) on current_thread (the seed reorders the ready queue); on worker
  // threads the threads reorder it, and the seed only fixes the runtime's other choices.
  Runtime exploring(std::uint64_t seed) const {
    if (!threaded()) return asynclab::testing::exploring(seed);
    return Runtime::builder().multi_thread(workers).seed(seed).build();
  }

  // A timer's duration: `d` in virtual time, zero (already due) on real worker threads.
  Duration timer(Duration d) const { return threaded() ? Duration::zero() : d; }
};

inline std::ostream& operator<<(std::ostream& os, const Flavor& f) { return os << f.name(); }

// current_thread (as each test used it before), multi_thread(2), multi_thread(4).
inline Catch::Generators::GeneratorWrapper<Flavor> flavors() {
  return Catch::Generators::values<Flavor>({Flavor{0}, Flavor{2}, Flavor{4}});
}

}  // namespace asynclab::testing

// Runs the rest of the enclosing TEST_CASE once per flavor, `var` naming the flavor; the flavor's
// name is reported with every assertion that fails.
#define ASYNCLAB_EACH_FLAVOR(var)                                              \
  const ::asynclab::testing::Flavor var = GENERATE(::asynclab::testing::flavors()); \
  INFO("runtime flavor: " << var.name())
