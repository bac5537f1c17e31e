#pragma once
// Progress as every command loads it: what happened to a broken file (moved aside, unreadable) is
// said once, on stderr, before anything else — never swallowed, whichever command met it first.
#include <ostream>

#include "engine/progress.hpp"

namespace asynclab::cli {

inline lessons::Progress load_progress(std::ostream& err) {
  auto progress = lessons::Progress::load();
  if (!progress.warning().empty()) err << "asynclab: " << progress.warning() << "\n";
  return progress;
}

}  // namespace asynclab::cli
