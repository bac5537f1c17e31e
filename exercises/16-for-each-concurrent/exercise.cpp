// Exercise 16 — async closures: for_each_concurrent. Read README.md first; `asynclab grade 16`
// checks your work and `asynclab hint 16` gives a hint.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

// Calls `f` once per item — never more than `limit` calls in flight at once — and gathers the
// results: results[i] is what f(items[i]) gave.
Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items,
                                                   [[maybe_unused]] std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f) {
  // TODO: have up to `limit` calls in flight at once (and never more), refilling a free slot as
  // soon as a call finishes; keep the results in the items' order.
  std::vector<std::size_t> results;
  for (const auto& item : items) {
    auto result = co_await f(item);  // the seed's `for url in &urls { fetch(url).await? }`
    results.push_back(result);
  }
  co_return results;
}
