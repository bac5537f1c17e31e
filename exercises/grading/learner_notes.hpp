#pragma once
// What `asynclab grade` says beside the verdict: things in the learner's code and run that a check
// may not name, but that a learner should hear about whether the exercise passed or not.
//
// Rules:
// * Three sources, each line naming the file and line it is about:
//   - the compiler's warnings on the exercise's own files (a Task dropped without co_await warns
//     "futures are lazy", which is the commonest reason a check later fails for no visible reason);
//   - the runtime's forgotten-future lints in the learner's saved run, grouped by where the future's
//     coroutine is;
//   - a coroutine lambda with captures called on the spot and not awaited in the same statement
//     (`spawn([title]() -> Task<T> { ... }())`): the lambda object dies at the end of the statement,
//     the coroutine runs later and reads its captures from freed memory. C++'s rule, not a bug of
//     the runtime, and no check can see it reliably (the freed memory usually still holds the value);
//   - a coroutine function taking a `const T&` or string_view parameter (the same trap: the frame
//     keeps the reference).
// * At most a few lines: a warning repeated for every instantiation is said once.
// * Never fails a grade and never throws: an unreadable file or trace gives no note.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace asynclab::grading {

// The compiler's warnings about files in `exercise_dir`, one line each: "exercise.cpp line 35: ...".
std::vector<std::string> compiler_warnings(const std::string& build_log, const std::filesystem::path& exercise_dir);
// The forgotten futures of a saved run: "a future of decode (exercise.cpp:23) was dropped ...".
std::vector<std::string> run_lints(const std::filesystem::path& trace_file);
// Coroutine lambdas with captures that are called on the spot and outlived by their coroutine.
std::vector<std::string> dangling_coroutine_lambdas(const std::string& source, const std::string& file_name);
// Coroutine functions (returning Task<...>) with a parameter that binds a temporary and is kept by
// reference: `const T&` or a string_view. (`T&` is not named: it cannot bind a temporary, and the
// exercises hand their shared objects — a Bank, a Receiver — that way on purpose.)
std::vector<std::string> coroutine_reference_parameters(const std::string& source, const std::string& file_name);

// All of the above for one graded exercise.
std::vector<std::string> learner_notes(const std::filesystem::path& exercise_dir, const std::filesystem::path& exercise_file,
                                       const std::string& build_log, const std::optional<std::filesystem::path>& trace);

}  // namespace asynclab::grading
