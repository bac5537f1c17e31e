// See targets.hpp.
#include "targets.hpp"

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "asynclab/trace/file.hpp"
#include "engine/lesson_file.hpp"
#include "engine/markdown.hpp"
#include "engine/params.hpp"
#include "engine/progress.hpp"
#include "asynclab/trace/chrome_import.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"
#include "terminal/swimlanes.hpp"

namespace asynclab::fuzz {

namespace {

// What every reader of an accepted trace does with it: index it, replay it to its middle and its
// end, lay out its lanes, draw it as text.
void use_trace(const trace::Trace& trace) {
  const vis::TraceIndex index(trace);
  const vis::StateTimeline timeline(index);
  (void)timeline.state_at(trace.size() / 2);
  (void)timeline.state_at(trace.size());
  (void)vis::default_lanes(index);
  vis::SwimlaneOptions options;
  options.width = 100;
  (void)vis::render_swimlanes(index, options);
}

// A folder of this process's own for the targets that need a file.
const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / fmt::format("asynclab-fuzz-{}", ::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

void altrace_file(std::string_view bytes) {
  if (auto trace = trace::from_altrace(bytes)) use_trace(*trace);
  // A file's last 8 bytes are the FNV-1a hash of the rest, which random changes never match: the same
  // bytes again with the hash made right, so the fuzzer reaches the checks behind it (every table and
  // event field) and the readers of what passes them — where a forged lane number did its harm.
  if (bytes.size() < 8) return;
  std::string rehashed(bytes);
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < rehashed.size() - 8; ++i) {
    hash ^= static_cast<unsigned char>(rehashed[i]);
    hash *= 0x100000001b3ULL;
  }
  for (int k = 0; k < 8; ++k) rehashed[rehashed.size() - 8 + static_cast<std::size_t>(k)] = static_cast<char>(hash >> (8 * k));
  if (auto trace = trace::from_altrace(rehashed)) use_trace(*trace);
}

void chrome_json(std::string_view bytes) {
  if (auto trace = trace::import_chrome_json(bytes)) use_trace(*trace);
}

void lesson_markdown(std::string_view bytes) {
  (void)lessons::side_by_side_pairs(lessons::parse_markdown(bytes));
  // A lesson's folder must be named NN-slug, or parsing stops at the name: a real one's path.
  (void)lessons::parse_lesson(bytes, "lessons/08-join/lesson.md");
}

void progress_file(std::string_view bytes) {
  const auto path = scratch() / "progress.json";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto progress = lessons::Progress::load(path);
  for (const char* folder : {"01-first-future", "08-join", "04-join-fetches"}) {
    (void)progress.lesson_done(folder);
    (void)progress.lesson_step(folder);
    (void)progress.exercise_done(folder);
    (void)progress.hints_shown(folder);
  }
  progress.saw_lesson_step("08-join", progress.lesson_step("08-join") + 1, 4);
  progress.record_grade("04-join-fetches", true, "done");
  progress.set_hints_shown("04-join-fetches", progress.hints_shown("04-join-fetches") + 1);
  (void)progress.save();
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(scratch(), ignored))
    std::filesystem::remove(entry.path(), ignored);
}

void param_values(std::string_view bytes) {
  // The kinds a lesson declares: a range with a unit, a flag, a choice.
  std::vector<lessons::ParamSpec> specs(3);
  specs[0] = {.name = "latency", .label = "latency", .kind = lessons::ParamKind::integer, .min = 10, .max = 1000,
              .unit = "ms", .choices = {}, .default_value = std::int64_t{300}};
  specs[1] = {.name = "serve", .label = "serve", .kind = lessons::ParamKind::flag, .min = 0, .max = 0, .unit = "",
              .choices = {}, .default_value = false};
  specs[2] = {.name = "order", .label = "order", .kind = lessons::ParamKind::choice, .min = 0, .max = 0, .unit = "",
              .choices = {"same", "opposite"}, .default_value = std::string("same")};
  lessons::ParamValues values(specs);
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const std::string_view line = bytes.substr(0, newline);
    bytes.remove_prefix(newline == std::string_view::npos ? bytes.size() : newline + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      for (const auto& spec : specs) (void)spec.parse_value(line);
      continue;
    }
    (void)values.set(line.substr(0, eq), line.substr(eq + 1));
  }
  (void)values.integer("latency");
  (void)values.millis("latency");
}

}  // namespace asynclab::fuzz
