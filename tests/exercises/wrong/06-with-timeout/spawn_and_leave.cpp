// expect-verdict: failed
// expect-message: but the inner future was not dropped: it was polled again at 500 ms and ran to the end
// Known wrong: the future spawned as a task and its JoinHandle raced against the deadline. The
// answer is right and on time, but dropping a JoinHandle detaches the task: the request goes on.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit) {
  auto handle = spawn(std::move(future), "inner");
  auto raced = co_await select(std::move(handle), sleep(limit));
  if (raced.index() == 1) co_return std::nullopt;
  auto& joined = std::get<0>(raced);
  if (!joined) co_return std::nullopt;
  co_return std::move(*joined);
}

template Task<std::optional<std::string>> with_timeout(Task<std::string> future, Duration limit);
