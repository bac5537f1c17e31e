// Exercise 06 — with_timeout: a deadline for the whole errand. Read README.md first;
// `asynclab grade 06` checks your work and `asynclab hint 06` gives a hint.
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

// Fetches `urls` one after another, in order, until all are in or `budget` (counted from this call)
// has run out; returns the bodies that arrived in time, in order (a failed fetch: an empty body).
Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  // TODO: the clock is looked at only after each page has arrived, so the page in flight when the
  // budget runs out is waited for anyway. Race each page against the deadline of the whole errand.
  const Instant start = now();
  std::vector<std::string> bodies;
  for (const std::string& url : urls) {
    if (now() - start >= budget) break;
    auto page = co_await sim::http::get(url);
    bodies.push_back(page ? page->body : std::string());
  }
  co_return bodies;
}
