// The platforms' results files. See results_file.hpp.
#include "results_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace asynclab::grading {

namespace {

std::string whole_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string_view results_format_name(ResultsFormat f) { return results_format_names[static_cast<std::size_t>(f)]; }

std::optional<ResultsFormat> results_format_named(std::string_view name) {
  for (std::size_t i = 0; i < results_format_names.size(); ++i)
    if (results_format_names[i] == name) return static_cast<ResultsFormat>(i);
  return std::nullopt;
}

// The TEST_CASE's source in grade.cpp, from its line to its closing brace (Exercism's test_code).
std::string test_code(const Exercise& e, const std::string& name) {
  const std::string source = whole_file(e.dir / "grade.cpp");
  const auto at = source.find(fmt::format("TEST_CASE(\"{}\"", name));
  if (at == std::string::npos) return "";
  const auto open = source.find('{', at);
  if (open == std::string::npos) return "";
  int depth = 0;
  for (std::size_t i = open; i < source.size(); ++i) {
    if (source[i] == '{') ++depth;
    if (source[i] == '}' && --depth == 0) return source.substr(at, i + 1 - at);
  }
  return source.substr(at);
}

namespace {

bool is_error(Verdict v) {
  return v == Verdict::did_not_compile || v == Verdict::crashed || v == Verdict::timed_out || v == Verdict::no_tests;
}

std::string task_number(const std::string& task_id) {
  return task_id.starts_with("task_") ? task_id.substr(5) : "";
}

// Exercism shows at most 500 characters of a test's output, and asks that longer output be cut with a
// note saying so (the test runner interface, "output").
std::string exercism_output(const std::string& output) {
  constexpr std::size_t most = 500;
  if (output.size() <= most) return output;
  const std::string note = "\n[output cut at 500 characters]";
  std::size_t keep = most - note.size();
  while (keep > 0 && (static_cast<unsigned char>(output[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
  return output.substr(0, keep) + note;
}

nlohmann::json exercism_results(const std::vector<GradedExercise>& graded) {
  nlohmann::json tests = nlohmann::json::array();
  bool all_passed = true, error = false;
  std::string message;
  // Task ids number the tasks of every exercise in the file in turn, so they stay unique when several
  // exercises are graded into one results file: 04's task_1..3 are 1..3, 05's task_1 is then 4.
  int task_offset = 0;
  for (const auto& g : graded) {
    int tasks_here = 0;
    all_passed &= g.outcome.verdict == Verdict::passed;
    if (is_error(g.outcome.verdict)) {
      error = true;
      message += fmt::format("{}: {}\n{}\n", g.exercise.folder, verdict_words(g.outcome.verdict), g.outcome.summary);
    }
    for (const auto& t : g.outcome.tests) {
      nlohmann::json j{{"name", fmt::format("{} — {}", g.exercise.folder, t.name)},
                       {"status", t.passed ? "pass" : t.kind == "passed" || t.kind == "failed" ? "fail" : "error"},
                       {"test_code", test_code(g.exercise, t.name)}};
      if (!t.passed) j["message"] = t.message;
      if (!t.output.empty()) j["output"] = exercism_output(t.output);
      if (const auto n = task_number(t.task_id()); !n.empty() && n.find_first_not_of("0123456789") == std::string::npos &&
                                                   n.size() < 6) {
        tasks_here = std::max(tasks_here, std::stoi(n));
        j["task_id"] = task_offset + std::stoi(n);
      }
      tests.push_back(std::move(j));
    }
    task_offset += tasks_here;
  }
  nlohmann::json results{{"version", 3}, {"status", error ? "error" : all_passed ? "pass" : "fail"}, {"tests", tests}};
  if (error) results["message"] = message;
  return results;
}

nlohmann::json gradescope_results(const std::vector<GradedExercise>& graded) {
  nlohmann::json tests = nlohmann::json::array();
  double score = 0, max_score = 0;
  std::string output;
  for (const auto& g : graded) {
    output += fmt::format("{} {}: {}\n", g.exercise.id, g.exercise.title, verdict_words(g.outcome.verdict));
    if (g.outcome.tests.empty()) {
      // Nothing ran (a compile error, a crash before the first test): one failed entry says why.
      tests.push_back({{"name", fmt::format("{} — {}", g.exercise.folder, verdict_words(g.outcome.verdict))},
                       {"score", 0}, {"max_score", 1}, {"status", "failed"}, {"output", g.outcome.summary}});
      max_score += 1;
      continue;
    }
    for (const auto& t : g.outcome.tests) {
      tests.push_back({{"name", fmt::format("{} — {}", g.exercise.folder, t.name)},
                       {"score", t.passed ? 1 : 0}, {"max_score", 1},
                       {"status", t.passed ? "passed" : "failed"},
                       {"output", t.passed ? "" : t.message}});
      score += t.passed ? 1 : 0;
      max_score += 1;
    }
  }
  return {{"score", score}, {"max_score", max_score}, {"output", output}, {"tests", tests}};
}

nlohmann::json classroom_results(const std::vector<GradedExercise>& graded) {
  nlohmann::json tests = nlohmann::json::array();
  bool all_passed = true, error = false;
  int max_score = 0;
  for (const auto& g : graded) {
    all_passed &= g.outcome.verdict == Verdict::passed;
    error |= is_error(g.outcome.verdict);
    if (g.outcome.tests.empty()) {
      tests.push_back({{"name", g.exercise.folder}, {"status", "error"}, {"message", g.outcome.summary},
                       {"test_code", ""}, {"line_no", 0}, {"duration", static_cast<int>(g.outcome.seconds * 1000)},
                       {"score", 0}});
      max_score += 1;
      continue;
    }
    for (const auto& t : g.outcome.tests) {
      tests.push_back({{"name", fmt::format("{} — {}", g.exercise.folder, t.name)},
                       {"status", t.passed ? "pass" : "fail"},
                       {"message", t.message},
                       {"test_code", test_code(g.exercise, t.name)},
                       {"line_no", 0},
                       {"duration", static_cast<int>(g.outcome.seconds * 1000 / std::max<std::size_t>(1, g.outcome.tests.size()))},
                       {"score", t.passed ? 1 : 0}});
      max_score += 1;
    }
  }
  return {{"version", 1}, {"status", error ? "error" : all_passed ? "pass" : "fail"}, {"max_score", max_score},
          {"tests", tests}};
}

}  // namespace

nlohmann::json results_file(ResultsFormat format, const std::vector<GradedExercise>& graded) {
  switch (format) {
    case ResultsFormat::exercism: return exercism_results(graded);
    case ResultsFormat::gradescope: return gradescope_results(graded);
    case ResultsFormat::classroom: return classroom_results(graded);
    case ResultsFormat::text: break;
  }
  throw std::invalid_argument("results_file: text is not a results file format");
}

}  // namespace asynclab::grading
