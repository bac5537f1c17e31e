#pragma once
// The exercises on disk, in syllabus order: `NN-slug/` folders holding grade.cpp, with their README's
// title, hints and files — what `asynclab grade`, `hint`, `reset` and the GUI's Exercises window list.
//
// Rules:
// * The folder is $ASYNCLAB_EXERCISES_DIR when set, else the source tree's exercises/ (compiled in).
// * find() accepts "04", "4", "04-join-fetches" or "join-fetches".
// * Hints are the `## Hint N` sections of hints.md, in order.
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::grading {

struct Exercise {
  std::string folder;  // "04-join-fetches"
  std::string id;      // "04"
  std::string slug;    // "join-fetches"
  std::string title;   // from README.md's first heading: "join three fetches"
  std::filesystem::path dir;
  std::filesystem::path exercise_file() const { return dir / "exercise.cpp"; }
  std::filesystem::path readme() const { return dir / "README.md"; }
  // The grader's CMake target: grade_04_join_fetches.
  std::string target() const;
  std::vector<std::string> hints() const;  // the hint texts, without their headings
};

std::filesystem::path default_exercises_dir();

class ExerciseCatalog {
 public:
  static std::expected<ExerciseCatalog, std::string> load(const std::filesystem::path& dir = default_exercises_dir());
  const std::vector<Exercise>& exercises() const { return exercises_; }
  const Exercise* find(std::string_view key) const;

 private:
  std::vector<Exercise> exercises_;
};

}  // namespace asynclab::grading
