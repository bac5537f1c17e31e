// expect-verdict: failed
// expect-message: limit 2: at 0 ms, 8 calls were in flight at once
// Known wrong: every call spawned at once; the results are put in order, but `limit` is ignored.
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

using Numbered = std::pair<std::size_t, std::size_t>;

Task<Numbered> numbered(std::size_t index, Task<std::size_t> call) {
  const std::size_t result = co_await call;
  co_return Numbered{index, result};
}

}  // namespace

Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items,
                                                   [[maybe_unused]] std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f) {
  std::vector<std::size_t> results(items.size());
  JoinSet<Numbered> running;
  for (std::size_t i = 0; i < items.size(); ++i) running.spawn(numbered(i, f(items[i])), items[i]);
  while (auto done = co_await running.join_next()) results[(*done)->first] = (*done)->second;
  co_return results;
}
