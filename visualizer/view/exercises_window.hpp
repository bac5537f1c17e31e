#pragma once
// The Exercises window (exercises_window.cpp) and the reference run's timeline it opens.
#include "engine/progress.hpp"
#include "view/exercise_state.hpp"

namespace asynclab::vis {

// `yours` is the trace in the main timeline when it is the learner's run (else nullptr): the
// reference run's timeline then shares its axis, and the first difference between them is said.
void show_exercises(ExercisesState& state, lessons::Progress& progress, bool* open, const Session* yours = nullptr,
                    const TimelineCamera* your_camera = nullptr);
// Selects `exercise` ("04", "join-fetches", ...) and starts its check, as the Check button does.
// False when there is no such exercise.
bool start_check(ExercisesState& state, const lessons::Progress& progress, std::string_view exercise);

}  // namespace asynclab::vis
