// expect-verdict: failed
// expect-message: the crawl took 700 ms
// Known wrong: never too many, but never enough either — the limiter sleeps a whole window's share
// after every request instead of only when the window is full, and the fetch time comes on top.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "crawler.hpp"

using namespace asynclab;
using namespace crawler;

Task<void> discover(std::vector<std::string> urls, sync::mpsc::Sender<std::string> queue) {
  for (auto& url : urls) {
    auto sent = co_await queue.send(std::move(url));
    if (!sent) co_return;
  }
}

Task<std::size_t> crawl(std::vector<std::string> urls, RateLimit limit, std::size_t queue_capacity) {
  auto [queue_tx, queue_rx] = sync::mpsc::channel<std::string>(queue_capacity, "urls");
  (void)spawn(discover(std::move(urls), std::move(queue_tx)), "discoverer");
  const auto pause = limit.window / static_cast<Duration::rep>(limit.requests);
  std::size_t fetched = 0;
  while (auto url = co_await queue_rx.recv()) {
    auto page = co_await sim::http::get(*url);
    if (page) ++fetched;
    co_await sleep(pause);
  }
  co_return fetched;
}
