// Code shapes a learner writes that GCC 12 miscompiles, and that the project's compiler (Clang 19,
// CMakePresets.json) compiles correctly: each runs here as written, on the virtual-time runtime.
// Under the ci-sanitize build a double destruction or a read of freed memory fails the test, so a
// regression of the compiler choice shows up here, not in a learner's exercise.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

Runtime runtime() { return Runtime::builder().current_thread().virtual_time().build(); }

// A future built as a braced temporary inside `co_await`, holding a shared_ptr: GCC 12 copied it
// bit for bit into the frame and destroyed the shared_ptr twice.
struct HoldsShared {
  using Output = long;
  std::shared_ptr<int> held;
  Poll<long> poll(Context&) { return Poll<long>::ready(held.use_count()); }
};

Task<int> answer(int v) {
  co_await sleep(1ms);
  co_return v;
}

}  // namespace

TEST_CASE("a lambda with a std::string capture, made inside co_await spawn_blocking(...), runs once and is destroyed once",
          "[compiler]") {
  // Exercise 10's shape, which crashed under GCC 12.
  auto rt = runtime();
  const std::string path = "notes/a-path-long-enough-to-live-on-the-heap.txt";
  auto size = rt.block_on([&]() -> Task<std::size_t> {
    auto read = co_await spawn_blocking([path] { return path.size(); }, "read");
    co_return read.value();
  });
  CHECK(size == path.size());
}

TEST_CASE("a braced temporary future with a shared_ptr member, awaited in place, keeps the right use count",
          "[compiler]") {
  auto rt = runtime();
  auto shared = std::make_shared<int>(7);
  const long seen = rt.block_on([&]() -> Task<long> { co_return co_await HoldsShared{shared}; });
  CHECK(seen == 2);  // `shared` here and the copy in the temporary
  CHECK(shared.use_count() == 1);
}

TEST_CASE("co_await inside a conditional expression takes the branch the condition picks, once", "[compiler]") {
  auto rt = runtime();
  for (const bool first : {true, false}) {
    CAPTURE(first);
    const int v = rt.block_on([&]() -> Task<int> {
      const std::string tag = "a string with a destructor, alive across the await";
      const int got = first ? co_await answer(1) : co_await answer(2);
      co_return got + static_cast<int>(tag.size() > 0);
    });
    CHECK(v == (first ? 2 : 3));
  }
}

TEST_CASE("a coroutine lambda called on the spot is safe when awaited in the same statement", "[compiler]") {
  // The lambda (and its copy of `s`) lives until the end of the full expression, which includes the
  // co_await. `auto t = [s]() -> Task<...> {...}();` would keep a Task whose lambda is already gone:
  // that is C++'s rule, not a compiler bug (lesson 07 says so).
  auto rt = runtime();
  const std::size_t n = rt.block_on([]() -> Task<std::size_t> {
    const std::string s = "captured by value, read after a suspension";
    co_return co_await [s]() -> Task<std::size_t> {
      co_await sleep(5ms);
      co_return s.size();
    }();
  });
  CHECK(n == std::string("captured by value, read after a suspension").size());
}

TEST_CASE("spawn keeps a coroutine lambda's captures alive as long as the task", "[compiler]") {
  auto rt = runtime();
  const std::size_t n = rt.block_on([]() -> Task<std::size_t> {
    std::string s = "moved into the task's lambda, read 10 ms later";
    auto handle = spawn([s = std::move(s)]() -> Task<std::size_t> {
      co_await sleep(10ms);
      co_return s.size();
    }, "keeps its captures");
    auto got = co_await handle;
    co_return got.value();
  });
  CHECK(n == std::string("moved into the task's lambda, read 10 ms later").size());
}
