// Rust's everyday names on the runtime's values: drop(x) (asynclab/drop.hpp), unwrap and expect
// (asynclab/unwrap.hpp), and Instant's elapsed() and duration_since() (asynclab/time/clock.hpp).
// Each claim is about what the learner sees: the side effect of dropping a handle happens at the
// drop, an unwrapped error keeps its own words, elapsed() reads the virtual clock.
#include <catch2/catch.hpp>

#include <expected>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

template <class F>
std::string panic_text(F&& f) {
  try {
    f();
  } catch (const Panic& p) {
    return p.what();
  }
  return "(no panic)";
}

// Spawned tasks get what they use as parameters: a coroutine lambda's captures live in the lambda
// object, which is gone once the statement that spawned it ends.
Task<void> lock_and_log(sync::Mutex<int>& m, Log& log) {
  auto guard = co_await m.lock();
  log.push_back("waiter locked" + at_ms());
}

Task<void> log_after(Duration d, Log& log) {
  co_await sleep(d);
  log.push_back("detached task finished" + at_ms());
}

Task<int> fails_with(std::string why) {
  co_await yield_now();
  throw std::runtime_error(why);
}

Task<int> unwraps_none_after_a_yield() {
  co_await yield_now();
  co_return unwrap(std::optional<int>());
}

}  // namespace

TEST_CASE("drop(tx) closes the channel there and then: the receiver sees None after the buffered values",
          "[rust-names][drop]") {
  auto rt = virtual_runtime();
  Log log;
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(4);
    (void)co_await tx.send(1);
    (void)co_await tx.send(2);
    drop(tx);  // tx is still in scope: only the drop can have closed the channel
    while (auto v = co_await rx.recv()) log.push_back("got " + std::to_string(*v));
    log.push_back("None");
  }());
  CHECK(log == Log{"got 1", "got 2", "None"});
}

TEST_CASE("drop(guard) unlocks the mutex at once, so the waiting task gets it before the holder sleeps",
          "[rust-names][drop]") {
  auto rt = virtual_runtime();
  Log log;
  rt.block_on([&]() -> Task<void> {
    sync::Mutex<int> m(0);
    auto guard = co_await m.lock();
    auto waiter = spawn(lock_and_log(m, log));
    co_await sleep(10ms);
    drop(guard);
    co_await sleep(10ms);
    log.push_back("holder done" + at_ms());
    (void)co_await waiter;
  }());
  CHECK(log == Log{"waiter locked at 10 ms", "holder done at 20 ms"});
}

TEST_CASE("drop(permit) gives the permit back to the semaphore", "[rust-names][drop]") {
  auto rt = virtual_runtime();
  std::vector<std::size_t> available;
  rt.block_on([&]() -> Task<void> {
    sync::Semaphore sem(1);
    auto permit = unwrap(co_await sem.acquire());
    available.push_back(sem.available_permits());
    drop(permit);
    available.push_back(sem.available_permits());
  }());
  CHECK(available == std::vector<std::size_t>{0, 1});
}

TEST_CASE("drop(handle) detaches the task, as in Tokio: it still runs to the end", "[rust-names][drop]") {
  auto rt = virtual_runtime();
  Log log;
  rt.block_on([&]() -> Task<void> {
    auto handle = spawn(log_after(5ms, log));
    drop(handle);
    co_await sleep(10ms);
  }());
  CHECK(log == Log{"detached task finished at 5 ms"});
}

TEST_CASE("drop of a future that was never awaited runs nothing (futures are lazy)", "[rust-names][drop]") {
  auto rt = virtual_runtime();
  Log log;
  rt.block_on([&]() -> Task<void> {
    auto never = [&]() -> Task<void> {
      log.push_back("ran");
      co_return;
    }();
    drop(never);
    co_return;
  }());
  CHECK(log.empty());
}

TEST_CASE("unwrap gives the value, or a Panic in the error's own words", "[rust-names][unwrap]") {
  std::expected<int, sync::AcquireError> ok = 7;
  CHECK(unwrap(ok) == 7);
  CHECK(unwrap(std::expected<std::string, Elapsed>("kept")) == "kept");

  CHECK(panic_text([] { unwrap(std::expected<int, Elapsed>(std::unexpected(Elapsed{}))); }) ==
        "called unwrap() on an error: deadline has elapsed");
  CHECK(panic_text([] { unwrap(std::expected<void, sync::mpsc::SendError<void>>(std::unexpected(sync::mpsc::SendError<void>{}))); }) ==
        "called unwrap() on an error: channel closed");
  CHECK(panic_text([] { unwrap(std::expected<int, sync::broadcast::RecvError>(std::unexpected(sync::broadcast::RecvError::lagged(3)))); }) ==
        "called unwrap() on an error: receiver lagged behind: 3 values skipped");
  CHECK(panic_text([] { unwrap(std::expected<int, sync::TryAcquireError>(std::unexpected(sync::TryAcquireError::no_permits))); }) ==
        "called unwrap() on an error: no permits available");
  CHECK(panic_text([] { unwrap(std::optional<int>()); }) == "called unwrap() on None");

  CHECK(panic_text([] { expect(std::expected<int, Elapsed>(std::unexpected(Elapsed{})), "the fetch took too long"); }) ==
        "the fetch took too long: deadline has elapsed");
  CHECK(panic_text([] { expect(std::optional<int>(), "the queue was empty"); }) == "the queue was empty");
}

TEST_CASE("unwrap on an lvalue gives a reference into it, on an rvalue, the value moved out",
          "[rust-names][unwrap]") {
  std::expected<std::string, Elapsed> r = std::string("abc");
  std::string& ref = unwrap(r);
  ref += "d";
  CHECK(*r == "abcd");
  std::optional<std::vector<int>> o = std::vector<int>{1, 2, 3};
  std::vector<int> taken = unwrap(std::move(o));
  CHECK(taken.size() == 3);
}

TEST_CASE("unwrap of a JoinHandle's result keeps the panic's message, and a Panic in a task is its panic",
          "[rust-names][unwrap]") {
  auto rt = virtual_runtime();
  std::string first, second;
  rt.block_on([&]() -> Task<void> {
    auto failing = spawn(fails_with("connection reset"));
    try {
      unwrap(co_await failing);
    } catch (const Panic& p) {
      first = p.what();
    }
    auto unwraps_none = spawn(unwraps_none_after_a_yield());
    auto r = co_await unwraps_none;
    second = r ? "no error" : r.error().panic_message();
  }());
  CHECK(first.starts_with("called unwrap() on an error: task "));
  CHECK(first.ends_with(" panicked: connection reset"));
  CHECK(second == "called unwrap() on None");
}

TEST_CASE("Instant: now(), elapsed() and duration_since() read the runtime's virtual clock",
          "[rust-names][instant]") {
  auto rt = virtual_runtime();
  std::vector<Duration> seen;
  rt.block_on([&]() -> Task<void> {
    const Instant start = Instant::now();
    co_await sleep(30ms);
    seen.push_back(start.elapsed());
    const Instant later = now();
    seen.push_back(later.duration_since(start));
    seen.push_back(start.duration_since(later));  // saturates at zero, as Rust's does
    const Instant deadline = start + 50ms;         // Instant ± duration stays an Instant
    co_await sleep_until(deadline);
    seen.push_back(deadline.elapsed());
    seen.push_back((deadline - 20ms).elapsed());
    seen.push_back(now() - start);
    seen.push_back((now() + 5ms).elapsed());  // an instant still ahead: zero, as Rust saturates
  }());
  CHECK(seen == std::vector<Duration>{30ms, 30ms, 0ms, 0ms, 20ms, 50ms, 0ms});
}

TEST_CASE("Instant::now() outside a runtime says where it must be called", "[rust-names][instant]") {
  CHECK_THROWS_WITH(Instant::now(), Catch::Contains("inside a runtime"));
}
