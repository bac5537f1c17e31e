// Grader of exercise 10 (don't block the executor). Each TEST_CASE is one graded point, tagged [task_N].
#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<std::string, std::string>> load_file(std::string path);

namespace {

using Loaded = std::expected<std::string, std::string>;

const std::string big_file = "big-file.txt", not_utf8_file = "notes.txt", missing_file = "missing.txt";
const std::string big_contents(64 * 1024, 'x');
constexpr auto read_time = 200ms;  // how long legacy::read_to_string blocks on big-file.txt
constexpr auto beat_every = 10ms;
constexpr int beats = 30;            // 10 ms ... 300 ms: before, during and after the read
constexpr auto loader_starts = 5ms;  // between two beats

// The file table: the big file (a 200 ms read), a file that is not UTF-8 (its read throws), and no
// missing.txt.
std::function<void(Runtime::Builder&)> world() {
  return [](Runtime::Builder& builder) {
    sim::FileSystem files;
    files.add(big_file, big_contents, read_time);
    files.add(not_utf8_file, "caf\xff", 50ms);
    builder.files(files);
  };
}

// The heartbeat: a beat due every 10 ms on fixed instants, each marked "beat" in the trace when it
// really happens — late when the worker was busy elsewhere.
Task<void> heartbeat() {
  const Instant start = now();
  for (int k = 1; k <= beats; ++k) {
    co_await sleep_until(start + k * beat_every);
    mark("beat");
  }
}

Task<Loaded> loader(std::string path) {
  co_await sleep(loader_starts);
  co_return co_await load_file(std::move(path));
}

// The program around load_file: the heartbeat and the loader side by side, each its own task.
Task<Loaded> office(std::string path) {
  auto beat = spawn(heartbeat(), "heartbeat");
  auto load = spawn(loader(std::move(path)), "loader");
  auto loaded = co_await load;
  (void)co_await beat;
  if (!loaded) {
    // An exception escaped load_file: make it the run's own panic, which the grader reports.
    if (loaded.error().is_panic()) loaded.error().resume_panic();
    throw std::runtime_error(loaded.error().to_string());
  }
  co_return std::move(*loaded);
}

// The first poll that held the worker too long, in words: "task \"loader\" held the worker for 200 ms
// in one poll, from 5 ms".
std::optional<std::string> first_long_poll(const grading::GradedRun& run) {
  const auto lints = run.query().lints(trace::LintKind::long_poll);
  if (lints.empty()) return std::nullopt;
  const auto& lint = lints.front();
  const auto held = std::chrono::microseconds(lint.a);
  return fmt::format(
      "task \"{}\" held the worker for {} in one poll, from {} (a long poll): no other task was "
      "polled meanwhile",
      run.trace.task_name(lint.task), grading::GradedRun::at(held),
      grading::GradedRun::at(std::chrono::nanoseconds(lint.time_ns) - held));
}

}  // namespace

TEST_CASE("load_file returns the file's contents", "[ex10][task_1]") {
  for (auto seed : grading::seeds) {
    std::optional<Loaded> got;
    auto run = grading::run_graded(
        "10-dont-block", seed, [] { return load_file(big_file); }, world(),
        [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || !*got)
      grading::fail(fmt::format("seed {}: load_file(\"{}\") returned the error \"{}\"", seed, big_file,
                                got ? got->error() : "nothing"),
                    fmt::format("the file's {} bytes", big_contents.size()),
                    "exercise.cpp: what you co_return when the read succeeded");
    if (**got != big_contents)
      grading::fail(
          fmt::format("seed {}: load_file(\"{}\") returned {} bytes that are not the file's", seed, big_file,
                      (*got)->size()),
          fmt::format("the file's {} bytes, as legacy::read_to_string returns them", big_contents.size()),
          "exercise.cpp: what you co_return when the read succeeded");
  }
}

TEST_CASE("the heartbeat keeps its 10 ms beat while the file is read on a blocking lane", "[ex10][task_2]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded(
        "10-dont-block", seed, [] { return office(big_file); }, world());
    grading::require_finished(run);
    const auto q = run.query();

    std::vector<std::chrono::nanoseconds> beat_times;
    for (const auto& e : q.events(trace::EventKind::mark))
      if (run.trace.string(e.b) == "beat") beat_times.emplace_back(e.time_ns);
    for (std::size_t k = 1; k <= beats; ++k) {
      const std::chrono::nanoseconds due = static_cast<int>(k) * beat_every;
      if (k <= beat_times.size() && beat_times[k - 1] == due) continue;
      const std::string came =
          k <= beat_times.size() ? "came at " + grading::GradedRun::at(beat_times[k - 1]) : "never came";
      const auto blame = first_long_poll(run);
      grading::fail(
          fmt::format("seed {}: the heartbeat's beat due at {} {}{}", seed, grading::GradedRun::at(due), came,
                      blame ? "; " + *blame : ""),
          fmt::format("a beat every 10 ms, from 10 ms to {}, while the {} read of {} runs on a blocking lane",
                      grading::GradedRun::at(beats * beat_every), grading::GradedRun::at(read_time),
                      big_file),
          "exercise.cpp: where legacy::read_to_string is called. Called in your task, in a task you "
          "spawn, or in a lambda's capture (evaluated before spawn_blocking even starts), it runs on the "
          "worker; it must be called inside the callable you hand to spawn_blocking");
    }

    // The beat was kept because the read ran aside, not because it never ran: a job on a blocking
    // lane (lane 0 is the worker itself) that blocked it for the whole read time.
    bool read_on_a_lane = false;
    for (const auto& begin : q.events(trace::EventKind::blocking_begin)) {
      if (begin.a == 0) continue;
      auto end = q.first(
          [&](const trace::Event& e) { return e.kind == trace::EventKind::blocking_end && e.b == begin.b; });
      if (end && std::chrono::nanoseconds(end->time_ns - begin.time_ns) == read_time) read_on_a_lane = true;
    }
    if (!read_on_a_lane)
      grading::fail(
          fmt::format("seed {}: the heartbeat kept its beat, but no job blocked a blocking lane for {}: "
                      "{} was not read by legacy::read_to_string inside spawn_blocking",
                      seed, grading::GradedRun::at(read_time), big_file),
          fmt::format(
              "legacy::read_to_string(path) called inside spawn_blocking: a blocking lane busy for {}",
              grading::GradedRun::at(read_time)),
          "exercise.cpp: the file must be read by legacy::read_to_string, the old library's call");
  }
}

TEST_CASE("a missing file and a read that panics come back as error values", "[ex10][task_3]") {
  for (auto seed : grading::seeds) {
    std::optional<Loaded> got;
    auto run = grading::run_graded(
        "10-dont-block", seed, [] { return office(missing_file); }, world(),
        [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || *got || got->error().find("no such file") == std::string::npos)
      grading::fail(
          fmt::format("seed {}: load_file(\"{}\") returned {}", seed, missing_file,
                      !got   ? "nothing"
                      : *got ? "contents"
                             : "the error \"" + got->error() + "\""),
          "the reader's own error value, \"no such file: missing.txt\" (the second `?` of `.await??`)",
          "exercise.cpp: what you do with the value legacy::read_to_string returns");

    got.reset();
    run = grading::run_graded(
        "10-dont-block", seed, [] { return office(not_utf8_file); }, world(),
        [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || *got)
      grading::fail(fmt::format("seed {}: load_file(\"{}\"), whose read throws (not UTF-8), returned {}",
                                seed, not_utf8_file, got ? "contents" : "nothing"),
                    "an error value saying the read panicked (the first `?` of `.await??`: the JoinError)",
                    "exercise.cpp: what awaiting spawn_blocking's handle gives when the job threw");
  }
}
