// Lesson 11 — timeouts: a request raced against a deadline.
//
// Seed C's `fetch_with_timeout` is a select! between the request and a sleep; whichever finishes
// first decides. When the sleep wins, the request's future is dropped there and then: its timer
// is cancelled, its destructors run, and nothing of it is ever polled again. `how` switches to
// `tokio::time::timeout`, which packages the same race (with `std::expected<T, Elapsed>` as its
// answer). `latency` is how long the slow API takes; `deadline` is how long we are willing to wait.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
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

}  // namespace

void scenario_11_timeout(ScenarioRun& run) {
  const auto& p = run.params();
  sim::Network net;
  net.url(slow_api).latency(p.millis("latency")).body_size(2048);
  run.block_on(run.builder().network(net),
               call_slow_api(p.millis("deadline"), p.choice("how") == "timeout"));
}

}  // namespace asynclab::lessons
