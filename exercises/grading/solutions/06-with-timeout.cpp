// Reference solution of exercise 06 (with_timeout: a deadline for the whole errand).
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  // One deadline, fixed when the errand starts: every page races the same instant, so a page that
  // starts late gets only what is left of the budget (a `sleep(budget)` per page would give each
  // the whole of it).
  const Instant deadline = now() + budget;
  std::vector<std::string> bodies;
  for (const std::string& url : urls) {
    auto raced = co_await select(sim::http::get(url), sleep_until(deadline));
    // The timer won: select has already dropped the request (cancelled at the deadline), and no
    // later page is asked for.
    if (raced.index() == 1) break;
    auto& page = std::get<0>(raced);
    bodies.push_back(page ? std::move(page->body) : std::string());
  }
  co_return bodies;
}
