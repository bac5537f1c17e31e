// expect-verdict: failed
// expect-message: transfer 10 from 1 to 2 at 3 ms, transfer 20 from 3 to 4 at 6 ms
// Known wrong: one lock for the whole bank around every transfer. No deadlock, right balances — and
// every transfer waits for every other, even those that share no account.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

namespace {
sync::Mutex<int> whole_bank(0, "whole bank");
}  // namespace

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  auto everything = co_await whole_bank.lock();
  auto source = co_await bank.account(from).lock();
  auto target = co_await bank.account(to).lock();
  if (*source < amount) co_return false;
  const bool approved = co_await bank.check_fraud(from, to, amount);
  if (!approved) co_return false;
  *source -= amount;
  *target += amount;
  co_await bank.write_ledger(from, to, amount);
  co_return true;
}
