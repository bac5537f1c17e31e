// Exercise 11 — fix the deadlock. Read README.md first; `asynclab grade 11` checks your work and
// `asynclab hint 11` gives a hint.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

// Moves `amount` from account `from` to account `to` (two different accounts). True when the money
// moved; false when the source has too little or the fraud service says no.
Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  // TODO: two transfers in opposite directions (1 to 2 and 2 to 1) at the same moment each lock their
  // source, then wait for ever for the other's. Take the two locks so that can never happen.
  auto source = co_await bank.account(from).lock();
  if (*source < amount) co_return false;
  const bool approved = co_await bank.check_fraud(from, to, amount);  // the source stays locked meanwhile
  if (!approved) co_return false;
  auto target = co_await bank.account(to).lock();
  *source -= amount;
  *target += amount;
  co_await bank.write_ledger(from, to, amount);  // both accounts held: the ledger and the balances agree
  co_return true;
}
