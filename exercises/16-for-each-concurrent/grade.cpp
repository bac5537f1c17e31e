// Grader of exercise 16 (async closures: for_each_concurrent). Each TEST_CASE is one graded point,
// tagged [task_N].
//
// The closure handed to for_each_concurrent is the grader's: it counts its calls (captured by
// reference, as the seed's async closure captures `client`) and returns a future that fetches the
// item's URL and answers the body's size. The requests in the trace say when each call's future ran.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::vector<std::size_t>> for_each_concurrent(std::vector<std::string> items, std::size_t limit,
                                                   std::function<Task<std::size_t>(std::string)> f);

namespace {

constexpr int item_count = 8;
// Two limits, so a limit written into the code as a number does not pass by luck.
constexpr std::size_t limits[] = {2, 3};

const std::string site = "https://files.example/";

std::string item_url(int i) { return fmt::format("{}item/{}", site, i); }
std::string short_name(std::string_view url) {
  return std::string(url.starts_with(site) ? url.substr(site.size()) : url);
}
// 90 to 300 ms, in an order unlike the items' own, so calls finish in another order than they start.
Duration item_latency(int i) { return std::chrono::milliseconds(60 + (i * 5 % 9) * 30); }
std::size_t item_size(int i) { return 100 * static_cast<std::size_t>(i) + 7; }

std::vector<std::string> all_items() {
  std::vector<std::string> items;
  for (int i = 1; i <= item_count; ++i) items.push_back(item_url(i));
  return items;
}

std::function<void(Runtime::Builder&)> world() {
  return [](Runtime::Builder& builder) {
    sim::Network net;
    for (int i = 1; i <= item_count; ++i)
      net.url(item_url(i)).latency(item_latency(i)).body_size(item_size(i));
    builder.network(net).explore_schedules();
  };
}

Task<std::size_t> body_size_of(std::string url) {
  auto response = co_await sim::http::get(url);
  co_return response ? response->body.size() : 0;
}

struct Outcome {
  std::vector<std::size_t> results;
  std::map<std::string, int> calls;  // url -> how many times the closure was called with it
};

Task<Outcome> gather(std::size_t limit) {
  Outcome out;
  // `async |url| client.get(url).send().await?.text().await.len()`, counting its calls.
  std::function<Task<std::size_t>(std::string)> fetch_size = [&out](std::string url) {
    ++out.calls[url];
    return body_size_of(std::move(url));
  };
  auto all = for_each_concurrent(all_items(), limit, std::move(fetch_size));
  out.results = co_await all;
  co_return out;
}

struct Ran {
  grading::GradedRun run;
  Outcome outcome;
};

Ran run_with(std::uint64_t seed, std::size_t limit) {
  Outcome outcome;
  auto run = grading::run_graded(
      "16-for-each-concurrent", seed, [limit] { return gather(limit); }, world(),
      [&](Outcome o) { outcome = std::move(o); });
  grading::require_finished(run);
  return {std::move(run), std::move(outcome)};
}

// When the calls are done if a freed slot is refilled at once, the items taken in order.
std::chrono::nanoseconds refilled_at_once(std::size_t limit) {
  std::priority_queue<Duration, std::vector<Duration>, std::greater<>> free_at;
  for (std::size_t i = 0; i < limit; ++i) free_at.push(Duration(0));
  Duration end(0);
  for (int i = 1; i <= item_count; ++i) {
    const Duration start = free_at.top();
    free_at.pop();
    free_at.push(start + item_latency(i));
    end = std::max(end, start + item_latency(i));
  }
  return end;
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// "item-3, item-7": URLs as the failure messages name them.
std::string short_names(const std::vector<std::string>& urls) {
  std::vector<std::string> names;
  for (const auto& url : urls) names.push_back(short_name(url));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

TEST_CASE("f is called once per item, and each call's future is run", "[ex16][task_1]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, outcome] = run_with(seed, limit);
      std::map<std::string, int> requests;
      for (const auto& e : run.query().events(trace::EventKind::request_begin))
        ++requests[std::string(run.trace.string(e.b))];
      std::vector<std::string> wrong_calls, not_run;
      for (int i = 1; i <= item_count; ++i) {
        const auto url = item_url(i);
        if (outcome.calls[url] != 1)
          wrong_calls.push_back(fmt::format("{} ({} times)", short_name(url), outcome.calls[url]));
        if (outcome.calls[url] >= 1 && requests[url] == 0) not_run.push_back(short_name(url));
      }
      if (!wrong_calls.empty())
        grading::fail(fmt::format("seed {}, limit {}: f was not called once per item: {}", seed, limit,
                                  joined(wrong_calls)),
                      fmt::format("f called exactly once with each of the {} items", item_count),
                      "exercise.cpp: where you call f(item)");
      if (!not_run.empty())
        grading::fail(
            fmt::format("seed {}, limit {}: f was called for {}, but the future it returned never ran "
                        "(no request was made)",
                        seed, limit, joined(not_run)),
            "every future f returns awaited or spawned: futures are lazy, a call alone does nothing",
            "exercise.cpp: what you do with the Task that f(item) returns");
    }
  }
}

TEST_CASE("never more than `limit` calls are in flight at once", "[ex16][task_2]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, outcome] = run_with(seed, limit);
      const auto b = grading::requests_in_flight(run.trace);
      if (b.peak > limit)
        grading::fail(fmt::format("seed {}, limit {}: at {}, {} calls were in flight at once: {}", seed,
                                  limit, grading::GradedRun::at(b.first_peak_at), b.peak, short_names(b.urls_at_peak)),
                      fmt::format("never more than {} calls in flight", limit),
                      "exercise.cpp: before starting the next call, wait while `limit` of them are running");
    }
  }
}

TEST_CASE("the limit is used: `limit` calls in flight, and a freed slot is refilled at once",
          "[ex16][task_3]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, outcome] = run_with(seed, limit);
      const auto b = grading::requests_in_flight(run.trace);
      if (b.peak < limit)
        grading::fail(
            fmt::format("seed {}, limit {}: never more than {} call{} in flight at once (first at {}: {})",
                        seed, limit, b.peak, b.peak == 1 ? "" : "s", grading::GradedRun::at(b.first_peak_at),
                        short_names(b.urls_at_peak)),
            fmt::format("{} calls in flight at once: one at a time is the seed's plain `for` loop, "
                        "whatever the limit says",
                        limit),
            "exercise.cpp: a co_await on each call before the next one starts makes them sequential — "
            "start up to `limit` of them (spawn them into a JoinSet) before waiting for one");
      const auto ideal = refilled_at_once(limit);
      if (run.end() > ideal)
        grading::fail(
            fmt::format("seed {}, limit {}: the last call was done at {}, although {} calls were in "
                        "flight at the busiest moment",
                        seed, limit, grading::GradedRun::at(run.end()), b.peak),
            fmt::format("done at {}: each time a call finishes, the next item's call starts at once",
                        grading::GradedRun::at(ideal)),
            "exercise.cpp: wait for *one* call to finish before starting the next, not for the whole "
            "batch of `limit` calls");
    }
  }
}

TEST_CASE("the results are gathered: one per item, in the items' order", "[ex16][task_4]") {
  std::vector<std::size_t> expected;
  for (int i = 1; i <= item_count; ++i) expected.push_back(item_size(i));
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, outcome] = run_with(seed, limit);
      if (outcome.results != expected)
        grading::fail(
            fmt::format("seed {}, limit {}: for_each_concurrent returned [{}]", seed, limit,
                        fmt::join(outcome.results, ", ")),
            fmt::format("[{}]: result i is f(items[i])'s, whatever order the calls finished in",
                        fmt::join(expected, ", ")),
            "exercise.cpp: where each result is put — calls finish in another order than they start "
            "(join_next hands them back as they finish), so keep each item's index with its call");
    }
  }
}
