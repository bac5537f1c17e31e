#pragma once
// Progress as every command loads it: what happened to a broken file (moved aside, unreadable) is
// said once, on stderr, before anything else — never swallowed, whichever command met it first.
#include <ostream>
#include <string>
#include <string_view>

#include "engine/progress.hpp"

namespace asynclab::cli {

inline lessons::Progress load_progress(std::ostream& err) {
  auto progress = lessons::Progress::load();
  if (!progress.warning().empty()) err << "asynclab: " << progress.warning() << "\n";
  return progress;
}

// Saves; says on stderr why it could not, or what the save had to move aside. False: not saved.
inline bool save_progress(const lessons::Progress& progress, std::string_view command, std::ostream& err) {
  const std::string before = progress.warning();
  auto saved = progress.save();
  if (progress.warning() != before) err << "asynclab: " << progress.warning() << "\n";
  if (!saved) err << command << ": progress not saved: " << saved.error() << "\n";
  return saved.has_value();
}

}  // namespace asynclab::cli
