// expect-verdict: deadlock
// expect-message: stuck (seed 1): the run stopped at 2 ms with every task waiting for ever
// Known wrong: "never hold two locks at once" — the deposit moved into a task of its own, but the
// transfer keeps its source locked while it awaits that task, which needs the other account: each
// transfer holds what the other's deposit waits for. The runtime sees every task stuck, though not
// the cycle itself: two of its edges are JoinHandles, not locks.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

namespace {
Task<void> deposit(bank::Bank& bank, std::size_t to, long amount) {
  auto target = co_await bank.account(to).lock();
  *target += amount;
}
}  // namespace

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  auto source = co_await bank.account(from).lock();
  if (*source < amount) co_return false;
  const bool approved = co_await bank.check_fraud(from, to, amount);
  if (!approved) co_return false;
  *source -= amount;
  auto deposited = spawn(deposit(bank, to, amount), "deposit");
  (void)co_await deposited;  // the source is still locked here
  co_await bank.write_ledger(from, to, amount);
  co_return true;
}
