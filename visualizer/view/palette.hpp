#pragma once
// The GUI's colours, named by what they mean. Views take colours from here, never as literals, so
// the look can change in one place (and a light theme for projectors can follow).
#include <imgui.h>

namespace asynclab::vis::palette {

struct Rgba {
  float r, g, b, a = 1.0f;
  ImVec4 vec() const { return ImVec4(r, g, b, a); }
  ImU32 u32() const { return ImGui::ColorConvertFloat4ToU32(vec()); }
};

inline constexpr Rgba background{0.10f, 0.11f, 0.13f};  // behind every window
inline constexpr Rgba error_text{1.00f, 0.45f, 0.40f};  // a file that could not be opened
inline constexpr Rgba muted_text{0.60f, 0.63f, 0.68f};  // hints, units, secondary facts
inline constexpr Rgba accent_text{0.45f, 0.75f, 1.00f}; // the thing being talked about: a file, a key
inline constexpr Rgba live_text{0.30f, 0.80f, 0.40f};   // live mode: events are still arriving

// Task states and poll results: the same colour means the same thing in every window.
inline constexpr Rgba running{0.30f, 0.80f, 0.40f};    // being polled now; a poll that returned Ready
inline constexpr Rgba pending{0.95f, 0.75f, 0.25f};    // a poll that returned Pending
inline constexpr Rgba scheduled{0.35f, 0.60f, 1.00f};  // woken, waiting in the run queue
inline constexpr Rgba idle{0.42f, 0.44f, 0.48f};       // parked, waiting for a wake
inline constexpr Rgba done{0.55f, 0.58f, 0.62f};       // finished
inline constexpr Rgba cancelled{0.95f, 0.30f, 0.30f};  // dropped before it finished
inline constexpr Rgba panicked{1.00f, 0.50f, 0.15f};   // threw: its JoinHandle gives a JoinError
inline constexpr Rgba wake{0.85f, 0.45f, 1.00f};       // a wake: the arrow from waker to woken
inline constexpr Rgba steal{1.00f, 0.45f, 0.70f};      // a steal: the arrow from robbed worker to thief
inline constexpr Rgba timer{0.40f, 0.85f, 0.90f};      // timers and the clock
// Rows inside a task (the timeline's nested lanes): what the task's futures were doing.
inline constexpr Rgba branch{0.62f, 0.60f, 0.95f};     // a join / select / timeout branch alive
inline constexpr Rgba request{0.30f, 0.72f, 0.66f};    // a request in flight
inline constexpr Rgba lock_held{0.55f, 0.80f, 0.95f};  // a lock or permit held; outlined only while waited for
inline constexpr Rgba waits_for{1.00f, 0.82f, 0.40f};  // the arrow from a waiting task to the lock's holder
inline constexpr Rgba highlight{1.00f, 1.00f, 1.00f};  // the selected task, the current line
inline constexpr Rgba current_line{0.30f, 0.32f, 0.20f};  // behind the source line a task is parked at
inline constexpr Rgba token_outline{0.05f, 0.05f, 0.06f};
// Lesson text: code spans and blocks, and the "Notice:" call-out's box.
inline constexpr Rgba code_text{0.80f, 0.90f, 0.70f};
inline constexpr Rgba code_background{0.16f, 0.17f, 0.20f};
inline constexpr Rgba notice_background{0.24f, 0.21f, 0.12f};
inline constexpr Rgba done_mark{0.30f, 0.80f, 0.40f};  // a lesson finished
inline constexpr Rgba empty_slot{0.22f, 0.24f, 0.27f};  // an empty buffer slot, a free permit

}  // namespace asynclab::vis::palette
