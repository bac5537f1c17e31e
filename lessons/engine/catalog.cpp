// The lessons on disk and the scenarios compiled in. See catalog.hpp.
#include "engine/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include <fmt/format.h>

namespace asynclab::lessons {

ScenarioFn find_scenario(std::string_view folder) {
  for (const auto& s : registered_scenarios())
    if (s.folder == folder) return s.run;
  return nullptr;
}

std::filesystem::path default_lessons_dir() {
  if (const char* dir = std::getenv("ASYNCLAB_LESSONS_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ASYNCLAB_LESSONS_SOURCE_DIR;
}

std::expected<Catalog, std::string> Catalog::load(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return std::unexpected(fmt::format("no lessons folder at '{}' (set ASYNCLAB_LESSONS_DIR to the lessons/ folder)",
                                       dir.string()));
  Catalog catalog;
  catalog.dir_ = dir;
  std::vector<std::string> folders;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    if (entry.is_directory() && name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
        std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-')
      folders.push_back(name);
  }
  if (ec) return std::unexpected(fmt::format("cannot list '{}': {}", dir.string(), ec.message()));
  std::ranges::sort(folders);
  for (const auto& folder : folders) {
    CatalogEntry entry{folder, load_lesson(dir / folder / "lesson.md"), find_scenario(folder)};
    if (entry.lesson && entry.scenario == nullptr)
      entry.lesson = std::unexpected(LessonError{
          dir / folder / "scenario.cpp", 0,
          fmt::format("no scenario compiled in for '{}': add scenario.cpp defining asynclab::lessons::{}"
                      "(ScenarioRun&), then rebuild",
                      folder, entry.lesson->scenario_symbol())});
    catalog.entries_.push_back(std::move(entry));
  }
  return catalog;
}

const CatalogEntry* Catalog::find(std::string_view key) const {
  for (const auto& e : entries_) {
    std::string_view folder = e.folder;
    std::string_view id = folder.substr(0, 2), slug = folder.substr(3);
    if (key == folder || key == id || key == slug) return &e;
    if (key.size() == 1 && id[0] == '0' && key == id.substr(1)) return &e;
  }
  return nullptr;
}

}  // namespace asynclab::lessons
