// See catalog.hpp.
#include "catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace asynclab::grading {

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

std::string Exercise::target() const {
  std::string t = "grade_" + folder;
  std::ranges::replace(t, '-', '_');
  return t;
}

std::vector<std::string> Exercise::hints() const {
  std::vector<std::string> hints;
  std::istringstream in(read(dir / "hints.md"));
  std::string current;
  bool in_hint = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) {
      if (in_hint) hints.push_back(trim(current));
      current.clear();
      in_hint = true;
      continue;
    }
    if (in_hint) current += line + "\n";
  }
  if (in_hint) hints.push_back(trim(current));
  return hints;
}

fs::path default_exercises_dir() {
  if (const char* dir = std::getenv("ASYNCLAB_EXERCISES_DIR"); dir != nullptr && *dir != '\0') return dir;
  return ASYNCLAB_EXERCISES_SOURCE_DIR;
}

std::expected<ExerciseCatalog, std::string> ExerciseCatalog::load(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return std::unexpected(fmt::format("no exercises folder at '{}' (set ASYNCLAB_EXERCISES_DIR)", dir.string()));
  ExerciseCatalog catalog;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.size() < 4 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '-' || !fs::exists(entry.path() / "grade.cpp"))
      continue;
    Exercise e;
    e.folder = name;
    e.id = name.substr(0, 2);
    e.slug = name.substr(3);
    e.dir = entry.path();
    // "# Exercise 04 — join three fetches": the title is what follows the dash.
    std::istringstream readme(read(e.readme()));
    std::string first;
    std::getline(readme, first);
    const auto dash = first.find("— ");
    e.title = dash != std::string::npos ? trim(first.substr(dash + std::string("— ").size())) : e.slug;
    catalog.exercises_.push_back(std::move(e));
  }
  std::ranges::sort(catalog.exercises_, {}, &Exercise::folder);
  return catalog;
}

const Exercise* ExerciseCatalog::find(std::string_view key) const {
  for (const auto& e : exercises_) {
    if (key == e.folder || key == e.id || key == e.slug) return &e;
    if (key.size() == 1 && e.id[0] == '0' && key == std::string_view(e.id).substr(1)) return &e;
  }
  return nullptr;
}

}  // namespace asynclab::grading
