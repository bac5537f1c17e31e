// Reference solution of exercise 16: each call's future spawned into a JoinSet, numbered with its
// item's index; the set never holds more than `limit` tasks and is refilled as each one finishes.
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

using Numbered = std::pair<std::size_t, std::size_t>;  // (index of the item, result of its call)

Task<Numbered> numbered(std::size_t index, Task<std::size_t> call) {
  const std::size_t result = co_await call;
  co_return Numbered{index, result};
}

void file(std::expected<Numbered, JoinError> done, std::vector<std::size_t>& results) {
  if (!done) done.error().resume_panic();  // a call that panicked: pass the panic on, as Rust would
  results[done->first] = done->second;
}

}  // namespace

Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items, std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f) {
  std::vector<std::size_t> results(items.size());
  JoinSet<Numbered> running;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (running.len() >= limit) {
      auto done = co_await running.join_next();  // a free slot: one call has finished
      file(std::move(*done), results);
    }
    running.spawn(numbered(i, f(items[i])), items[i]);
  }
  while (auto done = co_await running.join_next()) file(std::move(*done), results);
  co_return results;
}
