// Reference solution of exercise 13: a bounded queue between the producer and the fetcher, and a
// sliding-window limiter that remembers when the last `requests` requests began.
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

  // With `requests` starts remembered, the oldest of them must leave the window before one more may
  // begin: then no stretch of `window` ever holds more than `requests` starts.
  Task<void> acquire() {
    if (begun_.size() == limit_.requests) {
      co_await sleep_until(begun_.front() + limit_.window);
      begun_.pop_front();
    }
    begun_.push_back(now());
  }

 private:
  RateLimit limit_;
  std::deque<Instant> begun_;  // when the last (up to) `requests` requests began, oldest first
};

Task<void> discover(std::vector<std::string> urls, sync::mpsc::Sender<std::string> queue) {
  for (auto& url : urls) {
    auto sent = co_await queue.send(std::move(url));  // waits while the queue is full: backpressure
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
