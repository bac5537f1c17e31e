#pragma once
// What the Exercises window keeps between frames: the exercises, which one is selected, its README
// parsed once, and the grading running in the background — so the window stays responsive while a
// grader builds and runs (seconds), and shows what it is doing meanwhile.
//
// Rules:
// * One background job at a time (a check, or the reference run for "Show my run"). The worker
//   thread writes only `progress` (under the mutex) and `finished`; the UI thread takes the result
//   once `finished` is set, and joins the thread then. Closing the app joins a running job.
// * Nothing here draws: exercises_window.cpp does.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog.hpp"
#include "engine/markdown.hpp"
#include "grade.hpp"
#include "model/session.hpp"
#include "view/view_state.hpp"

namespace asynclab::vis {

class GradingJob {
 public:
  enum class Kind { check, reference };
  GradingJob(const grading::Exercise& exercise, Kind kind, grading::GradeRequest request);
  ~GradingJob();
  GradingJob(const GradingJob&) = delete;
  GradingJob& operator=(const GradingJob&) = delete;

  Kind kind() const { return kind_; }
  const std::string& folder() const { return folder_; }
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  std::string progress() const;
  // Once finished: the result (joins the thread).
  grading::GradedExercise take();

 private:
  Kind kind_;
  std::string folder_;
  mutable std::mutex mutex_;
  std::string progress_;
  std::atomic<bool> finished_{false};
  grading::GradedExercise result_;
  std::thread worker_;
};

struct ExercisesState {
  bool show = false;
  std::optional<grading::ExerciseCatalog> catalog;
  std::string catalog_error;
  std::size_t selected = 0;
  std::string readme_of;  // the folder whose README is parsed in `readme`
  lessons::MarkdownDoc readme;
  std::unique_ptr<GradingJob> job;
  bool api_requested = false;  // "API…" was pressed: the shell opens the API window
  std::optional<grading::GradedExercise> last;  // the selected exercise's last check
  // "Show my run": the learner's trace goes into the main timeline; the reference run's into this
  // session, drawn in a window of its own beside it.
  std::unique_ptr<Session> reference;
  ViewState reference_view;
  std::filesystem::path yours;  // the learner's run "Show my run" opened, to compare with the reference
  // The differences between the two runs that matter (model/compare_runs.hpp), for the Session pair
  // they were computed from.
  std::vector<std::string> differences;
  const Session* compared_yours = nullptr;
  const Session* compared_reference = nullptr;
  bool show_reference = false;
  // The pair of runs the main timeline last framed for comparing (on the time axis, both fitted).
  const Session* framed_yours = nullptr;
  const Session* framed_reference = nullptr;
  bool show_run_after_check = false;  // `gui --show-my-run`: press "Show my run" once the check is done
  std::optional<std::filesystem::path> open_request;  // a trace the window asks the shell to open
};

}  // namespace asynclab::vis
