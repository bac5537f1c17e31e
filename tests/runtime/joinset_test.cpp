// JoinSet<T> (runtime/include/asynclab/join_set.hpp).
// Flavors (support/flavors.hpp): len and join_next, the empty set, and a panic among the results run
// on current_thread and on multi_thread(2) and (4) (timers already due there); completion order in
// virtual time, abort_all's and drop's exact lifetimes run on current_thread only.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
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

namespace {

Task<int> ms_after(int ms) {
  co_await sleep(std::chrono::milliseconds(ms));
  co_return ms;
}
// The same on a flavor: the timer is already due on worker threads.
Task<int> ms_after(int ms, Flavor flavor) {
  co_await sleep(flavor.timer(std::chrono::milliseconds(ms)));
  co_return ms;
}

Task<int> counted_ms_after(int ms) {
  counted local;
  co_await sleep(std::chrono::milliseconds(ms));
  co_return ms;
}

Task<int> panics_after(int ms, Flavor flavor) {
  co_await sleep(flavor.timer(std::chrono::milliseconds(ms)));
  throw std::runtime_error("panicked after " + std::to_string(ms) + " ms");
  co_return 0;
}

}  // namespace

TEST_CASE("JoinSet gives results in completion order, not spawn order", "[joinset]") {
  std::vector<int> order;
  std::vector<Duration> at;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    set.spawn(ms_after(30));
    set.spawn(ms_after(10));
    set.spawn(ms_after(20));
    while (auto r = co_await set.join_next()) {
      if (r->has_value()) order.push_back(**r);
      at.push_back(elapsed());
    }
  });
  CHECK(order == std::vector<int>{10, 20, 30});
  CHECK(at == std::vector<Duration>{10ms, 20ms, 30ms});
}

TEST_CASE("JoinSet keeps completion order for results that piled up before join_next was awaited",
          "[joinset]") {
  std::vector<int> order;
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    set.spawn(ms_after(30));
    set.spawn(ms_after(10));
    set.spawn(ms_after(20));
    co_await sleep(50ms);  // every task has finished; their results wait in the set
    while (auto r = co_await set.join_next())
      if (r->has_value()) order.push_back(**r);
  });
  CHECK(order == std::vector<int>{10, 20, 30});
}

TEST_CASE("JoinSet's len counts the results not yet taken and join_next gives nothing once it is empty",
          "[joinset]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<std::size_t> lens;
  bool empty_result = false;
  bool is_empty = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    set.spawn(ms_after(5, flavor));
    set.spawn(ms_after(1, flavor));
    set.spawn(ms_after(3, flavor));
    lens.push_back(set.len());
    for (int i = 0; i < 3; ++i) {
      (void)co_await set.join_next();
      lens.push_back(set.len());
    }
    is_empty = set.is_empty();
    empty_result = !(co_await set.join_next()).has_value();
  });
  CHECK(lens == std::vector<std::size_t>{3, 2, 1, 0});
  CHECK(is_empty);
  CHECK(empty_result);
}

TEST_CASE("join_next on a JoinSet that never had a task gives nothing at once", "[joinset]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  bool empty_result = false;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    empty_result = !(co_await set.join_next()).has_value();
  });
  CHECK(empty_result);
}

TEST_CASE("abort_all gives a cancelled result for every task and runs their destructors", "[joinset]") {
  counted::reset();
  int cancelled = 0;
  int values = 0;
  int results = 0;
  Duration done_at{};
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    for (int ms : {100, 200, 300}) set.spawn(counted_ms_after(ms));
    co_await yield_now();  // every task starts and parks on its sleep
    set.abort_all();
    while (auto r = co_await set.join_next()) {
      ++results;
      if (r->has_value())
        ++values;
      else if (r->error().is_cancelled())
        ++cancelled;
    }
    done_at = elapsed();
  });
  CHECK(results == 3);
  CHECK(cancelled == 3);
  CHECK(values == 0);
  CHECK(counted::default_constructions == 3);
  CHECK(counted::destructions == 3);
  CHECK(done_at == 0ms);
}

TEST_CASE("a panicking task in a JoinSet gives a panic result and the others still finish", "[joinset]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::vector<int> values;
  std::vector<std::string> panics;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    JoinSet<int> set;
    set.spawn(ms_after(10, flavor));
    set.spawn(panics_after(20, flavor));
    set.spawn(ms_after(30, flavor));
    while (auto r = co_await set.join_next()) {
      if (r->has_value())
        values.push_back(**r);
      else if (r->error().is_panic())
        panics.push_back(r->error().panic_message());
    }
  });
  if (flavor.threaded()) std::sort(values.begin(), values.end());  // completion order is the threads'
  CHECK(values == std::vector<int>{10, 30});
  CHECK(panics == std::vector<std::string>{"panicked after 20 ms"});
}

TEST_CASE("dropping a JoinSet aborts the tasks still in it", "[joinset]") {
  counted::reset();
  trace::Recorder rec;
  int alive_before_drop = -1;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      {
        JoinSet<int> set;
        set.spawn(counted_ms_after(100), "in set");
        co_await yield_now();
        alive_before_drop = counted::alive();
      }
      co_await sleep(1ms);  // the scheduler reaches the aborted task
    });
    CHECK(counted::destructions == 1);
  }
  CHECK(alive_before_drop == 1);
  TraceQuery q(rec.trace());
  CHECK(q.outcome(q.task_named("in set")) == trace::Outcome::cancelled);
}
