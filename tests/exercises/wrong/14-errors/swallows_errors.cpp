// expect-verdict: failed
// expect-message: with bank.conf missing, fetch_balance returned the balance 0
// Known wrong: nothing throws — every failure is swallowed and answered with a default balance of
// 0, so the caller cannot tell "alice has nothing" from "we could not ask".
#include <charconv>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "balance_error.hpp"

using namespace asynclab;

Task<std::expected<long, BalanceError>> fetch_balance(std::string user) {
  auto config = co_await sim::fs::read_to_string("bank.conf");
  if (!config) co_return 0;
  auto response = co_await sim::http::get(*config + "/balance/" + user);
  if (!response || !response->ok()) co_return 0;
  long balance = 0;
  (void)std::from_chars(response->body.data(), response->body.data() + response->body.size(), balance);
  co_return balance;
}
