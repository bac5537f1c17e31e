// The verdicts `asynclab grade` gives that are decided outside a grader's own checks: the compiler's
// first error out of a build log, and a verdict from the reporter's results.
#include <catch2/catch.hpp>

#include "grade.hpp"
#include "runner.hpp"

using namespace asynclab::grading;

TEST_CASE("a compile error is reported by the compiler's first error, with its caret lines", "[exercises][runner]") {
  const std::string log = R"([1/3] Building CXX object exercises/CMakeFiles/grade_04.dir/04-join-fetches/exercise.cpp.o
FAILED: exercises/CMakeFiles/grade_04.dir/04-join-fetches/exercise.cpp.o
/usr/bin/c++ -std=c++23 -c exercises/04-join-fetches/exercise.cpp
exercises/04-join-fetches/exercise.cpp:19:14: error: expected primary-expression before ';' token
   19 | int broken = ;
      |              ^
exercises/04-join-fetches/exercise.cpp:20:1: error: 'nonsense' does not name a type
ninja: build stopped: subcommand failed.
)";
  CHECK(first_build_error(log) ==
        "exercises/04-join-fetches/exercise.cpp:19:14: error: expected primary-expression before ';' token\n"
        "   19 | int broken = ;\n"
        "      |              ^");
  const std::string link = R"([3/3] Linking CXX executable exercises/grade_04
FAILED: exercises/grade_04
/usr/bin/ld: grade.cpp.o: in function `run': undefined reference to `total_bytes(std::string, std::string)'
collect2: error: ld returned 1 exit status
)";
  CHECK_THAT(first_build_error(link), Catch::StartsWith("/usr/bin/ld: grade.cpp.o: in function `run': undefined reference"));
}

TEST_CASE("the verdict from results: the first failing point decides, by what the grader said", "[exercises][runner]") {
  std::string summary;
  CHECK(judge({}, summary) == Verdict::no_tests);
  TestResult ok{"sums", {"ex04", "task_1"}, true, "passed", ""};
  CHECK(judge({ok}, summary) == Verdict::passed);
  CHECK(summary.empty());
  TestResult failed{"overlaps", {"ex04", "task_2"}, false, "failed", "seed 1: the run ended at 600 ms"};
  CHECK(judge({ok, failed}, summary) == Verdict::failed);
  CHECK(summary == "overlaps\nseed 1: the run ended at 600 ms");
  CHECK(failed.task_id() == "task_2");
  TestResult stuck{"finishes", {"ex11", "task_2"}, false, "failed", "deadlock (seed 2): the run stopped at 3 ms"};
  CHECK(judge({ok, stuck}, summary) == Verdict::deadlock);
  TestResult threw{"errors", {"ex14", "task_2"}, false, "threw", "threw: bad access"};
  CHECK(judge({threw}, summary) == Verdict::threw);
  TestResult crashed{"crash", {"ex04", "task_1"}, false, "crashed", "SIGSEGV"};
  CHECK(judge({crashed}, summary) == Verdict::crashed);
}
