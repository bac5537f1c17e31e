// expect-verdict: failed
// expect-message: page 3's request ran on past the deadline and finished at 450 ms
// Known wrong: one deadline, one page at a time, but each page is spawned and its JoinHandle raced:
// when the deadline wins, the handle is dropped, which only detaches the task, and the request in
// flight runs on to the end.
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget) {
  const Instant deadline = now() + budget;
  std::vector<std::string> bodies;
  for (const std::string& url : urls) {
    auto raced = co_await select(spawn(sim::http::get(url)), sleep_until(deadline));
    if (raced.index() == 1) break;
    auto& page = std::get<0>(raced);
    bodies.push_back(page && *page ? std::move((*page)->body) : std::string());
  }
  co_return bodies;
}
