#pragma once
// The Exercises window (exercises_window.cpp) and the reference run's timeline it opens.
#include "engine/progress.hpp"
#include "view/exercise_state.hpp"

namespace asynclab::vis {

// `yours` is the trace in the main timeline when it is the learner's run (else nullptr): the
// reference run is then drawn under it in the main timeline (compare_with_reference), and the first
// difference between them is said here; else the reference run gets a timeline window of its own.
void show_exercises(ExercisesState& state, lessons::Progress& progress, bool* open, const Session* yours = nullptr);
// The differences between the learner's run and the reference run (model/compare_runs.hpp), worked
// out again only when either run changed.
const std::vector<std::string>& differences_from_reference(ExercisesState& state, const Session& yours);
// Selects `exercise` ("04", "join-fetches", ...) and starts its check, as the Check button does.
// False when there is no such exercise.
bool start_check(ExercisesState& state, const lessons::Progress& progress, std::string_view exercise);

}  // namespace asynclab::vis
