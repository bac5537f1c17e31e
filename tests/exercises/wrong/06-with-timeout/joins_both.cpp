// expect-verdict: failed
// expect-message: the response came at 100 ms, and with_timeout returned it at 300 ms
// Known wrong: join instead of select — both the future and the sleep are awaited, so every call
// takes at least the whole deadline, and a slow future is waited for to the end.
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit) {
  const Instant deadline = now() + limit;
  auto [value, slept] = co_await join(std::move(future), sleep(limit));
  if (now() > deadline) co_return std::nullopt;
  co_return std::move(value);
}

template Task<std::optional<std::string>> with_timeout(Task<std::string> future, Duration limit);
