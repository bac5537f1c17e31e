// Exercise 13 — backpressure and a rate limit. Read README.md first; `asynclab grade 13` checks your
// work and `asynclab hint 13` gives a hint. crawler.hpp (don't edit it) defines RateLimit.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "crawler.hpp"

using namespace asynclab;
using namespace crawler;

// Lets at most `limit.requests` requests begin in any stretch of `limit.window`.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  // Waits until one more request may begin without breaking the limit, and counts it as begun.
  Task<void> acquire() {
    // TODO: wait while `limit_.requests` requests have already begun within the last `limit_.window`.
    co_return;
  }

 private:
  RateLimit limit_;
};

// The producer: hands every URL to the fetcher through the queue, in order.
Task<void> discover(std::vector<std::string> urls, sync::mpsc::UnboundedSender<std::string> queue) {
  for (auto& url : urls)
    if (!queue.send(std::move(url))) co_return;  // the fetcher is gone
}

// The crawler: a producer task feeds the URLs into a queue that holds at most `queue_capacity` of
// them; this task, the fetcher, takes them from the queue one by one and fetches each page, never
// beginning more than `limit.requests` requests in any `limit.window`. Returns the pages fetched.
Task<std::size_t> crawl(std::vector<std::string> urls, RateLimit limit, std::size_t queue_capacity) {
  // TODO: a queue the producer has to wait on when it is full (and RateLimiter::acquire above).
  (void)queue_capacity;
  RateLimiter limiter(limit);
  auto [queue_tx, queue_rx] = sync::mpsc::unbounded_channel<std::string>("urls");
  (void)spawn(discover(std::move(urls), std::move(queue_tx)), "discoverer");
  std::size_t fetched = 0;
  while (auto url = co_await queue_rx.recv()) {
    co_await limiter.acquire();
    auto page = co_await sim::http::get(*url);
    if (page) ++fetched;
  }
  co_return fetched;
}
