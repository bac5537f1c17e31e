#pragma once
// The runtime's clock — `tokio::time::Instant` — virtual or real, chosen when the runtime is built.
//
// Rules:
// * `now()` reads the clock of the runtime running on this thread: nanoseconds since it started.
//   In virtual time it only moves when every task is idle (straight to the next timer) or when a
//   task simulates blocking work (sim::block_for), so it tells "how long would this take" without
//   waiting for it.
// * Outside a runtime there is no clock: now() throws std::logic_error.
#include <chrono>

namespace asynclab {

using Duration = std::chrono::nanoseconds;

struct Clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock, duration>;
  static constexpr bool is_steady = true;
  static time_point now();
};

using Instant = Clock::time_point;

inline Instant now() { return Clock::now(); }

}  // namespace asynclab
