#pragma once
// `asynclab lessons` and `asynclab run LESSON`: the lessons in the terminal, for a learner over SSH or
// anywhere without a display.
//
// * `lessons` lists every lesson in syllabus order with its steps and a done mark; a broken lesson is
//   listed with its error (file and line) instead of hidden.
// * `run LESSON` (text): prints each step's text, what the scenario printed so far and the swimlane
//   timeline up to that step's directive, then waits for Enter (b goes back, q quits). When stdin is
//   not a terminal it prints every step without waiting, so scripts and CI never hang. Each step shown
//   is recorded in the progress file.
// * `run LESSON --format json|chrome|altrace -o FILE` writes the trace of the run with the chosen
//   step's parameters instead (json is JSON Lines; json and chrome go to stdout without -o).
// All return an exit status (exit_codes.hpp) and never throw for bad input.
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::cli {

struct LessonRunOptions {
  std::string lesson;               // "08", "8", "08-join" or "join"
  std::uint64_t seed = 1;
  std::vector<std::string> params;  // NAME=VALUE
  std::string format = "text";      // text, json, chrome, altrace
  std::optional<std::string> output;
  std::size_t step = 1;             // 1-based: where to start (text), whose parameters (files)
  bool interactive = false;         // wait for Enter between steps
  int columns = 100;
  bool color = false;
};

int list_lessons(std::ostream& out, std::ostream& err, int columns = 100);
// The main job without a display: the list, then the first lesson not done yet (the first lesson once
// all are done), then `usage` — so a newcomer over SSH lands in the course, not in a help text.
int start_lessons_in_terminal(LessonRunOptions options, std::istream& in, std::ostream& out, std::ostream& err,
                              std::string_view usage);
int run_lesson_command(const LessonRunOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace asynclab::cli
