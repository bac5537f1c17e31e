#pragma once
// The "Welcome" window: what the learner sees when no trace is open — how to open one, and the
// keys. (The lesson browser takes its place when the lessons land.)
#include <optional>
#include <string>

namespace asynclab::vis {

struct WelcomeInfo {
  std::optional<std::string> lesson;  // `--lesson ID`, noted until lessons exist
  int step = 0;
};

void show_welcome(const WelcomeInfo& info, bool* open);

}  // namespace asynclab::vis
