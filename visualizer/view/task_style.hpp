#pragma once
// How a task state looks: its colour (palette.hpp) and its word, the same in every window.
#include "model/world_state.hpp"
#include "view/palette.hpp"

namespace asynclab::vis {

inline palette::Rgba state_colour(TaskState s) {
  switch (s) {
    case TaskState::running: return palette::running;
    case TaskState::scheduled: return palette::scheduled;
    case TaskState::idle: return palette::idle;
    case TaskState::done: return palette::done;
    case TaskState::cancelled: return palette::cancelled;
    case TaskState::panicked: return palette::panicked;
    case TaskState::not_spawned: break;
  }
  return palette::muted_text;
}

}  // namespace asynclab::vis
