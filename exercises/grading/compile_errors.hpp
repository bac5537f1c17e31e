#pragma once
// The commonest compiler errors a learner meets, in plain words: `asynclab grade` prints the
// explanation, naming the mistake and the line, before the compiler's own first error.
//
// Rules:
// * Table-driven (compile_errors.cpp): each entry is a pattern over one error line of Clang 19 (the
//   project's compiler) or GCC 12, and the paragraph it stands for. tests/exercises/
//   compile_errors_test.cpp compiles a broken snippet for each and checks the words.
// * The whole log is searched, the most telling entry first: Clang's "did you mean 'co_return'?"
//   comes after a conversion error on the same line, and is the one worth explaining.
// * Nothing is explained when no entry matches: the compiler's first error stands alone.
#include <optional>
#include <string>

namespace asynclab::grading {

struct CompileErrorExplanation {
  std::string file;  // as the compiler wrote it (exercise.cpp's path), "" when the line had none
  int line = 0;      // 0 when the error names none
  std::string words; // the mistake and its fix, one short paragraph
};

std::optional<CompileErrorExplanation> explain_compile_error(const std::string& log);

}  // namespace asynclab::grading
