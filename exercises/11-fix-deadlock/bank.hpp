#pragma once
// The bank of exercise 11: numbered accounts, each balance behind its own async mutex (Tokio's
// `Arc<Mutex<Account>>` per account), and the two remote services a transfer talks to. Don't edit
// it: the grader uses the same one.
//
// The bank's rules, which every transfer keeps:
// * A balance is read and changed only through its account's lock.
// * The ledger entry of a transfer is written while the transfer holds *both* accounts, so nobody
//   ever sees balances that disagree with the ledger.
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace bank {

// An account: its balance, behind an async mutex. `co_await account.lock()` gives a guard;
// `*guard` is the balance; dropping the guard unlocks.
using Account = asynclab::sync::Mutex<long>;

class Bank {
 public:
  // Accounts 1, 2, ... with these opening balances. The mutex of account N is named "account N",
  // which is how the deadlock report and the trace name it.
  explicit Bank(const std::vector<long>& opening_balances) {
    for (std::size_t i = 0; i < opening_balances.size(); ++i)
      accounts_.emplace_back(opening_balances[i], "account " + std::to_string(i + 1));
  }
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  Account& account(std::size_t number) { return accounts_.at(number - 1); }
  std::size_t size() const { return accounts_.size(); }

  // Asks the fraud service whether this transfer may go ahead: a remote call (2 ms on the grader's
  // network). True when approved.
  asynclab::Task<bool> check_fraud(std::size_t from, std::size_t to, long amount) {
    auto answer = co_await asynclab::sim::http::get("https://fraud.example/check" + query(from, to, amount));
    co_return answer && answer->ok();
  }

  // Appends the transfer to the ledger: a remote call (1 ms on the grader's network). Call it while
  // holding both accounts (the rules above).
  asynclab::Task<void> write_ledger(std::size_t from, std::size_t to, long amount) {
    (void)co_await asynclab::sim::http::get("https://ledger.example/append" + query(from, to, amount));
  }

 private:
  static std::string query(std::size_t from, std::size_t to, long amount) {
    return "?from=" + std::to_string(from) + "&to=" + std::to_string(to) +
           "&amount=" + std::to_string(amount);
  }

  std::deque<Account> accounts_;  // a deque: a Mutex never moves
};

}  // namespace bank
