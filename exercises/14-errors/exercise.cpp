// Exercise 14 — errors without unwrap. Read README.md first; `asynclab grade 14` checks your work and
// `asynclab hint 14` gives a hint.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "balance_error.hpp"

using namespace asynclab;

// The balance of `user`: the bank's address is the contents of the file bank.conf, and
// GET <address>/balance/<user> answers with the balance as its whole body ("1234").
Task<std::expected<long, BalanceError>> fetch_balance(std::string user) {
  // TODO: every failure below escapes as an exception (or slips through as a wrong number).
  // Return each one as std::unexpected(BalanceError{...}) instead.
  auto config = co_await sim::fs::read_to_string("bank.conf");
  const std::string address = config.value();
  auto response = co_await sim::http::get(address + "/balance/" + user);
  co_return std::stol(response.value().body);
}
