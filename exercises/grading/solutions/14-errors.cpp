// Reference solution of exercise 14: each failure returned as a BalanceError the moment it is seen —
// the `?` of Rust, written out — and the body parsed with std::from_chars, which reports instead of
// throwing.
#include <charconv>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "balance_error.hpp"

using namespace asynclab;

Task<std::expected<long, BalanceError>> fetch_balance(std::string user) {
  auto config = co_await sim::fs::read_to_string("bank.conf");
  if (!config)
    co_return std::unexpected(BalanceError{BalanceError::Kind::config_missing, config.error().message()});

  const std::string url = *config + "/balance/" + user;
  auto response = co_await sim::http::get(url);
  if (!response)
    co_return std::unexpected(BalanceError{BalanceError::Kind::request_failed, response.error().message()});
  if (!response->ok())
    co_return std::unexpected(
        BalanceError{BalanceError::Kind::bad_status, std::to_string(response->status) + " from " + url});

  const std::string& body = response->body;
  long balance = 0;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), balance);
  if (error != std::errc() || end != body.data() + body.size())
    co_return std::unexpected(BalanceError{BalanceError::Kind::bad_body, "not a number: \"" + body + "\""});
  co_return balance;
}
