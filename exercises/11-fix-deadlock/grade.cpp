// Grader of exercise 11 (fix the deadlock). Each TEST_CASE is one graded point, tagged [task_N].
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bank.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<bool> transfer(bank::Bank& bank, std::size_t from, std::size_t to, long amount);

namespace {

struct Order {
  std::size_t from = 0, to = 0;
  long amount = 0;
};

struct Scenario {
  std::vector<long> opening;
  std::vector<Order> orders;  // all placed at the same moment, each transfer its own task
};

// Two transfers in opposite directions at once: the textbook deadlock.
const Scenario opposite{{100, 100}, {{1, 2, 30}, {2, 1, 20}}};
// A busy morning: four transfers among three accounts at once, a ring and one back. Whether a
// half-fixed transfer deadlocks here depends on the schedule: with the locks still taken source
// first, seed 1 gets through and seed 2 does not.
const Scenario busy{{500, 500, 500}, {{1, 2, 10}, {2, 3, 20}, {3, 1, 30}, {2, 1, 40}}};
// Two transfers that share no account.
const Scenario apart{{100, 100, 100, 100}, {{1, 2, 10}, {3, 4, 20}}};

constexpr auto fraud_latency = 2ms, ledger_latency = 1ms;

// Each transfer's task name, unique within a scenario: "transfer 30 from 1 to 2".
std::string name_of(const Order& o) {
  return fmt::format("transfer {} from {} to {}", o.amount, o.from, o.to);
}

// The bank's two services, and the seed allowed to reorder the ready queue: the order in which
// tasks that are ready at the same moment run is up to the schedule, as on a real runtime.
std::function<void(Runtime::Builder&)> world() {
  return [](Runtime::Builder& builder) {
    sim::Network net;
    net.host("fraud.example").latency(fraud_latency);
    net.host("ledger.example").latency(ledger_latency);
    builder.network(net).explore_schedules();
  };
}

// The grader's main: every order spawned as its own task at once, then all awaited. A panic in one
// of them becomes the run's own.
Task<std::vector<bool>> open_counters(bank::Bank& bank, std::vector<Order> orders) {
  std::vector<JoinHandle<bool>> tellers;
  for (const auto& o : orders) tellers.push_back(spawn(transfer(bank, o.from, o.to, o.amount), name_of(o)));
  std::vector<bool> moved;
  for (auto& teller : tellers) {
    auto result = co_await teller;
    if (!result) {
      if (result.error().is_panic()) result.error().resume_panic();
      throw std::runtime_error(result.error().to_string());
    }
    moved.push_back(*result);
  }
  co_return moved;
}

struct BankRun {
  grading::GradedRun run;
  std::shared_ptr<bank::Bank> bank;  // outlives the runtime: its mutexes are only dropped after every task
  std::optional<std::vector<bool>> moved;
};

BankRun run_bank(std::uint64_t seed, const Scenario& scenario) {
  BankRun r;
  r.bank = std::make_shared<bank::Bank>(scenario.opening);
  auto& bank = *r.bank;
  r.run = grading::run_graded(
      "11-fix-deadlock", seed, [&] { return open_counters(bank, scenario.orders); }, world(),
      [&](auto moved) { r.moved = std::move(moved); });
  return r;
}

long balance(bank::Bank& bank, std::size_t number) {
  auto guard = bank.account(number).try_lock();
  return guard ? **guard : -1;
}

// "https://ledger.example/append?from=1&to=2&amount=30" -> the order it writes down.
std::optional<Order> ledger_order(std::string_view url) {
  if (!url.starts_with("https://ledger.example/append?")) return std::nullopt;
  auto number_after = [&](std::string_view key) -> long {
    const auto at = url.find(key);
    return at == std::string_view::npos ? 0 : std::stol(std::string(url.substr(at + key.size())));
  };
  return Order{static_cast<std::size_t>(number_after("?from=")),
               static_cast<std::size_t>(number_after("&to=")), number_after("&amount=")};
}

}  // namespace

TEST_CASE("transfers that share no account run side by side", "[ex11][task_1]") {
  const auto each = fraud_latency + ledger_latency;
  for (auto seed : grading::seeds) {
    auto r = run_bank(seed, apart);
    grading::require_finished(r.run);
    const auto q = r.run.query();
    std::string finished;
    bool late = false;
    for (const auto& o : apart.orders) {
      const auto at = q.time_of_first(trace::EventKind::task_completed, q.task_named(name_of(o)));
      late |= !at || *at != each;
      finished += fmt::format("{}{} at {}", finished.empty() ? "" : ", ", name_of(o),
                              at ? grading::GradedRun::at(*at) : "never");
    }
    if (late)
      grading::fail(
          fmt::format("seed {}: {} finished: {}", seed, "two transfers that share no account", finished),
          fmt::format("both at {} (fraud check {} + ledger {}), side by side", grading::GradedRun::at(each),
                      grading::GradedRun::at(fraud_latency), grading::GradedRun::at(ledger_latency)),
          "exercise.cpp: lock only the two accounts a transfer touches. One lock for the whole bank (or "
          "locking every account) ends the deadlock by making every transfer wait for every other");
  }
}

TEST_CASE("two transfers in opposite directions at the same moment both complete, under every seed",
          "[ex11][task_2]") {
  for (auto seed : grading::seeds) grading::require_finished(run_bank(seed, opposite).run);
}

TEST_CASE("a busy morning of transfers among three accounts completes under every seed", "[ex11][task_3]") {
  for (auto seed : grading::seeds) grading::require_finished(run_bank(seed, busy).run);
}

TEST_CASE("every transfer moves its money and writes its ledger entry holding both accounts",
          "[ex11][task_4]") {
  std::vector<long> closing = busy.opening;
  for (const auto& o : busy.orders) {
    closing[o.from - 1] -= o.amount;
    closing[o.to - 1] += o.amount;
  }
  for (auto seed : grading::seeds) {
    auto r = run_bank(seed, busy);
    grading::require_finished(r.run);
    for (std::size_t i = 0; i < busy.orders.size(); ++i)
      if (!r.moved || !(*r.moved)[i])
        grading::fail(fmt::format("seed {}: {} returned false (not moved)", seed, name_of(busy.orders[i])),
                      "true: every account has the money and the fraud service approves every transfer",
                      "exercise.cpp: which account's balance you check, and when you return false");
    for (std::size_t n = 1; n <= closing.size(); ++n)
      if (balance(*r.bank, n) != closing[n - 1])
        grading::fail(
            fmt::format("seed {}: after the morning account {} holds {}", seed, n, balance(*r.bank, n)),
            fmt::format("{} (the opening 500, plus what came in, minus what went out)", closing[n - 1]),
            "exercise.cpp: which balance you take the amount from and which you add it to");

    // Replay the trace: who holds each account's mutex when each ledger entry is sent.
    std::map<std::uint32_t, std::uint32_t> holder;  // mutex resource id -> task holding it
    std::size_t entries = 0;
    for (std::size_t i = 0; i < r.run.trace.size(); ++i) {
      const auto e = r.run.trace[i];
      if (e.kind == trace::EventKind::lock_acquired) holder[e.a] = e.task;
      if (e.kind == trace::EventKind::lock_released) holder[e.a] = 0;
      if (e.kind != trace::EventKind::request_begin) continue;
      const auto order = ledger_order(r.run.trace.string(e.b));
      if (!order) continue;
      ++entries;
      for (std::size_t account : {order->from, order->to}) {
        const std::uint32_t who = holder[r.bank->account(account).resource_id()];
        if (who == e.task) continue;
        grading::fail(
            fmt::format("seed {}: {} wrote its ledger entry at {} without holding account {} ({})", seed,
                        r.run.trace.task_name(e.task),
                        grading::GradedRun::at(std::chrono::nanoseconds(e.time_ns)), account,
                        who == 0 ? "nobody held it" : "task \"" + r.run.trace.task_name(who) + "\" held it"),
            "each ledger entry written while its transfer holds both accounts (the bank's rule in bank.hpp)",
            "exercise.cpp: a lock released before the other is taken avoids the deadlock by breaking the "
            "rule; keep both, and take them in an order every transfer agrees on");
      }
    }
    if (entries != busy.orders.size())
      grading::fail(fmt::format("seed {}: {} ledger entries were written for {} transfers", seed, entries,
                                busy.orders.size()),
                    "one ledger entry per transfer", "exercise.cpp: bank.write_ledger(from, to, amount)");
  }
}
