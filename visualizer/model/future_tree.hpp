#pragma once
// A task's future tree as it stands at the cursor: its join, try_join, select and timeout nodes, each
// branch under its combinator with what it awaits ("branch 2: b.mirror.example/big.iso") and
// whether it is alive, finished or dropped mid-flight. The Task window draws it; the terminal prints
// it (terminal/window_text.hpp), so a learner without a display reads the same tree.
//
// Rules:
// * Only nodes created before the cursor; a branch dropped at or after the cursor is still alive.
// * The task's own combinators newest first (in a loop of selects the latest is the one that matters),
//   each followed by its branches in the order written; finished ones beyond the newest three fold
//   into one line, "4 earlier combinators  — finished".
// * A combinator records its branches, not itself: it is finished once every branch it made is gone.
// * A branch's "what it awaits" is its row's label in the timeline (model/nested_lanes.hpp), so the
//   tree and the rows under the task's lane name a branch the same way.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/timeline_layout.hpp"

namespace asynclab::vis {

// disabled_*: a select branch left out of the race — its precondition was false (never polled), or it
// answered Ready with an output its pattern refused (Some(v) got None).
enum class FutureNodeState : std::uint8_t {
  in_progress,
  finished,
  alive,
  completed,
  dropped,
  disabled_by_precondition,
  disabled_by_pattern,
  released,  // a borrowed future's branch ended; the future lives on with its owner
};

struct FutureTreeLine {
  int depth = 0;      // 0: directly in the task
  std::string label;  // "select", "branch 2: b.mirror.example/big.iso"
  FutureNodeState state = FutureNodeState::alive;
};

// The lines in drawing order (each node followed by its children); empty: no combinator yet.
std::vector<FutureTreeLine> future_tree_at(const LaneIndex& lanes, std::uint32_t task_id, std::size_t cursor);

// "select  — in progress", "✗ branch 1: GET …  — dropped mid-flight (cancelled)".
std::string future_tree_line_text(const FutureTreeLine& line);

}  // namespace asynclab::vis
