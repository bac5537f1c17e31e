// expect-verdict: failed
// expect-message: was asked for at 400 ms, after the budget ran out at 400 ms
// Known wrong: races each page against the one deadline, but goes on to the next page after the
// deadline has won instead of stopping: every later page is asked for and dropped at once.
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  const Instant deadline = now() + budget;
  std::vector<std::string> bodies;
  for (const std::string& url : urls) {
    auto raced = co_await select(sim::http::get(url), sleep_until(deadline));
    if (raced.index() == 1) continue;
    auto& page = std::get<0>(raced);
    bodies.push_back(page ? std::move(page->body) : std::string());
  }
  co_return bodies;
}
