// expect-verdict: failed
// expect-message: limit 2: for_each_concurrent returned [
// Known wrong: the limit is right, but the results are kept in the order the calls finished, which
// is not the items' order.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items, std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f) {
  std::vector<std::size_t> results;
  JoinSet<std::size_t> running;
  for (const auto& item : items) {
    if (running.len() >= limit) {
      auto done = co_await running.join_next();
      results.push_back(**done);
    }
    running.spawn(f(item), item);
  }
  while (auto done = co_await running.join_next()) results.push_back(**done);
  co_return results;
}
