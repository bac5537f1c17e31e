// The verdicts `asynclab grade` gives that are decided outside a grader's own checks: the compiler's
// first error out of a build log, a verdict from the reporter's results, the checks a grader
// declares, the seal on its results, and the limits a teacher writes.
#include <signal.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "declared_test_cases.hpp"
#include "grade.hpp"
#include "limits.hpp"
#include "results_channel.hpp"
#include "runner.hpp"

using namespace asynclab::grading;

namespace {

TestResult result(std::string name, std::vector<std::string> tags, bool passed, std::string kind, std::string message) {
  TestResult t;
  t.name = std::move(name);
  t.tags = std::move(tags);
  t.passed = passed;
  t.kind = std::move(kind);
  t.message = std::move(message);
  return t;
}

}  // namespace

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
  // A link error names the function nobody defines, in the words the learner wrote it in.
  CHECK_THAT(first_build_error(link),
             Catch::StartsWith("the program could not be linked: nothing defines `total_bytes(std::string, std::string)`") &&
                 Catch::Contains("The compiler's first error:\n/usr/bin/ld: grade.cpp.o: in function `run': undefined reference"));
}

TEST_CASE("the verdict from results: the first failing point decides, by what the grader said", "[exercises][runner]") {
  std::string summary;
  CHECK(judge({}, summary) == Verdict::no_tests);
  const TestResult ok = result("sums", {"ex04", "task_1"}, true, "passed", "");
  CHECK(judge({ok}, summary) == Verdict::passed);
  CHECK(summary.empty());
  const TestResult failed = result("overlaps", {"ex04", "task_2"}, false, "failed", "seed 1: the run ended at 600 ms");
  CHECK(judge({ok, failed}, summary) == Verdict::failed);
  CHECK(summary == "overlaps\nseed 1: the run ended at 600 ms");
  CHECK(failed.task_id() == "task_2");
  const TestResult stuck = result("finishes", {"ex11", "task_2"}, false, "failed", "deadlock (seed 2): the run stopped at 3 ms");
  CHECK(judge({ok, stuck}, summary) == Verdict::deadlock);
  const TestResult threw = result("errors", {"ex14", "task_2"}, false, "threw", "threw: bad access");
  CHECK(judge({threw}, summary) == Verdict::threw);
  const TestResult crashed = result("crash", {"ex04", "task_1"}, false, "crashed", "SIGSEGV");
  CHECK(judge({crashed}, summary) == Verdict::crashed);
}

TEST_CASE("a check that never reported makes the verdict 'did not finish its checks'", "[exercises][runner]") {
  std::string summary;
  const TestResult ok = result("sums", {"ex04", "task_1"}, true, "passed", "");
  const TestResult missing = result("overlaps", {"ex04", "task_2"}, false, "not_reported", "not reported: the grader exited");
  CHECK(judge({ok, missing}, summary) == Verdict::incomplete);
  CHECK(verdict_words(Verdict::incomplete) == "did not finish its checks");
  CHECK(verdict_words(Verdict::over_limit) == "went over a limit");
  for (auto v : {Verdict::passed, Verdict::failed, Verdict::threw, Verdict::deadlock, Verdict::crashed,
                 Verdict::timed_out, Verdict::over_limit, Verdict::incomplete, Verdict::did_not_compile,
                 Verdict::no_tests})
    CHECK(verdict_named(verdict_name(v)) == v);
  CHECK_FALSE(verdict_named("done").has_value());
}

TEST_CASE("a crash's signal is said in words a learner reads", "[exercises][runner]") {
  CHECK(signal_in_words(SIGABRT) == "SIGABRT: aborted (an uncaught exception, std::terminate, or abort)");
  CHECK_THAT(signal_in_words(SIGSEGV), Catch::StartsWith("SIGSEGV: a bad memory access"));
  CHECK_THAT(signal_in_words(SIGFPE), Catch::Contains("divided by zero"));
  CHECK_THAT(signal_in_words(SIGUSR1), Catch::StartsWith("SIGUSR1: "));
}

TEST_CASE("a grader's checks are read from its source: names, tags, order", "[exercises][runner]") {
  const auto cases = declared_test_cases(R"cpp(
// Each TEST_CASE is one graded point.   <- running text, not a case
/* TEST_CASE("commented out", "[x]") */
const char* text = "TEST_CASE(\"in a string\")";
const char* raw = R"x(TEST_CASE("in a raw string"))x";
int n = 1'000;  char quote = '"';
TEST_CASE("sums the \"three\" bodies", "[ex04][task_1]") {}
TEST_CASE("a name split "
          "over two literals",
          "[ex04]"
          "[task_2]") {}
TEST_CASE ( "spaced" , "[ex04][task_3]" ) {}
)cpp");
  REQUIRE(cases);
  REQUIRE(cases->size() == 3);
  CHECK((*cases)[0].name == "sums the \"three\" bodies");
  CHECK((*cases)[0].tags == "[ex04][task_1]");
  CHECK((*cases)[1].name == "a name split over two literals");
  CHECK((*cases)[1].tags == "[ex04][task_2]");
  CHECK((*cases)[2].name == "spaced");

  const auto generated = declared_test_cases("#define NAME \"x\"\nTEST_CASE(NAME, \"[a]\") {}\n");
  REQUIRE_FALSE(generated);
  CHECK_THAT(generated.error(), Catch::StartsWith("line 2: TEST_CASE's name is not a string literal"));
  const auto hidden = declared_test_cases("TEST_CASE(\"later\", \"[.][task_9]\") {}\n");
  REQUIRE_FALSE(hidden);
  CHECK_THAT(hidden.error(), Catch::StartsWith("line 1: TEST_CASE \"later\" is hidden"));
  const auto scenario = declared_test_cases("\n\nSCENARIO(\"a story\") {}\n");
  REQUIRE_FALSE(scenario);
  CHECK(scenario.error() == "line 3: a grader declares its checks with TEST_CASE only, not SCENARIO");
  CHECK((*declared_test_cases(R"(TEST_CASE("tab\tand\\slash", "[x]") {})"))[0].name == "tab\tand\\slash");
}

TEST_CASE("a grader's checks under #if 0 are not compiled and not counted, "
          "under any other #if they are refused",
          "[exercises][runner]") {
  const auto cases = declared_test_cases(R"cpp(#include "x.hpp"
#if 0
TEST_CASE("old version", "[ex04][task_1]") {}
  #ifdef NESTED
  TEST_CASE("nested", "[x]") {}
  #endif
/*
#endif   <- in a comment: not a directive
*/
const char* s = "don't";
#else
TEST_CASE("new version", "[ex04][task_1]") {}
#endif // 0
  # if 0 /* spaced */
TEST_CASE("also old", "[x]") {}
  # endif
TEST_CASE("last", "[ex04][task_2]") {}
)cpp");
  REQUIRE(cases);
  REQUIRE(cases->size() == 2);
  CHECK((*cases)[0].name == "new version");
  CHECK((*cases)[1].name == "last");

  for (const char* condition : {"#ifdef FAST", "#ifndef FAST", "#if FAST > 1", "#if 0\n#elif 1"}) {
    CAPTURE(condition);
    const auto conditional =
        declared_test_cases(std::string(condition) + "\nTEST_CASE(\"maybe\", \"[x]\") {}\n#endif\n");
    REQUIRE_FALSE(conditional);
    CHECK_THAT(conditional.error(), Catch::Contains("inside the #if of line"));
  }
  CHECK_FALSE(declared_test_cases("#endif\n"));
  CHECK_FALSE(declared_test_cases("#else\n"));

  // Other directives are read as code: a TEST_CASE made by a macro is refused, as anywhere.
  const auto made = declared_test_cases("#define TASK(n) TEST_CASE(n, \"[x]\")\nTASK(\"b\") {}\n");
  REQUIRE_FALSE(made);
  CHECK_THAT(made.error(), Catch::Contains("TEST_CASE's name is not a string literal"));
  // Under #if 0, strings hide a "/*" and a raw string hides an #endif, as the compiler reads them;
  // an apostrophe in a word is only a character.
  for (const char* skipped : {"#if 0\nconst char* g = \"src/*.cpp\";\n#endif\n",
                              "#if 0\nauto s = R\"(\n#endif\n)\";\n#endif\n", "#if 0\ndon't\n#endif\n"}) {
    CAPTURE(skipped);
    const auto after = declared_test_cases(std::string(skipped) + "TEST_CASE(\"after\", \"[x]\") {}\n");
    REQUIRE(after);
    REQUIRE(after->size() == 1);
    CHECK((*after)[0].name == "after");
  }
  // A directive goes on over a continued line (\\ before \n or \r\n) and a block comment it opens.
  for (const char* directive : {"#ifdef A \\\r\nTEST_CASE(\"in the directive\", \"[x]\")\r\n#endif\r\n",
                                "#ifdef A /* e.g.\nTEST_CASE(\"in a comment\", \"[x]\") */\n#endif\n",
                                "#if \\\n  0\nTEST_CASE(\"under a continued #if 0\", \"[x]\")\n#endif\n"}) {
    CAPTURE(directive);
    const auto none = declared_test_cases(directive);
    REQUIRE(none);
    CHECK(none->empty());
  }
}

TEST_CASE("every exercise's checks are compiled into asynclab, as its grade.cpp declares them", "[exercises][runner]") {
  const auto catalog = ExerciseCatalog::load();
  REQUIRE(catalog);
  for (const auto& e : catalog->exercises()) {
    CAPTURE(e.folder);
    const auto* compiled = expected_test_cases(e.folder);
    REQUIRE(compiled != nullptr);
    std::ifstream in(e.dir / "grade.cpp");
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto declared = declared_test_cases(source);
    REQUIRE(declared);
    REQUIRE(compiled->size() == declared->size());
    for (std::size_t i = 0; i < declared->size(); ++i) CHECK((*compiled)[i].name == (*declared)[i].name);
  }
  CHECK(expected_test_cases("99-no-such-exercise") == nullptr);
}

TEST_CASE("SipHash-2-4 gives the reference answer, a sealed line opens only as written, in its place, under its key",
          "[exercises][runner]") {
  channel::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  std::string fifteen;
  for (char c = 0; c < 15; ++c) fifteen += c;
  CHECK(channel::siphash24(key, fifteen) == 0xa129ca6149be45e5ULL);  // the paper's test vector
  CHECK(channel::siphash24(key, "") == 0x726fdb47dd0e0e31ULL);

  const std::string json = R"({"name":"sums","passed":true})";
  std::string line = channel::seal_line(key, 0, json);
  REQUIRE(line.back() == '\n');
  line.pop_back();
  CHECK(channel::open_line(key, 0, line) == json);
  CHECK_FALSE(channel::open_line(key, 1, line).has_value());  // out of its place
  std::string forged = line;
  forged.replace(forged.find("true"), 4, "1   ");
  CHECK_FALSE(channel::open_line(key, 0, forged).has_value());  // altered
  channel::Key other = key;
  other[0] ^= 1;
  CHECK_FALSE(channel::open_line(other, 0, line).has_value());  // another run's key
  CHECK_FALSE(channel::open_line(key, 0, json).has_value());    // no seal at all
  CHECK_FALSE(channel::open_line(key, 0, "").has_value());
  CHECK(channel::fresh_key() != channel::fresh_key());
}

TEST_CASE("limits are written as a teacher writes them, and a wrong one is named", "[exercises][runner]") {
  CHECK(parse_bytes("2G") == std::uint64_t{2} << 30);
  CHECK(parse_bytes("512MiB") == std::uint64_t{512} << 20);
  CHECK(parse_bytes("64k") == std::uint64_t{64} << 10);
  CHECK(parse_bytes("1048576") == std::uint64_t{1} << 20);
  CHECK_FALSE(parse_bytes("lots").has_value());
  CHECK_FALSE(parse_bytes("0").has_value());
  CHECK_FALSE(parse_bytes("99999999999T").has_value());  // overflows
  CHECK(format_bytes(std::uint64_t{2} << 30) == "2 GiB");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(100) == "100 bytes");

  Limits limits;
  CHECK(describe_limits(limits) ==
        "memory 2 GiB, CPU 60 s, 64 processes, files up to 64 MiB, 256 open files, output kept 1 MiB");
  REQUIRE(set_limit(limits, "memory", "4G"));
  CHECK(limits.memory == std::uint64_t{4} << 30);
  REQUIRE(set_limit(limits, "processes", " 8 "));
  CHECK(limits.processes == 8);
  CHECK(set_limit(limits, "processes", "many").error() == "processes must be a number of processes from 1 to 4096, not 'many'");
  CHECK_THAT(set_limit(limits, "memory", "1k").error(), Catch::StartsWith("memory must be a size of at least 64 MiB"));
  CHECK_THAT(set_limit(limits, "disk", "1G").error(), Catch::StartsWith("there is no limit called 'disk' (the limits: memory,"));

  const auto file = std::filesystem::temp_directory_path() / fmt::format("asynclab-limits-{}.conf", ::getpid());
  {
    std::ofstream out(file);
    out << "# a course's limits\nmemory = 1G\n\ncpu-seconds=5   # tight\nopen-files = nine\n";
  }
  Limits from_file;
  const auto read = read_limits_file(file, from_file);
  REQUIRE_FALSE(read);
  CHECK(read.error() == fmt::format("{}:5: open-files must be a number of descriptors from 32 to 1048576, not 'nine'", file.string()));
  CHECK(from_file.memory == std::uint64_t{1} << 30);
  CHECK(from_file.cpu_seconds == 5);
  std::filesystem::remove(file);
  CHECK_THAT(read_limits_file("/dev/zero", from_file).error(), Catch::Contains("not a file that can be read"));
}

TEST_CASE("each check gets the output printed while it ran, a flood is kept to the first MiB and counted",
          "[exercises][runner]") {
  const auto grader = std::filesystem::path(ASYNCLAB_GRADERS_DIR) / "grade_04_join_fetches_wrong_floods_its_output";
  if (!std::filesystem::exists(grader)) {
    WARN("the known-wrong solutions are not built here (ASYNCLAB_PROVE_WRONG_SOLUTIONS)");
    return;
  }
  GraderRun run;
  run.executable = grader;
  run.expected_tests = *expected_test_cases("04-join-fetches");
  run.scratch = std::filesystem::temp_directory_path() / fmt::format("asynclab-runner-test-{}", ::getpid());
  const GraderOutcome o = run_grader(run);
  std::filesystem::remove_all(run.scratch);
  REQUIRE(o.tests.size() == 3);
  // 200 MB printed in the first check: its first MiB kept, the rest counted, nothing of it in the others.
  // (The kept MiB also holds the reporter's mark that opens the first check.)
  CHECK(o.tests[0].output.size() > (1u << 20) - 100);
  CHECK(o.tests[0].output.size() < (1u << 20));
  CHECK(o.tests[0].output.find_first_not_of('.') == std::string::npos);
  CHECK(o.tests[1].output.empty());
  CHECK(o.output.size() < (1u << 20) + 200);
  CHECK(o.output_dropped > 199u * (1u << 20));
  CHECK_THAT(o.output, Catch::Contains("more of output were dropped: only the first 1 MiB is kept"));
}
