// expect-verdict: failed
// expect-message: limit 2: never more than 1 call in flight at once
// Known wrong: each call spawned into a JoinSet — and its result awaited before the next is
// spawned. A limit of 1 in effect, whatever `limit` says.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items,
                                                   [[maybe_unused]] std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f) {
  std::vector<std::size_t> results;
  JoinSet<std::size_t> running;
  for (const auto& item : items) {
    running.spawn(f(item), item);
    auto done = co_await running.join_next();
    results.push_back(**done);
  }
  co_return results;
}
