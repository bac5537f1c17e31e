#pragma once
// The test cases a grader declares, read from its grade.cpp source — how asynclab knows, from the
// build and not from the learner's run, which checks a grader must report, and in which order
// (Catch2 runs them in declaration order: the runner passes `--order decl`).
//
// Rules:
// * Every `TEST_CASE(` outside comments and string literals is one case; its name and tags are the
//   (possibly adjacent, concatenated) string literals of its first two arguments, with the escapes
//   \" \\ \n \t undone.
// * A TEST_CASE whose name is not a string literal (a macro, a generated name), a hidden one ([.]),
//   and the other ways Catch2 declares cases (SCENARIO, TEST_CASE_METHOD, TEMPLATE_TEST_CASE, ...) are
//   errors: the runner could not check that they report, so the build refuses them rather than
//   trusting the run. So is a TEST_CASE under #if, #ifdef or #ifndef (whether it is compiled depends
//   on the build), except `#if 0`, whose lines are skipped as the compiler skips them (its #else is
//   compiled).
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::grading {

struct DeclaredTestCase {
  std::string name;
  std::string tags;  // as written: "[ex04][task_2]"
};

std::expected<std::vector<DeclaredTestCase>, std::string> declared_test_cases(std::string_view source);

// The test cases each exercise's grader declares, as compiled into this asynclab from the
// exercises' grade.cpp files (generated at build time by asynclab_list_test_cases). nullptr for a
// folder this build did not know.
const std::vector<DeclaredTestCase>* expected_test_cases(std::string_view exercise_folder);

}  // namespace asynclab::grading
