// expect-verdict: failed
// expect-message: answering 503 "503 Service Unavailable", fetch_balance returned the balance 503
// Known wrong: no .value() left, and std::stol's exceptions caught — but the status never checked and
// the body trusted: the error page "503 Service Unavailable" reads as a balance of 503 (std::stol
// stops at the first character that is not a digit, and so would "1,234" give 1).
#include <exception>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "balance_error.hpp"

using namespace asynclab;

Task<std::expected<long, BalanceError>> fetch_balance(std::string user) {
  auto config = co_await sim::fs::read_to_string("bank.conf");
  if (!config)
    co_return std::unexpected(BalanceError{BalanceError::Kind::config_missing, config.error().message()});
  auto response = co_await sim::http::get(*config + "/balance/" + user);
  if (!response)
    co_return std::unexpected(BalanceError{BalanceError::Kind::request_failed, response.error().message()});
  try {
    co_return std::stol(response->body);
  } catch (const std::exception&) {
    co_return std::unexpected(BalanceError{BalanceError::Kind::bad_body, response->body});
  }
}
