#pragma once
// The results files the grading platforms read, built from graded exercises: Exercism's
// results.json (test runner interface v3), Gradescope's results.json, GitHub Classroom's
// autograding result. `asynclab grade --format NAME [-o FILE]` writes them.
//
// Rules:
// * One test entry per grader check, named "NN-slug — check"; an exercise whose grader ran no check
//   (it did not compile, crashed before its first check) is one failed entry that says why.
// * Exercism task ids stay unique across exercises graded into one file (04's task_1..3 are 1..3,
//   05's task_1 is then 4), and a test's output is cut at Exercism's 500 characters with a note.
// * The learner's output may hold any bytes: the caller dumps the JSON with invalid UTF-8 replaced.
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grade.hpp"

namespace asynclab::grading {

enum class ResultsFormat { text, exercism, gradescope, classroom };

// Every format by name, in the order `--format` lists them.
inline constexpr std::array<std::string_view, 4> results_format_names{"text", "exercism", "gradescope", "classroom"};
std::string_view results_format_name(ResultsFormat f);
std::optional<ResultsFormat> results_format_named(std::string_view name);

// The results file of `format` (not text) for these exercises, in the order graded.
nlohmann::json results_file(ResultsFormat format, const std::vector<GradedExercise>& graded);

// The TEST_CASE's source in the exercise's grade.cpp, from its line to its closing brace ("" when not
// found): Exercism's and Classroom's test_code.
std::string test_code(const Exercise& e, const std::string& name);

}  // namespace asynclab::grading
