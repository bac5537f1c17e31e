// Reference solution of exercise 11: every transfer takes the two account locks in one global order
// (the lower account number first), so no two transfers can each hold what the other waits for.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  const bool from_first = from < to;
  auto first = co_await bank.account(from_first ? from : to).lock();
  auto second = co_await bank.account(from_first ? to : from).lock();
  auto& source = from_first ? first : second;
  auto& target = from_first ? second : first;
  if (*source < amount) co_return false;
  const bool approved = co_await bank.check_fraud(from, to, amount);
  if (!approved) co_return false;
  *source -= amount;
  *target += amount;
  co_await bank.write_ledger(from, to, amount);
  co_return true;
}
