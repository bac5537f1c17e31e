// Exercise 04 — join three fetches. Read README.md first; `asynclab grade 04` checks your work and
// `asynclab hint 04` gives a hint.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

// Fetches the three URLs and returns the total number of body bytes, or the first error.
Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  // TODO: start all three requests at once (join), and return an error instead of throwing.
  auto first = co_await sim::http::get(a);
  auto second = co_await sim::http::get(b);
  auto third = co_await sim::http::get(c);
  co_return first.value().body.size() + second.value().body.size() + third.value().body.size();
}
