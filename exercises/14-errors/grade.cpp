// Grader of exercise 14 (errors without unwrap). Each TEST_CASE is one graded point, tagged [task_N].
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "balance_error.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<long, BalanceError>> fetch_balance(std::string user);

namespace {

using Balance = std::expected<long, BalanceError>;

const std::string user = "alice", address = "https://bank.example",
                  balance_url = address + "/balance/" + user;

// What the world gets wrong in one run.
enum class Fault { none, no_config, refused, error_page, not_a_number };

// bank.conf holds the bank's address; the bank answers alice's balance, 1234, after 20 ms — unless
// `fault` says otherwise.
std::function<void(Runtime::Builder&)> world(Fault fault) {
  return [fault](Runtime::Builder& builder) {
    sim::FileSystem files;
    if (fault != Fault::no_config) files.add("bank.conf", address);
    sim::Network net;
    auto& route = net.url(balance_url).latency(20ms).body("1234");
    if (fault == Fault::refused) route.fail(sim::HttpFailure::connection_refused);
    if (fault == Fault::error_page) route.status(503).body("503 Service Unavailable");
    if (fault == Fault::not_a_number) route.body("1,234");
    builder.files(files).network(net);
  };
}

std::string_view kind_name(BalanceError::Kind kind) {
  switch (kind) {
    case BalanceError::Kind::config_missing:
      return "config_missing";
    case BalanceError::Kind::request_failed:
      return "request_failed";
    case BalanceError::Kind::bad_status:
      return "bad_status";
    case BalanceError::Kind::bad_body:
      return "bad_body";
  }
  return "?";
}

std::string describe(const std::optional<Balance>& got) {
  if (!got) return "nothing";
  if (*got) return fmt::format("the balance {}", **got);
  return fmt::format("the error {} (\"{}\")", kind_name(got->error().kind), got->error().detail);
}

// Runs fetch_balance("alice") in a world with `fault`, requires that it finished (an exception
// escaping it fails here, as "threw"), and requires the error `want`.
grading::GradedRun require_error(std::uint64_t seed, Fault fault, BalanceError::Kind want,
                                 std::string_view situation, std::string_view look_at) {
  std::optional<Balance> got;
  auto run = grading::run_graded(
      "14-errors", seed, [] { return fetch_balance(user); }, world(fault),
      [&](auto v) { got = std::move(v); });
  grading::require_finished(run);
  if (!got || *got || got->error().kind != want)
    grading::fail(fmt::format("seed {}: {}, fetch_balance returned {}", seed, situation, describe(got)),
                  fmt::format("the error value BalanceError{{Kind::{}, ...}}", kind_name(want)), look_at);
  return run;
}

}  // namespace

TEST_CASE("fetch_balance returns the balance the bank answers", "[ex14][task_1]") {
  for (auto seed : grading::seeds) {
    std::optional<Balance> got;
    auto run = grading::run_graded(
        "14-errors", seed, [] { return fetch_balance(user); }, world(Fault::none),
        [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || !*got || **got != 1234)
      grading::fail(
          fmt::format("seed {}: with bank.conf present and {} answering \"1234\", fetch_balance returned {}",
                      seed, balance_url, describe(got)),
          "the balance 1234", "exercise.cpp: the address from bank.conf, the URL, and the parsed body");
  }
}

TEST_CASE("a missing config file and a refused connection come back as error values", "[ex14][task_2]") {
  for (auto seed : grading::seeds) {
    auto run =
        require_error(seed, Fault::no_config, BalanceError::Kind::config_missing, "with bank.conf missing",
                      "exercise.cpp: what you do when sim::fs::read_to_string gives an error");
    // Rust's `?` returns at once: without an address there is nothing to ask.
    const auto q = run.query();
    if (const auto sent = q.first(trace::EventKind::request_begin))
      grading::fail(fmt::format("seed {}: with bank.conf missing, a request still went out at {}, to \"{}\"",
                                seed, grading::GradedRun::at(std::chrono::nanoseconds(sent->time_ns)),
                                run.trace.string(sent->b)),
                    "return the error as soon as the config cannot be read: no request at all",
                    "exercise.cpp: return right after the failed read, as Rust's `?` does");

    (void)require_error(seed, Fault::refused, BalanceError::Kind::request_failed,
                        fmt::format("with {} refusing connections", balance_url),
                        "exercise.cpp: what you do when sim::http::get gives an HttpError");
  }
}

TEST_CASE("an error page and a body that is not a number come back as error values, not balances",
          "[ex14][task_3]") {
  for (auto seed : grading::seeds) {
    (void)require_error(seed, Fault::error_page, BalanceError::Kind::bad_status,
                        fmt::format("with {} answering 503 \"503 Service Unavailable\"", balance_url),
                        "exercise.cpp: a Response is not a success: check response->ok() (the status) before "
                        "reading the body");
    (void)require_error(
        seed, Fault::not_a_number, BalanceError::Kind::bad_body,
        fmt::format("with {} answering 200 \"1,234\"", balance_url),
        "exercise.cpp: how the body becomes a number. std::stol throws on \"abc\" and quietly "
        "stops at the comma of \"1,234\"; std::from_chars tells you both, without throwing");
  }
}
