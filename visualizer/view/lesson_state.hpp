#pragma once
// What the lesson windows share with the shell: the lesson being walked through (a LessonPlayer from
// lessons/engine, no ImGui in it), each step's parsed Markdown, and the requests the windows make
// that the shell carries out between frames (go to a step, open a lesson, close it).
//
// Rules:
// * The windows never re-run a scenario or touch the Session's trace themselves: they call the
//   player (step, sliders) and the shell notices the new generation() and adopts the new trace.
// * `applied_step` / `applied_generation` say what the shell last applied to the playback (the step's
//   cursor, highlight, focus and axis); a difference means "apply again".
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "engine/lesson_player.hpp"
#include "engine/markdown.hpp"
#include "engine/progress.hpp"

namespace asynclab::vis {

struct LessonState {
  std::unique_ptr<lessons::LessonPlayer> player;
  std::string folder;                        // "08-join"
  std::vector<lessons::MarkdownDoc> docs;    // one per step
  std::string param_error;                   // why the last slider value was refused
  std::optional<std::size_t> applied_step;   // what the shell last applied to the playback
  std::uint64_t applied_generation = 0;
  std::vector<std::string> focus_now;        // windows to bring forward this frame
  bool scroll_to_top = false;                // a new step: show its beginning
  bool present = false;                      // presentation mode: the parameters start folded
  // Heights the lesson pane measured in the last frame, to lay out this one: the Notice and the
  // parameters stay in view under the step's scrolled text.
  float notice_height = 0;
  float controls_height = 0;
};

// The lesson library: every lesson, what the learner has done, and what the windows asked for.
struct LessonLibrary {
  std::optional<lessons::Catalog> catalog;  // loaded on first need
  std::string catalog_error;
  lessons::Progress progress;
  std::optional<std::string> open_request;  // a lesson the browser or "Next lesson" asked for
  bool close_request = false;
  bool show_browser = false;
};

}  // namespace asynclab::vis
