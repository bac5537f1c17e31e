// Exercise 06 — with_timeout via select. Read README.md first; `asynclab grade 06` checks your work
// and `asynclab hint 06` gives a hint.
#include <optional>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

// Seed C's `async fn with_timeout<T>(future: impl Future<Output = T>, secs: u64) -> Option<T>`:
// the future's value if it finishes within `limit`, nothing if the deadline comes first.
template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit) {
  // TODO: race the future against sleep(limit) with select, so that the deadline ends the wait
  // (and drops the future) instead of being checked once the future is done anyway.
  const Instant start = now();
  T value = co_await future;
  if (now() - start > limit) co_return std::nullopt;
  co_return value;
}

// The grader calls with_timeout on a Task<std::string>: this line compiles that version here.
template Task<std::optional<std::string>> with_timeout(Task<std::string> future, Duration limit);
