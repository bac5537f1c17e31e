// See wait_for.hpp.
#include "model/wait_for.hpp"

#include <algorithm>

namespace asynclab::vis {

std::vector<WaitForEdge> wait_for_cycle(const TraceIndex& index) {
  const std::vector<StuckRecord>& stuck = index.stuck();
  auto start = std::ranges::find_if(stuck, [](const StuckRecord& st) { return st.on_cycle && st.resource && st.holder; });
  std::vector<WaitForEdge> cycle;
  if (start == stuck.end()) return cycle;
  std::uint32_t task = start->task;
  while (cycle.size() <= stuck.size()) {
    auto edge = std::ranges::find_if(stuck, [&](const StuckRecord& st) { return st.task == task && st.resource; });
    if (edge == stuck.end() || edge->holder == 0) return {};  // the chain breaks: no cycle to draw
    cycle.push_back(WaitForEdge{task, edge->resource});
    task = edge->holder;
    if (task == start->task) return cycle;
    // A chain that runs into a loop not through the start: keep only that loop.
    if (auto seen = std::ranges::find(cycle, task, &WaitForEdge::task); seen != cycle.end()) {
      cycle.erase(cycle.begin(), seen);
      return cycle;
    }
  }
  return {};
}

}  // namespace asynclab::vis
