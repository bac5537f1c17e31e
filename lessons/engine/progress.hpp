#pragma once
// Progress: which lessons a learner has been through and which exercises pass (with the hints they
// have seen), kept in a small JSON state file so the lesson browser, `asynclab lessons` and
// `asynclab grade` can show done marks and pick up where the learner left.
//
// Rules:
// * The file is $ASYNCLAB_STATE_DIR/progress.json, else $XDG_STATE_HOME/asynclab/progress.json, else
//   ~/.local/state/asynclab/progress.json.
// * Every save writes a temporary file and renames it over the old one: a crash never leaves half a
//   file. Keys this version does not know are kept as they were. Temporary files of writers that
//   died (progress.json.tmp-PID-N, the PID gone) are removed on load.
// * Two asynclab processes at once (the GUI, a grade in another terminal) lose nothing: save() takes
//   a lock (progress.json.lock), reads the file as it is now, replays this process's changes since it
//   loaded on it, and writes that. Done marks and hints shown only ever grow.
// * A missing file is an empty progress. A file that does not parse is moved aside to
//   progress.json.corrupt (then .corrupt-2, -3: an earlier copy is never replaced), and `warning`
//   says so; the learner starts afresh. So is one that save() finds broken since it was loaded: the
//   save goes on from what this process had read and saved, plus its changes.
// * A value of the wrong type ("done": "yes", "attempts": "3") or out of range (a step of 10^20) is
//   read as missing, never an error: a hand-edited file cannot stop asynclab.
// * A lesson is done once its last step has been shown; the last step shown is kept too, so a
//   learner comes back where they left.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace asynclab::lessons {

std::filesystem::path default_progress_path();

class Progress {
 public:
  Progress();
  ~Progress();
  Progress(Progress&&) noexcept;
  Progress& operator=(Progress&&) noexcept;

  static Progress load(const std::filesystem::path& path = default_progress_path());
  std::expected<void, std::string> save() const;

  bool lesson_done(std::string_view folder) const;
  std::size_t lesson_step(std::string_view folder) const;  // last step shown, 0-based
  // Records that `step` of `step_count` was shown; the last one marks the lesson done.
  void saw_lesson_step(std::string_view folder, std::size_t step, std::size_t step_count);

  // Exercises: whether the last grade passed (a pass stays: done), and how many hints were shown.
  bool exercise_done(std::string_view folder) const;
  void record_grade(std::string_view folder, bool passed, std::string_view verdict);
  // `asynclab reset`: the exercise is to be solved again, so it is no longer done (its attempts
  // and hints shown are kept).
  void reset_exercise(std::string_view folder);
  std::size_t hints_shown(std::string_view folder) const;
  void set_hints_shown(std::string_view folder, std::size_t n);

  const std::filesystem::path& path() const { return path_; }
  // What happened to a broken file: at load, or at a save that found the file broken since (it is
  // moved aside then too, and the save goes on). "" when nothing did.
  const std::string& warning() const { return warning_; }

 private:
  struct Data;
  std::unique_ptr<Data> data_;
  std::filesystem::path path_;
  mutable std::string warning_;  // save() is const: it writes the file, not the progress
};

}  // namespace asynclab::lessons
