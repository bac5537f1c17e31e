#pragma once
// The keys that drive playback, and the commands they become. The shell reads the keyboard (with
// ImGui) and hands the views an AppCommands for the frame; the views and the model act on it. Kept
// free of ImGui so the mapping is plain data.
//
// Rules:
// * The same keys work in presentation mode and in normal mode: Space play/pause, Right / Left one
//   step forward / back (held down, they repeat), Home / End jump to the start / end. With Shift,
//   Right / Left go to the selected task's next / previous event (the Task window's buttons); with
//   no task selected they step as without Shift. In a lesson, Page Down / Page Up go to the next /
//   previous step (a presenter's clicker sends those).
// * While a text field has the keyboard (ImGui's io.WantTextInput), keys are typing, not commands.
#include <string_view>

namespace asynclab::vis {

// Which playback keys were pressed this frame (a held Right or Left counts again on each repeat).
struct PlaybackKeys {
  bool space = false;
  bool right = false;
  bool left = false;
  bool home = false;
  bool end = false;
  bool page_down = false;
  bool page_up = false;
  bool shift = false;  // held down, not pressed: it changes what Right and Left do
};

// What the learner asked playback to do this frame. Several can be set at once; a view applies
// them in the order of the fields.
struct AppCommands {
  bool play_pause = false;
  bool step_forward = false;
  bool step_back = false;
  bool task_forward = false;  // to the selected task's next event
  bool task_back = false;     // to the selected task's previous event
  bool jump_start = false;
  bool jump_end = false;
  bool next_step = false;      // lessons: the next step
  bool previous_step = false;  // lessons: the previous step

  bool any() const {
    return play_pause || step_forward || step_back || task_forward || task_back || jump_start || jump_end ||
           next_step || previous_step;
  }
};

inline AppCommands commands_for(const PlaybackKeys& pressed, bool text_input_active) {
  if (text_input_active) return {};
  return AppCommands{.play_pause = pressed.space,
                     .step_forward = pressed.right && !pressed.shift,
                     .step_back = pressed.left && !pressed.shift,
                     .task_forward = pressed.right && pressed.shift,
                     .task_back = pressed.left && pressed.shift,
                     .jump_start = pressed.home,
                     .jump_end = pressed.end,
                     .next_step = pressed.page_down,
                     .previous_step = pressed.page_up};
}

// One command in words, for the status line ("step forward"); "" when there is none.
inline std::string_view describe(const AppCommands& c) {
  if (c.play_pause) return "play / pause";
  if (c.step_forward) return "step forward";
  if (c.step_back) return "step back";
  if (c.task_forward) return "the selected task's next event";
  if (c.task_back) return "the selected task's previous event";
  if (c.jump_start) return "jump to start";
  if (c.jump_end) return "jump to end";
  if (c.next_step) return "next step";
  if (c.previous_step) return "previous step";
  return "";
}

}  // namespace asynclab::vis
