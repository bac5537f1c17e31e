// expect-verdict: deadlock
// expect-message: deadlock (seed 2)
// Known wrong: the fraud check moved before the locks (a shorter critical section, a fine idea), but
// the locks still taken source first. The two opposite transfers now get through — whoever runs first
// takes both accounts at once — and so does the busy morning under seed 1. Under seed 2 the tasks
// ready at 2 ms run in another order, and the cycle closes: a transfer holding its source queues
// behind the one holding its target, while another holding that target queues for its source. Only
// running every grader under several seeds catches it.
#include <cstddef>

#include "asynclab/asynclab.hpp"
#include "bank.hpp"

using namespace asynclab;

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount) {
  const bool approved = co_await bank.check_fraud(from, to, amount);
  if (!approved) co_return false;
  auto source = co_await bank.account(from).lock();
  auto target = co_await bank.account(to).lock();
  if (*source < amount) co_return false;
  *source -= amount;
  *target += amount;
  co_await bank.write_ledger(from, to, amount);
  co_return true;
}
