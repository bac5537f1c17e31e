// join / try_join (runtime/include/asynclab/join.hpp) and select / select_biased (select.hpp).
// Flavors (support/flavors.hpp): join's and try_join's values in the order written run on
// current_thread and on multi_thread(2) and (4) (timers already due there); the claims about
// virtual durations, the trace's polls, seeded fairness and polling order run on current_thread
// only. (select dropping its loser needs the winner to finish later than the loser's first poll: with
// a winner already due, select may pick it first and the loser never starts, so nothing is dropped.)
#include <catch2/catch.hpp>

#include <expected>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/futures.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;

namespace {

template <class T>
Task<T> value_after(Duration d, T v) {
  co_await sleep(d);
  co_return v;
}

using Fallible = std::expected<int, std::string>;

Task<Fallible> counted_ok_after(Duration d, int v) {
  counted local;
  co_await sleep(d);
  co_return v;
}
Task<Fallible> fails_after(Duration d, std::string why) {
  co_await sleep(d);
  co_return std::unexpected(std::move(why));
}

struct loser_tag {};
using loser_counted = basic_counted<loser_tag>;

Task<std::string> loser_after(Duration d, Log& log) {
  loser_counted local;
  LogOnDrop on_drop(log, "loser dropped");
  co_await sleep(d);
  co_return "loser";
}

// The winner's value: each move records how many losers had been destroyed by then, so the copy the
// caller finally holds tells what had happened when select handed the value over.
struct SeesLosers {
  int losers_destroyed_when_moved = -1;
  SeesLosers() = default;
  SeesLosers(SeesLosers&&) noexcept : losers_destroyed_when_moved(loser_counted::destructions) {}
};

Task<SeesLosers> winner_after(Duration d, Log& log) {
  co_await sleep(d);
  log.push_back("winner returns");
  co_return SeesLosers{};
}

// Runs `rounds` selects between two immediately ready branches and returns which branch won each.
std::vector<std::size_t> select_winners(std::uint64_t seed, int rounds) {
  std::vector<std::size_t> winners;
  auto rt = virtual_runtime(seed);
  rt.block_on([&]() -> Task<void> {
    for (int i = 0; i < rounds; ++i) {
      auto v = co_await select(ReadyFuture<int>(0), ReadyFuture<int>(1));
      winners.push_back(v.index());
    }
  });
  return winners;
}

}  // namespace

// --- join --------------------------------------------------------------------------------------

TEST_CASE("joining sleeps of 100, 200 and 300 ms finishes at 300 ms of virtual time, not 600", "[join]") {
  Duration took{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto start = elapsed();
    co_await join(sleep(100ms), sleep(200ms), sleep(300ms));
    took = elapsed() - start;
  });
  CHECK(took == 300ms);
}

TEST_CASE("awaiting the same sleeps one after another finishes at 600 ms", "[join]") {
  Duration took{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto start = elapsed();
    co_await sleep(100ms);
    co_await sleep(200ms);
    co_await sleep(300ms);
    took = elapsed() - start;
  });
  CHECK(took == 600ms);
}

TEST_CASE("join gives a tuple of the branches' values in the order written, whatever order they finish in",
          "[join]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<std::tuple<int, std::string, std::monostate>> got;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    got.emplace(co_await join(value_after(flavor.timer(30ms), 1),
                              value_after(flavor.timer(10ms), std::string("two")), sleep(flavor.timer(20ms))));
  });
  REQUIRE(got);
  CHECK(std::get<0>(*got) == 1);
  CHECK(std::get<1>(*got) == "two");
}

TEST_CASE("try_join returns the first error and drops the unfinished branches at once", "[join]") {
  counted::reset();
  std::optional<std::string> error;
  int alive_right_after = -1;
  Duration took{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto start = elapsed();
    auto all = try_join(counted_ok_after(100ms, 1), fails_after(50ms, "b failed"),
                        fails_after(70ms, "c failed"), counted_ok_after(200ms, 3));
    auto r = co_await all;  // a named future: only try_join itself can drop the other branches here
    alive_right_after = counted::alive();
    took = elapsed() - start;
    if (!r) error = r.error();
  });
  REQUIRE(error);
  CHECK(*error == "b failed");
  CHECK(took == 50ms);
  CHECK(alive_right_after == 0);
  CHECK(counted::default_constructions == 2);
  CHECK(counted::destructions == 2);
}

TEST_CASE("try_join returns every value, in order, when no branch fails", "[join]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<std::tuple<int, int>> values;
  Duration took{};
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto start = elapsed();
    auto r = co_await try_join(counted_ok_after(flavor.timer(40ms), 1), counted_ok_after(flavor.timer(20ms), 2));
    took = elapsed() - start;
    if (r) values = *r;
  });
  REQUIRE(values);
  CHECK(*values == std::tuple<int, int>{1, 2});
  if (!flavor.threaded()) CHECK(took == 40ms);  // virtual time
}

TEST_CASE("a join's branches share the task's waker: the task is polled once per timer", "[join]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> { co_await join(sleep(10ms), sleep(20ms), sleep(30ms)); });
  }
  TraceQuery q(rec.trace());
  const auto main_task = q.task_named("main");
  CHECK(q.count(EventKind::poll_begin, main_task) == 4);  // the first poll, then one per timer
  CHECK(q.wakes_from(main_task, trace::WakeSource::timer) == 3);
}

// --- select ------------------------------------------------------------------------------------

TEST_CASE("select gives the index and value of the first branch to finish", "[select]") {
  std::optional<std::variant<std::string, int>> got;
  Duration took{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto start = elapsed();
    got.emplace(co_await select(value_after(100ms, std::string("slow")), value_after(50ms, 7)));
    took = elapsed() - start;
  });
  REQUIRE(got);
  REQUIRE(got->index() == 1);
  CHECK(std::get<1>(*got) == 7);
  CHECK(took == 50ms);
}

TEST_CASE("select drops the losing branch before it returns the winner's value", "[select]") {
  loser_counted::reset();
  Log log;
  int destroyed_right_after = -1;
  int destroyed_when_value_handed_over = -1;
  std::size_t index = 99;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    // Awaited as a named future, so only select itself (not the end of the statement) can drop the loser.
    auto race = select(loser_after(1h, log), winner_after(10ms, log));
    auto v = co_await race;
    destroyed_right_after = loser_counted::destructions;
    log.push_back("select returned");
    index = v.index();
    if (v.index() == 1) destroyed_when_value_handed_over = std::get<1>(v).losers_destroyed_when_moved;
  });
  CHECK(index == 1);
  CHECK(destroyed_when_value_handed_over == 1);
  CHECK(destroyed_right_after == 1);
  CHECK(loser_counted::destructions == 1);
  CHECK(log == Log{"winner returns", "loser dropped", "select returned"});
}

TEST_CASE("select with the same seed picks the same branch among ready ones, and every branch gets picked",
          "[select]") {
  const auto first = select_winners(42, 64);
  const auto again = select_winners(42, 64);
  CHECK(first == again);
  std::set<std::size_t> seen(first.begin(), first.end());
  CHECK(seen == std::set<std::size_t>{0, 1});
}

TEST_CASE("select_biased polls its branches in the order written", "[select]") {
  Log log;
  std::vector<std::size_t> winners;
  auto rt = virtual_runtime(7);
  rt.block_on([&]() -> Task<void> {
    for (int i = 0; i < 16; ++i) {
      auto v = co_await select_biased(ReadyFuture<int>(0), ReadyFuture<int>(1));
      winners.push_back(v.index());
    }
    auto v = co_await select_biased(ParkedForever(nullptr, &log), ReadyFuture<int>(1, nullptr, &log, "b"),
                                    ReadyFuture<int>(2, nullptr, &log, "c"));
    winners.push_back(v.index());
  });
  std::vector<std::size_t> expected(16, 0);
  expected.push_back(1);
  CHECK(winners == expected);
  CHECK(log == Log{"parked polled at 0 ms", "b polled"});
}
