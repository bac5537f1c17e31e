#pragma once
// `asynclab trace info FILE` and `asynclab trace export FILE --chrome OUT.json --jsonl OUT.jsonl`.
//
// Both load the file with the strict loader (asynclab/trace/file.hpp): a corrupt, truncated or
// missing file is reported on `err` in one line and gives exit_failed. They return an exit status
// (cli/exit_codes.hpp) rather than exiting, so tests can call them directly.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "asynclab/trace/trace.hpp"

namespace asynclab::cli {

// How the swimlane timeline is drawn (visualizer/terminal/swimlanes.hpp).
struct TimelineStyle {
  bool show = true;
  int columns = 100;   // the whole drawing, task names included
  bool color = false;  // ANSI colours
};

// Prints a readable summary: runtime mode, event count, duration, tasks, lints, marks; then the
// swimlane timeline, unless `timeline.show` is false.
int trace_info(const std::filesystem::path& file, std::ostream& out, std::ostream& err,
               const TimelineStyle& timeline = {});
// The summary itself, for a trace already in memory (the demo prints it too).
void print_trace_summary(const trace::Trace& trace, std::ostream& out);
// The swimlane timeline of a trace in memory: one row per task.
void print_timeline(const trace::Trace& trace, const TimelineStyle& style, std::ostream& out);

struct ExportTargets {
  std::optional<std::filesystem::path> chrome;  // Chrome trace-event JSON, opens in Perfetto
  std::optional<std::filesystem::path> jsonl;   // JSON Lines, one event per line
};
// Writes every requested export. Giving no target at all is a usage error (exit_usage).
int trace_export(const std::filesystem::path& file, const ExportTargets& targets, std::ostream& out,
                 std::ostream& err);

// "630 ms", "12.5 µs", "1.25 s", "0 ns": a duration in the unit that reads best.
std::string format_duration(std::uint64_t ns);

}  // namespace asynclab::cli
