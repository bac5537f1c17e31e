// expect-verdict: threw
// expect-message: an exception escaped your code
// Known wrong: the status and the body checked with care, but the config and the response unwrapped
// with .value(), which throws on an error: a missing bank.conf escapes as std::bad_expected_access.
#include <charconv>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "balance_error.hpp"

using namespace asynclab;

Task<std::expected<long, BalanceError>> fetch_balance(std::string user) {
  auto config = co_await sim::fs::read_to_string("bank.conf");
  const std::string url = config.value() + "/balance/" + user;
  auto got = co_await sim::http::get(url);
  const sim::http::Response response = got.value();
  if (!response.ok())
    co_return std::unexpected(BalanceError{BalanceError::Kind::bad_status, std::to_string(response.status)});
  long balance = 0;
  const auto [end, error] =
      std::from_chars(response.body.data(), response.body.data() + response.body.size(), balance);
  if (error != std::errc() || end != response.body.data() + response.body.size())
    co_return std::unexpected(BalanceError{BalanceError::Kind::bad_body, response.body});
  co_return balance;
}
