#pragma once
// What a window of the GUI would show at the cursor, as plain text for the terminal lesson runner: a
// learner without a display reads the run queue, the locks' holders and waiters, the lints, the
// tasks' counters, the pinned futures' homes and the steals the step's Notice points at.
//
// Rules:
// * A pure function of the index and the world at the cursor: only what has happened by then.
// * Windows: Executor, Resources, Warnings, Tasks, Task, Pinning (the names lesson.md's `focus:`
//   uses). Any other name (Timeline, Output, Lesson: the runner prints those itself) gives "".
// * Every line fits `columns` (at least 40): longer ones wrap, indented under their start.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/timeline_layout.hpp"
#include "model/world_state.hpp"

namespace asynclab::vis {

// `task` is the task the step highlights, for the Task window (0: the first task).
std::string render_window_text(const LaneIndex& lanes, const WorldState& state, std::string_view window,
                               std::size_t columns, std::uint32_t task = 0);

}  // namespace asynclab::vis
