#pragma once
// Index of the lesson windows (one per file, like windows.hpp's):
//
//   lesson_pane.cpp     Lesson    the step's text, Back / Next, the parameters as sliders
//   lesson_output.cpp   Output    what the scenario printed up to the cursor, and its measurements
//   lesson_browser.cpp  Lessons   every lesson in syllabus order with done marks; click to open
#include "model/session.hpp"
#include "view/lesson_state.hpp"

namespace asynclab::vis {

void show_lesson_pane(LessonState& lesson, LessonLibrary& library, bool* open);
void show_lesson_output(const LessonState& lesson, const Session& session, bool* open);
void show_lesson_browser(LessonLibrary& library, const LessonState* current, bool* open);

}  // namespace asynclab::vis
