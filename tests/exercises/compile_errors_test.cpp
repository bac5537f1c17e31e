// The commonest mistakes of a learner new to coroutines, compiled for real with the project's own
// compiler (CMAKE_CXX_COMPILER), and the plain words `asynclab grade` puts before the compiler's
// first error (exercises/grading/compile_errors.hpp). One row per mistake: the snippet, the words
// that must appear, and the line they must name.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "compile_errors.hpp"
#include "grade.hpp"
#include "support/process.hpp"

using namespace asynclab::testing;
namespace fs = std::filesystem;

namespace {

// What every snippet starts with: two lines, so the mistake is on line 3 or later.
constexpr const char* prelude =
    "#include \"asynclab/asynclab.hpp\"\n"
    "using namespace asynclab; using namespace std::chrono_literals; Task<int> fetch(int v) { co_await sleep(1ms); co_return v; }\n";

struct Mistake {
  const char* name;
  const char* code;   // line 3 on
  int line;           // where the explanation must point
  const char* words;  // a phrase it must contain
};

constexpr Mistake mistakes[] = {
    {"forgetting co_await on a call", "Task<int> f() {\n  int v = fetch(1);\n  co_return v;\n}\n", 4,
     "put `co_await` in front"},
    {"forgetting co_await on a JoinHandle's value",
     "Task<int> f() {\n  auto h = spawn(fetch(1));\n  co_return h.value();\n}\n", 5, "put `co_await` in front"},
    {"co_return of a future", "Task<int> f() {\n  co_return fetch(1);\n}\n", 4, "`co_return` is given a future"},
    {"a Task given to select by copy",
     "Task<int> f() {\n  auto a = fetch(1);\n  auto r = co_await select(a, sleep(1s));\n  co_return 0;\n}\n", 5,
     "a future cannot be copied, only moved"},
    {"a join taken apart without co_await",
     "Task<int> f() {\n  auto [a, b] = join(fetch(1), fetch(2));\n  co_return a + b;\n}\n", 4,
     "`join(...)` is a future itself"},
    {"return instead of co_return", "Task<int> f() {\n  int v = co_await fetch(1);\n  return v;\n}\n", 5,
     "`co_return value;`, not `return value;`"},
    {"a coroutine lambda without -> Task<T>",
     "Task<int> f() {\n  auto h = spawn([]() { co_await sleep(1ms); co_return 1; });\n  auto r = co_await h;\n  co_return "
     "r.value();\n}\n",
     4, "must say what it returns: `[...]() -> Task<int>"},
    {"a receiver used in a lambda that is not mutable",
     "Task<void> f() {\n  auto [tx, rx] = sync::mpsc::channel<int>(4);\n  auto h = spawn([rx = std::move(rx)]() -> "
     "Task<void> {\n    auto v = co_await rx.recv();\n    (void)v;\n  });\n  co_return;\n}\n",
     6, "`recv` changes the object it is called on"},
    {"oneshot send without std::move",
     "Task<void> f() {\n  auto [tx, rx] = sync::oneshot::channel<int>();\n  tx.send(1);\n  auto v = co_await "
     "rx;\n  (void)v;\n}\n",
     5, "`send` uses up the object it is called on"},
};

// The compiler's output for `code` after the prelude (it must fail to compile).
std::string compile(const Mistake& m) {
  const fs::path dir = scratch() / "compile-errors";
  fs::create_directories(dir);
  const fs::path file = dir / "exercise.cpp";
  std::ofstream(file) << prelude << m.code;
  const fs::path log = dir / "compiler.log";
  const std::string cmd = fmt::format("{} -std=c++23 -fsyntax-only -I{} {} >{} 2>&1", quoted(fs::path(ASYNCLAB_CXX)),
                                      quoted(fs::path(ASYNCLAB_RUNTIME_INCLUDE)), quoted(file), quoted(log));
  const int status = std::system(cmd.c_str());
  return status == 0 ? std::string() : slurp(log);
}

}  // namespace

TEST_CASE("the commonest compile errors are explained in plain words, naming the line", "[grade][compile-errors]") {
  for (const Mistake& m : mistakes) {
    CAPTURE(m.name);
    const std::string log = compile(m);
    INFO(log);
    REQUIRE_FALSE(log.empty());  // the snippet does not compile
    const auto explained = asynclab::grading::explain_compile_error(log);
    REQUIRE(explained);
    CHECK_THAT(explained->words, Catch::Contains(m.words));
    CHECK(explained->file == "exercise.cpp");
    CHECK(explained->line == m.line);
    CHECK_THAT(explained->words, Catch::StartsWith(fmt::format("exercise.cpp line {}: ", m.line)));
    // The summary `grade` prints: the words first, then the compiler's own first error.
    const std::string summary = asynclab::grading::first_build_error(log);
    CHECK_THAT(summary, Catch::StartsWith(explained->words));
    CHECK_THAT(summary, Catch::Contains("The compiler's first error:\nexercise.cpp") ||
                            Catch::Contains("The compiler's first error:\n/"));
  }
}

TEST_CASE("an error the table does not know is left to the compiler's own words", "[grade][compile-errors]") {
  const std::string log = "exercise.cpp:7:3: error: use of undeclared identifier 'frobnicate'\n  frobnicate();\n  ^\n";
  CHECK_FALSE(asynclab::grading::explain_compile_error(log));
  CHECK(asynclab::grading::first_build_error(log) == log.substr(0, log.size() - 1));
}

TEST_CASE("a link error names the function nobody defines, as the learner wrote it", "[grade][compile-errors]") {
  const fs::path dir = scratch() / "link-errors";
  fs::create_directories(dir);
  const fs::path file = dir / "exercise.cpp";
  // Declared (as a grader declares what it calls), never defined: the learner renamed it.
  std::ofstream(file) << "#include <string>\nint count_words(std::string text, int limit);\n"
                         "int main() { return count_words(\"a b\", 2); }\n";
  const fs::path log = dir / "linker.log";
  const std::string cmd = fmt::format("{} -std=c++23 {} -o {} >{} 2>&1", quoted(fs::path(ASYNCLAB_CXX)), quoted(file),
                                      quoted(dir / "a.out"), quoted(log));
  REQUIRE(std::system(cmd.c_str()) != 0);
  const std::string text = slurp(log);
  INFO(text);
  const auto explained = asynclab::grading::explain_compile_error(text);
  REQUIRE(explained);
  CHECK_THAT(explained->words, Catch::StartsWith("the program could not be linked: nothing defines "
                                                 "`count_words(std::string, int)`"));
}
