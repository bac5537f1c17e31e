// expect-verdict: failed
// expect-message: 5 requests began within 20 ms
// Known wrong: the sliding-window limiter with an off-by-one — it waits only once MORE than
// `requests` starts are remembered, so one request too many slips into every window.
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
    if (begun_.size() > limit_.requests) {
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
  std::size_t fetched = 0;
  while (auto url = co_await queue_rx.recv()) {
    co_await limiter.acquire();
    auto page = co_await sim::http::get(*url);
    if (page) ++fetched;
  }
  co_return fetched;
}
