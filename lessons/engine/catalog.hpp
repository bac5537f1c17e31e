#pragma once
// Catalog: the lessons on disk, in syllabus order, each paired with its compiled-in scenario.
//
// Rules:
// * The lessons folder is $ASYNCLAB_LESSONS_DIR when set, else the source tree's lessons/ (compiled
//   in), so editing a lesson's text needs no rebuild.
// * A lesson is a folder named NN-slug holding lesson.md. Folders are listed in NN order; anything
//   else in the folder (README.md, engine/) is ignored.
// * A lesson that fails to parse, or whose scenario was not compiled in, is kept in the list with its
//   error, so `asynclab lessons` can show it broken instead of hiding it.
// * find() accepts "08", "8", "08-join" or "join".
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/lesson_file.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

struct CatalogEntry {
  std::string folder;  // "08-join"
  std::expected<Lesson, LessonError> lesson;
  ScenarioFn scenario = nullptr;  // nullptr: not compiled in (lesson.error explains)
};

struct RegisteredScenario {
  std::string_view folder;  // "08-join"
  ScenarioFn run;
};
// Every scenario compiled into this build (generated from the lessons/NN-slug/ folders).
const std::vector<RegisteredScenario>& registered_scenarios();
ScenarioFn find_scenario(std::string_view folder);

std::filesystem::path default_lessons_dir();

class Catalog {
 public:
  // Reads every lesson under `dir`; an unreadable or missing folder gives the error.
  static std::expected<Catalog, std::string> load(const std::filesystem::path& dir = default_lessons_dir());

  const std::vector<CatalogEntry>& entries() const { return entries_; }
  const CatalogEntry* find(std::string_view id_or_slug) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<CatalogEntry> entries_;
};

}  // namespace asynclab::lessons
