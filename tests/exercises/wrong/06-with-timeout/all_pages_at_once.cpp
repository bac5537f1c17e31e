// expect-verdict: failed
// expect-message: page 2's request began at 0 ms while page 1's was still on its way
// Known wrong: spawns every page at once and races each handle against the one deadline. The
// deadline is right, but the site allows one request at a time.
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  const Instant deadline = now() + budget;
  std::vector<JoinHandle<std::expected<sim::http::Response, sim::http::HttpError>>> pages;
  for (const std::string& url : urls) pages.push_back(spawn(sim::http::get(url)));
  std::vector<std::string> bodies;
  for (auto& handle : pages) {
    auto raced = co_await select(std::move(handle), sleep_until(deadline));
    if (raced.index() == 1) break;
    auto& page = std::get<0>(raced);
    bodies.push_back(page && *page ? std::move((*page)->body) : std::string());
  }
  for (auto& handle : pages) handle.abort();
  co_return bodies;
}
