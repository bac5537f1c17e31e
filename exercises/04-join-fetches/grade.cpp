// Grader of exercise 04 (join three fetches). Each TEST_CASE is one graded point, tagged [task_N].
#include <cstddef>
#include <expected>
#include <string>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c);

namespace {

const std::string a = "https://api.example/users", b = "https://api.example/posts", c = "https://api.example/comments";

// Three routes: 100, 200 and 300 ms, 1200 + 3400 + 560 bytes; `b_fails` refuses the connection to b.
std::function<void(Runtime::Builder&)> world(bool b_fails = false) {
  return [b_fails](Runtime::Builder& builder) {
    sim::Network net;
    net.url(a).latency(100ms).body_size(1200);
    net.url(b).latency(200ms).body_size(3400);
    if (b_fails) net.url(b).fail(sim::HttpFailure::connection_refused);
    net.url(c).latency(300ms).body_size(560);
    builder.network(net);
  };
}

}  // namespace

TEST_CASE("total_bytes returns the three bodies' sizes added up", "[ex04][task_1]") {
  for (auto seed : grading::seeds) {
    std::optional<std::expected<std::size_t, sim::http::HttpError>> got;
    auto run = grading::run_graded(
        "04-join-fetches", seed, [] { return total_bytes(a, b, c); }, world(), [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || !*got)
      grading::fail(fmt::format("seed {}: total_bytes returned an error although every fetch answered", seed),
                    "5160 (1200 + 3400 + 560)", "exercise.cpp: what you co_return");
    if (**got != 5160)
      grading::fail(fmt::format("seed {}: total_bytes returned {}", seed, **got), "5160 (1200 + 3400 + 560)",
                    "exercise.cpp: adding up body.size() of the three responses");
  }
}

TEST_CASE("the three requests are in flight at once: done at 300 ms, the slowest, not 600 ms", "[ex04][task_2]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded("04-join-fetches", seed, [] { return total_bytes(a, b, c); }, world());
    grading::require_finished(run);
    const auto in_flight = grading::requests_in_flight(run.trace);
    if (run.end() != 300ms || in_flight.peak != 3)
      grading::fail(fmt::format("seed {}: the run ended at {} with at most {} request{} in flight at once", seed,
                                grading::GradedRun::at(run.end()), in_flight.peak, in_flight.peak == 1 ? "" : "s"),
                    "all 3 requests in flight together from 0 ms, done at 300 ms (the slowest fetch)",
                    "exercise.cpp: each `co_await get(...)` on its own line waits before the next request "
                    "starts — await the three together with join(...)");
  }
}

TEST_CASE("a failed fetch comes back as an error value, not an exception", "[ex04][task_3]") {
  for (auto seed : grading::seeds) {
    std::optional<std::expected<std::size_t, sim::http::HttpError>> got;
    auto run = grading::run_graded(
        "04-join-fetches", seed, [] { return total_bytes(a, b, c); }, world(true), [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || *got)
      grading::fail(fmt::format("seed {}: with {} refusing connections, total_bytes returned {}", seed, b,
                                got && *got ? std::to_string(**got) : "nothing"),
                    "an error (std::unexpected) naming " + b, "exercise.cpp: what happens when a response is an error");
    if (got->error().url != b)
      grading::fail(fmt::format("seed {}: the error names {}", seed, got->error().url), "the error of " + b,
                    "exercise.cpp: which response's error you return");
  }
}
