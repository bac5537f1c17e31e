// The platforms' results files (exercises/grading/results_file.hpp), built from graded exercises
// without running a grader: what Exercism, Gradescope and GitHub Classroom are told.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "results_file.hpp"

using namespace asynclab::grading;
namespace fs = std::filesystem;

namespace {

// An exercise whose grade.cpp holds two checks, in a scratch folder.
Exercise exercise(const std::string& id, const std::string& slug) {
  Exercise e;
  e.id = id;
  e.slug = slug;
  e.folder = id + "-" + slug;
  e.title = "the " + slug + " exercise";
  e.dir = fs::temp_directory_path() / ("asynclab-results-file-test-" + std::to_string(::getpid())) / e.folder;
  fs::create_directories(e.dir);
  std::ofstream(e.dir / "grade.cpp") << "TEST_CASE(\"first\", \"[task_1]\") {\n  CHECK(1 == 1);\n}\n\n"
                                        "TEST_CASE(\"second\", \"[task_2]\") {\n  if (true) { CHECK(2 == 2); }\n}\n";
  return e;
}

TestResult check(const std::string& name, const std::string& task, bool passed, std::string message = {}) {
  TestResult t;
  t.name = name;
  t.tags = {task};
  t.passed = passed;
  t.kind = passed ? "passed" : "failed";
  t.message = std::move(message);
  return t;
}

GradedExercise graded(Exercise e, Verdict verdict, std::vector<TestResult> tests, std::string summary = {}) {
  GradedExercise g;
  g.exercise = std::move(e);
  g.outcome.verdict = verdict;
  g.outcome.tests = std::move(tests);
  g.outcome.summary = std::move(summary);
  g.outcome.seconds = 0.5;
  return g;
}

}  // namespace

TEST_CASE("results formats are named as --format names them, and text is not a file", "[grading][results]") {
  for (std::string_view name : results_format_names) {
    const auto format = results_format_named(name);
    REQUIRE(format.has_value());
    CHECK(results_format_name(*format) == name);
  }
  CHECK_FALSE(results_format_named("junit").has_value());
  CHECK_THROWS_AS(results_file(ResultsFormat::text, {}), std::invalid_argument);
}

TEST_CASE("Exercism: version 3, a test per check with its code, task ids unique across exercises",
          "[grading][results]") {
  const std::vector<GradedExercise> all{
      graded(exercise("04", "join"), Verdict::failed,
             {check("first", "task_1", true), check("second", "task_2", false, "expected 350 ms")}),
      graded(exercise("05", "scrape"), Verdict::passed, {check("first", "task_1", true)})};
  const auto j = results_file(ResultsFormat::exercism, all);
  CHECK(j["version"] == 3);
  CHECK(j["status"] == "fail");
  REQUIRE(j["tests"].size() == 3);
  CHECK(j["tests"][0]["name"] == "04-join — first");
  CHECK(j["tests"][0]["status"] == "pass");
  CHECK(j["tests"][0]["test_code"] == "TEST_CASE(\"first\", \"[task_1]\") {\n  CHECK(1 == 1);\n}");
  CHECK(j["tests"][1]["status"] == "fail");
  CHECK(j["tests"][1]["message"] == "expected 350 ms");
  CHECK(j["tests"][1]["test_code"] == "TEST_CASE(\"second\", \"[task_2]\") {\n  if (true) { CHECK(2 == 2); }\n}");
  CHECK(j["tests"][1]["task_id"] == 2);
  CHECK(j["tests"][2]["task_id"] == 3);  // 05's task_1 follows 04's two tasks
  CHECK_FALSE(j.contains("message"));
}

TEST_CASE("Exercism: an exercise that did not compile makes the file an error, with its message",
          "[grading][results]") {
  const auto j = results_file(ResultsFormat::exercism,
                              {graded(exercise("06", "timeout"), Verdict::did_not_compile, {}, "exercise.cpp:4: no co_await")});
  CHECK(j["status"] == "error");
  CHECK_THAT(j["message"].get<std::string>(), Catch::Contains("06-timeout"));
  CHECK_THAT(j["message"].get<std::string>(), Catch::Contains("exercise.cpp:4: no co_await"));
}

TEST_CASE("Exercism: a test's output is cut at 500 characters, on a whole UTF-8 character, with a note",
          "[grading][results]") {
  TestResult t = check("first", "task_1", false, "wrong");
  for (int i = 0; i < 400; ++i) t.output += "µ";  // two bytes each
  const auto j = results_file(ResultsFormat::exercism, {graded(exercise("07", "cancel"), Verdict::failed, {t})});
  const std::string output = j["tests"][0]["output"];
  CHECK(output.size() <= 500);
  CHECK(output.ends_with("[output cut at 500 characters]"));
  CHECK(nlohmann::json(output).dump().find("\\ufffd") == std::string::npos);  // no character was split
}

TEST_CASE("Gradescope: a point per check, and a failed entry that says why when nothing ran", "[grading][results]") {
  const auto j = results_file(
      ResultsFormat::gradescope,
      {graded(exercise("04", "join"), Verdict::failed, {check("first", "task_1", true), check("second", "task_2", false, "late")}),
       graded(exercise("08", "pipe"), Verdict::crashed, {}, "aborted (an uncaught exception, std::terminate, or abort)")});
  CHECK(j["score"] == 1);
  CHECK(j["max_score"] == 3);
  REQUIRE(j["tests"].size() == 3);
  CHECK(j["tests"][1]["output"] == "late");
  CHECK(j["tests"][2]["status"] == "failed");
  CHECK(j["tests"][2]["output"] == "aborted (an uncaught exception, std::terminate, or abort)");
  CHECK_THAT(j["output"].get<std::string>(), Catch::Contains("08 the pipe exercise: "));
}

TEST_CASE("GitHub Classroom: version 1, pass only when every exercise passed", "[grading][results]") {
  const auto pass = results_file(ResultsFormat::classroom,
                                 {graded(exercise("01", "lazy"), Verdict::passed, {check("first", "task_1", true)})});
  CHECK(pass["version"] == 1);
  CHECK(pass["status"] == "pass");
  CHECK(pass["max_score"] == 1);
  CHECK(pass["tests"][0]["score"] == 1);
  const auto error = results_file(ResultsFormat::classroom, {graded(exercise("02", "count"), Verdict::timed_out, {}, "ran past 30 s")});
  CHECK(error["status"] == "error");
  CHECK(error["tests"][0]["message"] == "ran past 30 s");
}
