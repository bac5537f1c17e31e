// expect-verdict: failed
// expect-message: fetch_within returned bodies of 100, 200, 300, 400 bytes at 600 ms
// Known wrong: lesson 11's race, one per page: each page races its own sleep(budget), so every page
// gets the whole budget and four pages of 150 ms all arrive, at 600 ms, against a 400 ms budget.
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  std::vector<std::string> bodies;
  for (const std::string& url : urls) {
    auto raced = co_await select(sim::http::get(url), sleep(budget));
    if (raced.index() == 1) break;
    auto& page = std::get<0>(raced);
    bodies.push_back(page ? std::move(page->body) : std::string());
  }
  co_return bodies;
}
