#pragma once
// `asynclab demo [-o FILE.altrace] [--seed N]` — a small built-in scenario until the lessons land:
// three fetches joined, a select between a slow fetch and a sleep, a spawned task and a JoinSet of
// three, all on the virtual-time runtime with tracing on. It narrates what happened, with virtual
// times, and saves the trace when asked.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>

namespace asynclab::cli {

struct DemoOptions {
  std::uint64_t seed = 0;
  std::optional<std::filesystem::path> output;  // where to save the .altrace, if anywhere
};

// Returns an exit status (cli/exit_codes.hpp): exit_failed when the trace could not be saved.
int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace asynclab::cli
