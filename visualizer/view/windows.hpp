#pragma once
// Index of the visualizer's windows: one ImGui window per file in this folder, each drawn by one
// function in the shape of imgui_demo.cpp's examples — `show_xxx(session, view, bool* open)`.
//
//   playback_bar.cpp  Playback   play/pause, step, speed, the cursor slider, breakpoints, the current event
//   timeline.cpp      Timeline   a lane per task and blocking lane; polls, gaps, wakes, cancels, the cursor
//   task_table.cpp    Tasks      tokio-console's columns, sortable; click to select a task
//   task_detail.cpp   Task       the selected task: state, future tree, waker history, where it is parked
//   executor.cpp      Executor   the run queue as tokens, the worker, blocking lanes, timers, the clock
//   resources.cpp     Resources  channels as queues of tokens, mutexes with holder and waiters, semaphores
//   warnings.cpp      Warnings   lints and the deadlock report; click to jump to the event
//   code.cpp          Code       the source of the selected task, its parked line highlighted
//   pinning.cpp       Pinning    Pinned futures as boxes at their homes, self-references as arrows
#include "model/session.hpp"
#include "view/view_state.hpp"

namespace asynclab::vis {

void show_playback_bar(Session& session, ViewState& view, bool* open);
// `title` names the window: "Timeline" for the open trace; the Exercises window shows the reference
// run's timeline under another title, beside the learner's.
void show_timeline(Session& session, ViewState& view, bool* open, const char* title = imgui_id_of(ViewWindow::timeline));
void show_task_table(Session& session, ViewState& view, bool* open);
void show_task_detail(Session& session, ViewState& view, bool* open);
void show_executor(Session& session, ViewState& view, bool* open);
void show_resources(Session& session, ViewState& view, bool* open);
void show_warnings(Session& session, ViewState& view, bool* open);
void show_code(Session& session, ViewState& view, bool* open);
void show_pinning(Session& session, ViewState& view, bool* open);

}  // namespace asynclab::vis
