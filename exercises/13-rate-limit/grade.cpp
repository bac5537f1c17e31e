// Grader of exercise 13 (backpressure and a rate limit). Each TEST_CASE is one graded point, tagged
// [task_N]. Twenty pages, an API answering in 5 ms, a queue of 4 URLs, and a limit of 3, 4 or 5
// requests per 120 ms depending on the seed. Every run explores schedules.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crawler.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::size_t> crawl(std::vector<std::string> urls, crawler::RateLimit limit, std::size_t queue_capacity);

namespace {

using crawler::RateLimit;
using grading::GradedRun;

constexpr std::size_t pages = 20;
constexpr std::size_t queue_capacity = 4;
constexpr Duration latency = 5ms;
constexpr Duration window = 120ms;

RateLimit limit_for(std::uint64_t seed) { return RateLimit{3 + seed % 3, window}; }

std::vector<std::string> urls() {
  std::vector<std::string> out;
  for (std::size_t i = 1; i <= pages; ++i) out.push_back(fmt::format("https://api.example/page/{}", i));
  return out;
}

struct CrawlRun {
  GradedRun run;
  std::size_t fetched = 0;
  RateLimit limit;
  std::vector<Duration> starts;  // when each request began, in order
};

// `first_page`: how long the first page takes to answer. A slow one leaves the limiter idle for most
// of a window before the rest come in a rush — where a fixed-window counter lets twice the limit
// through (the end of one window, the start of the next).
CrawlRun run(std::uint64_t seed, Duration first_page = latency) {
  CrawlRun r;
  r.limit = limit_for(seed);
  r.run = grading::run_graded(
      "13-rate-limit", seed, [limit = r.limit] { return crawl(urls(), limit, queue_capacity); },
      [first_page](Runtime::Builder& b) {
        sim::Network net;
        net.host("api.example").latency(latency).body_size(2048);
        net.url(urls().front()).latency(first_page).body_size(2048);
        b.network(net).explore_schedules();
      },
      [&](std::size_t fetched) { r.fetched = fetched; });
  grading::require_finished(r.run);
  for (const auto& e : r.run.query().events(trace::EventKind::request_begin))
    r.starts.push_back(trace::TraceQuery::time(e));
  return r;
}

// What the trace says about one mpsc channel: bounded or not, its capacity.
struct Queue {
  std::string name;
  bool bounded = true;
  std::uint64_t capacity = 0;
  std::uint32_t peak = 0;  // URLs in it at once, at most
  Duration peak_at{};
};

std::map<std::uint32_t, Queue> queues(const trace::Trace& t) {
  std::map<std::uint32_t, Queue> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto e = t[i];
    if (e.kind == trace::EventKind::resource_created) {
      const auto kind = static_cast<trace::ResourceKind>(e.flags);
      if (kind == trace::ResourceKind::mpsc || kind == trace::ResourceKind::unbounded_mpsc)
        out[e.a] = Queue{std::string(t.string(e.b)), kind == trace::ResourceKind::mpsc, 0, 0, {}};
    } else if (e.kind == trace::EventKind::resource_limits && out.contains(e.a)) {
      out[e.a].capacity = e.b;
    } else if (e.kind == trace::EventKind::channel_send && out.contains(e.a) && e.b > out[e.a].peak) {
      out[e.a].peak = e.b;
      out[e.a].peak_at = trace::TraceQuery::time(e);
    }
  }
  return out;
}

std::string times(const std::vector<Duration>& ts, std::size_t from, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < from + count; ++i) out.push_back(GradedRun::at(ts[i]));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

TEST_CASE("never more than the limit's requests begin in any window", "[ex13][task_1]") {
  constexpr Duration slow_first_page = 100ms;
  for (auto seed : grading::seeds) {
    for (const Duration first_page : {latency, slow_first_page}) {
      auto r = run(seed, first_page);
      const auto n = r.limit.requests;
      const std::string when = first_page == latency
                                   ? ""
                                   : fmt::format(" after a quiet spell (the first page took {} to answer)",
                                                 GradedRun::at(first_page));
      for (std::size_t i = 0; i + n < r.starts.size(); ++i) {
        if (r.starts[i + n] - r.starts[i] >= window) continue;
        grading::fail(
            fmt::format("seed {}{}: {} requests began within {} — at {} — inside one {} window", seed, when, n + 1,
                        GradedRun::at(r.starts[i + n] - r.starts[i]), times(r.starts, i, n + 1),
                        GradedRun::at(window)),
            fmt::format("at most {} requests begin in any {} (from any instant t up to, not including, "
                        "t + {})",
                        n, GradedRun::at(window), GradedRun::at(window)),
            "exercise.cpp: RateLimiter::acquire — when `requests` requests have begun within the last "
            "window, wait until the oldest of them is a whole window old");
      }
    }
  }
}

TEST_CASE("the limit is used, not undershot: every page fetched within ⌈pages / limit⌉ windows",
          "[ex13][task_2]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    const auto n = r.limit.requests;
    if (r.fetched != pages || r.starts.size() != pages)
      grading::fail(fmt::format("seed {}: crawl returned {} pages fetched, after {} requests", seed,
                                r.fetched, r.starts.size()),
                    fmt::format("all {} pages fetched, one request each", pages),
                    "exercise.cpp: does every URL the producer sends get fetched?");
    const std::size_t windows = (pages + n - 1) / n;
    const Duration deadline = static_cast<Duration::rep>(windows) * window + latency;
    if (r.run.end() > deadline)
      grading::fail(
          fmt::format("seed {}: the crawl took {}; the requests began at {} ... {}", seed,
                      GradedRun::at(r.run.end()), times(r.starts, 0, std::min<std::size_t>(n + 1, pages)),
                      GradedRun::at(r.starts.back())),
          fmt::format("at {} requests per {}, {} pages need no more than {} windows: done by {}", n,
                      GradedRun::at(window), pages, windows, GradedRun::at(deadline)),
          "exercise.cpp: RateLimiter::acquire — wait only while the window is full, and only until "
          "the oldest start in it leaves the window");
  }
}

TEST_CASE("the producer waits when the queue is full: URLs never pile up beyond it", "[ex13][task_3]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    const auto n = r.limit.requests;
    const auto qs = queues(r.run.trace);
    if (qs.empty())
      grading::fail(fmt::format("seed {}: the run created no mpsc channel", seed),
                    "the producer hands the URLs to the fetcher through a queue: an mpsc channel",
                    "exercise.cpp: sync::mpsc::channel<std::string>(queue_capacity, \"urls\")");
    for (const auto& [id, q] : qs) {
      if (!q.bounded)
        grading::fail(
            fmt::format("seed {}: the queue \"{}\" is unbounded: the producer never waited, and up to {} "
                        "URLs sat in it at once (at {})",
                        seed, q.name, q.peak, GradedRun::at(q.peak_at)),
            fmt::format("a bounded queue, mpsc::channel<std::string>({}): the producer's send waits "
                        "while it is full",
                        queue_capacity),
            "exercise.cpp: unbounded_channel lets the producer run ahead without limit");
      if (q.capacity > queue_capacity)
        grading::fail(fmt::format("seed {}: the queue \"{}\" has room for {}", seed, q.name, q.capacity),
                      fmt::format("room for {} URLs (the queue_capacity crawl was given)", queue_capacity),
                      "exercise.cpp: the capacity you create the queue with");
    }
    // URLs handed over by the producer and not requested yet, at every moment.
    std::size_t handed = 0, begun = 0, peak = 0, begun_at_peak = 0;
    Duration peak_at{};
    const auto& t = r.run.trace;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const auto e = t[i];
      if (e.kind == trace::EventKind::channel_send && qs.contains(e.a) &&
          e.flags == static_cast<std::uint16_t>(trace::SendResult::sent))
        ++handed;
      if (e.kind == trace::EventKind::request_begin) ++begun;
      if (handed > begun && handed - begun > peak) {
        peak = handed - begun;
        begun_at_peak = begun;
        peak_at = trace::TraceQuery::time(e);
      }
    }
    if (peak > queue_capacity + n)
      grading::fail(
          fmt::format("seed {}: at {}, {} URLs had been handed over by the producer and not requested "
                      "yet ({} began so far): the queue holds {}, so {} were piled up somewhere else",
                      seed, GradedRun::at(peak_at), peak, begun_at_peak, queue_capacity,
                      peak - queue_capacity),
          fmt::format("at most {} URLs in the queue, and no more than {} (a window's worth) taken out of "
                      "it ahead of their requests: the producer waits instead",
                      queue_capacity, n),
          "exercise.cpp: the fetcher takes the next URL only when it is about to fetch it — a local "
          "list of URLs taken early is an unbounded queue again");
  }
}
