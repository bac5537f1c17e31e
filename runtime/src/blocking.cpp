// sim::block_for: blocking the worker, a blocking lane, or the thread. See sim/block_for.hpp.
#include <thread>

#include "asynclab/blocking.hpp"
#include "asynclab/sim/block_for.hpp"

namespace asynclab::sim {

void block_for(Duration d) {
  if (d.count() <= 0) return;
  if (auto* lane = detail::current_blocking_lane) {
    if (lane->virtual_time)
      lane->charged_ns += static_cast<std::uint64_t>(d.count());
    else
      std::this_thread::sleep_for(d);
    return;
  }
  auto* s = detail::Scheduler::current();
  if (!s) {
    std::this_thread::sleep_for(d);
    return;
  }
  s->block_worker_for(static_cast<std::uint64_t>(d.count()));
}

}  // namespace asynclab::sim
