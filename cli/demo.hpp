#pragma once
// `asynclab demo [-o FILE.altrace] [--seed N]` — a small built-in scenario until the lessons land:
// three fetches joined, a select between a slow fetch and a sleep, a spawned task, a JoinSet of
// three, a waiter and a cook over a one-slot channel and two chefs sharing a mutex, all on the virtual-time runtime with tracing on. It narrates what happened, with virtual
// times, ends with the swimlane timeline of the run, and saves the trace when asked.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>

#include "asynclab/trace/trace.hpp"

#include "trace_commands.hpp"

namespace asynclab::cli {

struct DemoOptions {
  std::uint64_t seed = 0;
  std::optional<std::filesystem::path> output;  // where to save the .altrace, if anywhere
  TimelineStyle timeline;                       // the timeline printed at the end
};

// The demo's trace alone, without narration: what `asynclab gui` opens when no trace is given.
trace::Trace record_demo(std::uint64_t seed = 0);

// Returns an exit status (cli/exit_codes.hpp): exit_failed when the trace could not be saved.
int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace asynclab::cli
