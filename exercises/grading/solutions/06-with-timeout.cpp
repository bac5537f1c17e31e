// Reference solution of exercise 06: the future raced against a sleep with select; at the deadline
// select drops the losing future before with_timeout returns.
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit) {
  auto raced = co_await select(std::move(future), sleep(limit));
  if (raced.index() == 1) co_return std::nullopt;
  co_return std::move(std::get<0>(raced));
}

template Task<std::optional<std::string>> with_timeout(Task<std::string> future, Duration limit);
