// select's branch patterns, preconditions, `else` (asynclab/select_branch.hpp) and borrowed futures
// (asynclab/borrow.hpp), each test named by what tokio's select! does (tokio 1.24, macros/select.rs).
// Current-thread, virtual time. tokio_order_test.cpp compares the same shapes with Tokio's own log.
#include <catch2/catch.hpp>

#include <expected>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "asynclab/asynclab.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

// A branch's value is what its pattern binds.
using SomeInt = decltype(select(some(std::declval<ReadyFuture<std::optional<int>>>()), sleep(1ms)))::Output;
static_assert(std::is_same_v<SomeInt, std::variant<int, std::monostate>>);
using OkErr = decltype(select(ok(std::declval<ReadyFuture<std::expected<int, std::string>>>()),
                              err(std::declval<ReadyFuture<std::expected<void, std::string>>>()), otherwise))::Output;
static_assert(std::is_same_v<OkErr, std::variant<int, std::string, Otherwise>>);

std::uint64_t ms_now() { return static_cast<std::uint64_t>(elapsed() / 1ms); }

}  // namespace

TEST_CASE("Tokio's `Some(v) = rx.recv()` disables its branch when the channel closes and the select races on",
          "[select][pattern]") {
  std::size_t winner = 99;
  std::uint64_t at = 0;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1);
    auto closer = spawn([tx = std::move(tx)]() mutable -> Task<void> {
      co_await sleep(5ms);
      drop(std::move(tx));
    });
    auto r = co_await select(some(rx.recv()), sleep(10ms));
    winner = r.index();
    at = ms_now();
    (void)co_await closer;
  });
  CHECK(winner == 1);  // without the pattern, the closed channel's None would win at 5 ms
  CHECK(at == 10);
}

TEST_CASE("Tokio's select! runs `else` once every branch is disabled: two channels read until both have closed",
          "[select][pattern][else]") {
  Log log;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx1, rx1] = sync::mpsc::channel<int>(4);
    auto [tx2, rx2] = sync::mpsc::channel<int>(4);
    auto a = spawn([tx = std::move(tx1)]() mutable -> Task<void> {
      co_await sleep(1ms);
      (void)co_await tx.send(1);
      co_await sleep(2ms);
      (void)co_await tx.send(3);
    });
    auto b = spawn([tx = std::move(tx2)]() mutable -> Task<void> {
      co_await sleep(2ms);
      (void)co_await tx.send(2);
      co_await sleep(2ms);
    });
    for (int round = 0; round < 10; ++round) {
      auto r = co_await select(some(rx1.recv()), some(rx2.recv()), otherwise);
      if (r.index() == 2) {
        log.push_back("else" + at_ms());
        break;
      }
      log.push_back((r.index() == 0 ? "first " : "second ") + std::to_string(r.index() == 0 ? std::get<0>(r) : std::get<1>(r)) + at_ms());
    }
    (void)co_await a;
    (void)co_await b;
  });
  CHECK(log == Log{"first 1 at 1 ms", "second 2 at 2 ms", "first 3 at 3 ms", "else at 4 ms"});
}

TEST_CASE("Tokio's select! panics with \"all branches are disabled and there is no else branch\" when it has no else",
          "[select][else]") {
  std::string message;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto h = spawn([]() -> Task<void> {
      const bool off = false;
      (void)co_await select(when(off, sleep(1ms)));
    });
    auto r = co_await h;
    REQUIRE_FALSE(r);
    CHECK(r.error().is_panic());
    message = r.error().panic_message();
  });
  CHECK_THAT(message, Catch::Contains("all branches are disabled and there is no else branch"));
}

TEST_CASE("Tokio evaluates a false precondition before the race: the branch's future is made but never polled",
          "[select][precondition]") {
  int polls = 0;
  std::size_t index = 99;
  std::uint64_t at = 99;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto r = co_await select(when(false, ReadyFuture<int>(7, &polls)), when(1 > 2, sleep(1ms)), otherwise);
    index = r.index();
    at = ms_now();
  });
  CHECK(polls == 0);
  CHECK(index == 2);  // else, at once
  CHECK(at == 0);
}

TEST_CASE("a true precondition leaves the branch in the race, with or without a pattern", "[select][precondition]") {
  std::variant<int, std::monostate> r1;
  std::variant<int, std::monostate, Otherwise> r2;
  virtual_runtime().block_on([&]() -> Task<void> {
    r1 = co_await select_biased(when(true, ReadyFuture<int>(7)), sleep(1ms));
    r2 = co_await select_biased(when(true, some(ReadyFuture<std::optional<int>>(8))), sleep(1ms), otherwise);
  });
  CHECK(r1.index() == 0);
  CHECK(std::get<0>(r1) == 7);
  CHECK(std::get<0>(r2) == 8);
}

TEST_CASE("Tokio's `Ok(v) = fut` binds the value and disables the branch on Err, `Err(e) = fut` the reverse",
          "[select][pattern]") {
  using Answer = std::expected<int, std::string>;
  std::variant<int, std::monostate> refused, taken;
  std::variant<std::string, std::monostate> error;
  std::uint64_t refused_at = 0;
  virtual_runtime().block_on([&]() -> Task<void> {
    refused = co_await select_biased(ok(ReadyFuture<Answer>(std::unexpected("busy"))), sleep(10ms));
    refused_at = ms_now();
    taken = co_await select_biased(ok(ReadyFuture<Answer>(5)), sleep(10ms));
    error = co_await select_biased(err(ReadyFuture<Answer>(std::unexpected("busy"))), sleep(10ms));
  });
  CHECK(refused.index() == 1);
  CHECK(refused_at == 10);
  CHECK(std::get<0>(taken) == 5);
  CHECK(std::get<0>(error) == "busy");
}

TEST_CASE("matching(fut, test) disables the branch when the test refuses the output", "[select][pattern]") {
  Log log;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(8);
    for (int v : {-1, 0, 4}) (void)tx.try_send(v);
    // A branch that takes only a positive number: -1 disables it for this select, the sleep wins.
    auto r = co_await select_biased(matching(rx.recv(), [](const std::optional<int>& v) { return v && *v > 0; }),
                                    sleep(3ms));
    log.push_back(r.index() == 0 ? "took " + std::to_string(*std::get<0>(r)) : "refused, the sleep won" + at_ms());
    for (int round = 0; round < 2; ++round) {
      auto again = co_await select_biased(matching(rx.recv(), [](const std::optional<int>& v) { return v && *v > 0; }),
                                          sleep(3ms));
      log.push_back(again.index() == 0 ? "took " + std::to_string(*std::get<0>(again)) : "refused, the sleep won" + at_ms());
    }
  });
  CHECK(log == Log{"refused, the sleep won at 3 ms", "refused, the sleep won at 6 ms", "took 4"});
}

TEST_CASE("Tokio's `&mut sleep` keeps its deadline across a loop's selects, and `if !sleep.is_elapsed()` disables it "
          "once it has fired",
          "[select][borrow][precondition]") {
  Log log;
  virtual_runtime().block_on([&]() -> Task<void> {
    Sleep deadline = sleep(25ms);
    auto ticks = interval(10ms);
    for (int n = 0; n < 5;) {
      auto r = co_await select(when(!deadline.is_elapsed(), borrow(deadline)), ticks.tick());
      if (r.index() == 0) {
        log.push_back("deadline" + at_ms());
      } else {
        ++n;
        log.push_back("tick" + at_ms());
      }
    }
  });
  CHECK(log == Log{"tick at 0 ms", "tick at 10 ms", "tick at 20 ms", "deadline at 25 ms", "tick at 30 ms",
                   "tick at 40 ms"});
}

TEST_CASE("a borrowed JoinHandle that loses a select is not detached: its task runs on and is awaited later",
          "[select][borrow]") {
  Log log;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto slow = spawn([]() -> Task<int> {
      co_await sleep(30ms);
      co_return 42;
    });
    auto r = co_await select(borrow(slow), sleep(10ms));
    log.push_back(r.index() == 1 ? "timed out" + at_ms() : "finished first");
    auto value = co_await slow;
    log.push_back("then got " + std::to_string(value.value()) + at_ms());
  });
  CHECK(log == Log{"timed out at 10 ms", "then got 42 at 30 ms"});
}

TEST_CASE("the trace records a branch disabled by its precondition and one disabled by its pattern, apart from a "
          "cancelled one",
          "[select][trace]") {
  trace::Recorder rec;
  virtual_runtime(rec).block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1);
    drop(std::move(tx));
    (void)co_await select_biased(when(false, sleep(1ms)), some(rx.recv()), sleep(5ms), sleep(9ms));
  });
  const trace::Trace t = rec.take();
  std::vector<std::uint16_t> ends;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::future_dropped) ends.push_back(t[i].flags);
  using trace::FutureEnd;
  CHECK(ends == std::vector<std::uint16_t>{static_cast<std::uint16_t>(FutureEnd::disabled_by_precondition),
                                           static_cast<std::uint16_t>(FutureEnd::disabled_by_pattern),
                                           static_cast<std::uint16_t>(FutureEnd::completed),
                                           static_cast<std::uint16_t>(FutureEnd::cancelled)});
}

TEST_CASE("a borrowed future that loses is recorded as released, not cancelled: its owner still has it",
          "[select][borrow][trace]") {
  trace::Recorder rec;
  virtual_runtime(rec).block_on([&]() -> Task<void> {
    auto slow = spawn([]() -> Task<int> {
      co_await sleep(30ms);
      co_return 1;
    });
    (void)co_await select(borrow(slow), sleep(10ms));
    (void)co_await slow;
  });
  const trace::Trace t = rec.take();
  std::vector<std::uint16_t> ends;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::future_dropped) ends.push_back(t[i].flags);
  CHECK(ends == std::vector<std::uint16_t>{static_cast<std::uint16_t>(trace::FutureEnd::completed),
                                           static_cast<std::uint16_t>(trace::FutureEnd::released)});
}

TEST_CASE("borrowing a JoinHandle whose result was taken panics, as Tokio's 'JoinHandle polled after completion'",
          "[select][borrow]") {
  std::string message;
  virtual_runtime().block_on([&]() -> Task<void> {
    auto outer = spawn([]() -> Task<void> {
      auto quick = spawn([]() -> Task<int> { co_return 1; });
      for (int round = 0; round < 2; ++round) (void)co_await select(borrow(quick), sleep(5ms));
    });
    auto r = co_await outer;
    REQUIRE_FALSE(r);
    CHECK(r.error().is_panic());
    message = r.error().panic_message();
  });
  CHECK_THAT(message, Catch::Contains("JoinHandle polled after completion"));
}

TEST_CASE("a branch switched off by its precondition is not a forgotten future: select! chose not to race it",
          "[select][precondition][trace]") {
  trace::Recorder rec;
  virtual_runtime(rec).block_on([&]() -> Task<void> {
    auto fetch = []() -> Task<int> { co_return 1; };
    (void)co_await select(when(false, fetch()), sleep(1ms));
  });
  const trace::Trace t = rec.take();
  for (std::size_t i = 0; i < t.size(); ++i) CHECK(t[i].kind != trace::EventKind::lint);
}
