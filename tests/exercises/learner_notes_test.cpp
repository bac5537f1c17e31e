// What `asynclab grade` says beside the verdict (exercises/grading/learner_notes.hpp): coroutine
// lambdas that dangle, the compiler's warnings on the learner's files, and forgotten futures in the
// learner's saved run.
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/file.hpp"
#include "learner_notes.hpp"
#include "support/process.hpp"

using namespace asynclab::grading;
namespace fs = std::filesystem;

TEST_CASE("a coroutine lambda with captures called on the spot is named with its line, awaited on the spot (two "
          "in one join too), captureless, kept, or in a comment it is not",
          "[grade][notes]") {
  const std::string source = R"src(#include "asynclab/asynclab.hpp"
using namespace asynclab;
Task<std::string> render();
Task<void> f(std::string title) {
  auto h = spawn([title]() -> Task<std::string> {
    co_return title + co_await render();
  }(), "report");
  auto safe = co_await [title]() -> Task<std::string> { co_return title; }();
  auto none = []() -> Task<int> { co_return 1; }();
  auto kept = [title]() -> Task<int> { co_return 1; };
  // auto t = [title]() -> Task<int> { co_return 1; }();
  const char* s = "[title]() -> Task<int> { co_return 1; }()";
  auto t = [&title,
            n = 2]() mutable -> asynclab::Task<int> { co_return n; }();
  auto [x, y] = co_await join([&]() -> Task<int> { co_return 1; }(),
                              [&]() -> Task<int> { co_return 2; }());
  auto raced = co_await select(spawn([title]() -> Task<int> { co_return 1; }()), sleep(1ms));
  co_return;
}
)src";
  const auto notes = dangling_coroutine_lambdas(source, "exercise.cpp");
  REQUIRE(notes.size() == 3);
  CHECK_THAT(notes[0], Catch::StartsWith("exercise.cpp line 5: a coroutine lambda with captures ([title]) is called "
                                         "on the spot"));
  CHECK_THAT(notes[0], Catch::Contains("Make it a named function"));
  CHECK_THAT(notes[1], Catch::StartsWith("exercise.cpp line 13:") && Catch::Contains("([&title,            n = 2])"));
  // Awaited in its statement, but spawned: a select that the timer wins detaches the task.
  CHECK_THAT(notes[2], Catch::StartsWith("exercise.cpp line 17:"));
  CHECK(dangling_coroutine_lambdas("", "exercise.cpp").empty());
  CHECK(dangling_coroutine_lambdas("auto t = [x]() -> Task<int> { co_return 1; ", "exercise.cpp").empty());  // cut off
}

TEST_CASE("a coroutine taking a const reference or a string_view is named with its line and parameter, by value, "
          "by non-const reference, or a plain function it is not",
          "[grade][notes]") {
  const std::string source = R"src(#include "asynclab/asynclab.hpp"
using namespace asynclab;
Task<std::size_t> page_and_image(const std::string& url) {
  co_return url.size();
}
Task<int> by_value(std::string url, int n) { co_return n; }
Task<bool> shared(bank::Bank& bank, sync::mpsc::Receiver<int>& inbox) { co_return true; }
std::size_t plain(const std::string& s) { return s.size(); }
asynclab::Task<void> two(std::map<std::string, int> const& table,
                         std::string_view name) {
  co_return;
}
// Task<int> commented(const std::string& s) { co_return 1; }
)src";
  const auto notes = coroutine_reference_parameters(source, "exercise.cpp");
  REQUIRE(notes.size() == 3);
  CHECK_THAT(notes[0], Catch::StartsWith("exercise.cpp line 3: the coroutine page_and_image takes url as "
                                         "`const std::string&`"));
  CHECK_THAT(notes[0], Catch::Contains("Take it by value"));
  CHECK_THAT(notes[1], Catch::StartsWith("exercise.cpp line 9: the coroutine two takes table as "
                                         "`std::map<std::string, int> const&`"));
  CHECK_THAT(notes[2], Catch::StartsWith("exercise.cpp line 9: the coroutine two takes name as `std::string_view`"));
  CHECK(coroutine_reference_parameters("", "exercise.cpp").empty());
}

TEST_CASE("the compiler's warnings are kept for the exercise's own files only, once each, in words",
          "[grade][notes]") {
  const fs::path dir = asynclab::testing::scratch() / "notes" / "12-cancel-safe-select";
  fs::create_directories(dir);
  const std::string log =
      "[1/2] Building CXX object exercises/x.o\n" + (dir / "exercise.cpp").string() +
      ":35:3: warning: ignoring return value of function declared with 'nodiscard' attribute: futures are lazy: a "
      "Task does nothing until it is awaited or spawned [-Wunused-result]\n"
      "   35 |   decode(*message);\n" +
      (dir / "exercise.cpp").string() +
      ":35:3: warning: ignoring return value of function declared with 'nodiscard' attribute: futures are lazy: a "
      "Task does nothing until it is awaited or spawned [-Wunused-result]\n"
      "/work/main/runtime/include/asynclab/task.hpp:10:1: warning: something in the runtime [-Wfoo]\n"
      "/usr/include/c++/12/bits/stl_vector.h:1:1: warning: a system header\n";
  const auto notes = compiler_warnings(log, dir);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "exercise.cpp line 35: the compiler warns: ignoring return value of function declared with "
                    "'nodiscard' attribute: futures are lazy: a Task does nothing until it is awaited or spawned");
}

namespace {
asynclab::Task<int> never_awaited() {
  co_await asynclab::sleep(std::chrono::milliseconds(1));
  co_return 1;
}
// Kept in a vector, as exercise 01's shipped code keeps its texts, then dropped unpolled.
asynclab::Task<void> forgets_twice() {
  std::vector<asynclab::Task<int>> kept;
  kept.push_back(never_awaited());
  kept.push_back(never_awaited());
  co_return;
}
}  // namespace

TEST_CASE("forgotten futures of the saved run are said once per coroutine, with how often", "[grade][notes]") {
  asynclab::trace::Recorder recorder;
  asynclab::Runtime::builder().current_thread().virtual_time().trace(recorder).build().block_on(forgets_twice());
  const fs::path file = asynclab::testing::scratch() / "notes" / "forgets.altrace";
  fs::create_directories(file.parent_path());
  REQUIRE(asynclab::trace::save(recorder.take(), file));
  const auto notes = run_lints(file);
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes[0], Catch::StartsWith("in your run, a future of ") && Catch::Contains("never_awaited") &&
                           Catch::Contains("learner_notes_test.cpp") && Catch::Contains("forgotten future, 2 times"));
  CHECK(run_lints(asynclab::testing::scratch() / "notes" / "no-such.altrace").empty());
}
