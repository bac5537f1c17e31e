// expect-verdict: failed
// expect-message: wrote its ledger entry at
// Known wrong: never deadlocks, and the balances come out right — because it never holds two
// accounts at once: the source is unlocked before the target is locked, so the ledger entry is
// written holding the target only, and for a moment the money is in neither account.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  {
    auto source = co_await bank.account(from).lock();
    if (*source < amount) co_return false;
    const bool approved = co_await bank.check_fraud(from, to, amount);
    if (!approved) co_return false;
    *source -= amount;
  }  // the source is unlocked here
  auto target = co_await bank.account(to).lock();
  *target += amount;
  co_await bank.write_ledger(from, to, amount);
  co_return true;
}
