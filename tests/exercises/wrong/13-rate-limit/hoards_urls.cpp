// expect-verdict: failed
// expect-message: were piled up somewhere else
// Known wrong: the queue is bounded and the limiter right, but the fetcher empties the queue into a
// local backlog whenever it can. The producer never stays blocked: its URLs just moved from the
// bounded channel into an unbounded std::deque.
#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "crawler.hpp"

using namespace asynclab;
using namespace crawler;

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit) : limit_(limit) {}
  Task<void> acquire() {
    if (begun_.size() == limit_.requests) {
      co_await sleep_until(begun_.front() + limit_.window);
      begun_.pop_front();
    }
    begun_.push_back(now());
  }

 private:
  RateLimit limit_;
  std::deque<Instant> begun_;
};

Task<void> discover(std::vector<std::string> urls, sync::mpsc::Sender<std::string> queue) {
  for (auto& url : urls) {
    auto sent = co_await queue.send(std::move(url));
    if (!sent) co_return;
  }
}

Task<std::size_t> crawl(std::vector<std::string> urls, RateLimit limit, std::size_t queue_capacity) {
  RateLimiter limiter(limit);
  auto [queue_tx, queue_rx] = sync::mpsc::channel<std::string>(queue_capacity, "urls");
  (void)spawn(discover(std::move(urls), std::move(queue_tx)), "discoverer");
  std::deque<std::string> backlog;
  std::size_t fetched = 0;
  for (;;) {
    while (auto more = queue_rx.try_recv()) backlog.push_back(std::move(*more));  // grab all there is
    if (backlog.empty()) {
      auto url = co_await queue_rx.recv();
      if (!url) break;
      backlog.push_back(std::move(*url));
    }
    auto url = std::move(backlog.front());
    backlog.pop_front();
    co_await limiter.acquire();
    auto page = co_await sim::http::get(url);
    if (page) ++fetched;
  }
  co_return fetched;
}
