// Lesson 11 — timeouts: a request raced against a deadline.
//
// Seed C's `fetch_with_timeout` is a select! between the request and a sleep; whichever finishes
// first decides. When the sleep wins, the request's future is dropped there and then: its timer
// is cancelled, its destructors run, and nothing of it is ever polled again. `how` switches to
// `tokio::time::timeout`, which packages the same race (with `std::expected<T, Elapsed>` as its
// answer). `latency` is how long the slow API takes; `deadline` is how long we are willing to wait.
//
// `part` = interval runs the lesson's last step instead: three tickers of 10 ms, one per
// MissedTickBehavior (Burst, Delay, Skip), while main holds the worker for `busy_ms` from 5 ms on,
// so each misses its ticks and catches up its own way.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/block_for.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

constexpr const char* slow_api = "https://slow-api.example.com";

long long millis(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// `async fn fetch_data(url) -> Result<String, reqwest::Error>`, with a destructor that tells when
// the request was dropped before it answered.
Task<std::expected<std::string, sim::http::HttpError>> fetch_data(std::string url) {
  struct InFlight {
    bool answered = false;
    ~InFlight() {
      if (answered) return;
      say("fetch_data: dropped at {} ms, before the server answered; it is never polled again",
          millis(now().time_since_epoch()));
      mark("request dropped");
    }
  } in_flight;
  auto response = co_await sim::http::get(url);
  in_flight.answered = true;
  if (!response) co_return std::unexpected(response.error());
  co_return response->body;
}

// Seed C's fetch_with_timeout: select! between the request and a sleep.
Task<std::expected<std::string, std::string>> fetch_with_timeout(Duration deadline) {
  auto raced = co_await select(fetch_data(slow_api), sleep(deadline));
  if (raced.index() == 0) {
    auto& result = std::get<0>(raced);
    if (!result) co_return std::unexpected(std::string("request failed"));
    co_return std::move(*result);
  }
  co_return std::unexpected(std::string("request timed out"));
}

// The same with tokio::time::timeout: Ok(value) in time, Err(Elapsed) at the deadline.
Task<std::expected<std::string, std::string>> fetch_with_tokio_timeout(Duration deadline) {
  auto result = co_await timeout(deadline, fetch_data(slow_api));
  if (!result) co_return std::unexpected(std::string("request timed out"));
  if (!*result) co_return std::unexpected(std::string("request failed"));
  co_return std::move(**result);
}

Task<void> call_slow_api(Duration deadline, bool use_timeout) {
  say("main: asking the slow API, giving it {} ms", millis(deadline));
  std::expected<std::string, std::string> result;
  if (use_timeout) {
    result = co_await fetch_with_tokio_timeout(deadline);
  } else {
    result = co_await fetch_with_timeout(deadline);
  }
  if (result) {
    say("main: got {} bytes", result->size());
    mark("value returned");
  } else {
    say("main: Err(\"{}\")", result.error());
    mark(result.error() == "request timed out" ? "timed out" : "request failed");
  }
}

// A 10 ms interval with `behavior`: its first five ticks, each with the instant it was scheduled for.
Task<void> ticker(MissedTickBehavior behavior, std::string name) {
  auto ticks = interval(std::chrono::milliseconds(10));
  ticks.set_missed_tick_behavior(behavior);
  for (int i = 0; i < 5; ++i) {
    const Instant scheduled = co_await ticks.tick();
    say("{}: the {} ms tick, at {} ms", name, millis(scheduled.time_since_epoch()), millis(now().time_since_epoch()));
  }
}

Task<void> three_tickers(Duration busy) {
  auto burst = spawn(ticker(MissedTickBehavior::Burst, "burst"), "burst");
  auto delay = spawn(ticker(MissedTickBehavior::Delay, "delay"), "delay");
  auto skip = spawn(ticker(MissedTickBehavior::Skip, "skip"), "skip");
  co_await sleep(std::chrono::milliseconds(5));
  say("main: busy for {} ms without an await, holding the worker", millis(busy));
  sim::block_for(busy);
  mark("worker free again");
  (void)co_await burst;
  (void)co_await delay;
  (void)co_await skip;
  mark("tickers done");
}

}  // namespace

void scenario_11_timeout(ScenarioRun& run) {
  const auto& p = run.params();
  if (p.choice("part") == "interval") {
    run.block_on(three_tickers(p.millis("busy")));
    return;
  }
  sim::Network net;
  net.url(slow_api).latency(p.millis("latency")).body_size(2048);
  run.block_on(run.builder().network(net),
               call_slow_api(p.millis("deadline"), p.choice("how") == "timeout"));
}

}  // namespace asynclab::lessons
