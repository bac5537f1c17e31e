#pragma once
// The exit statuses of the `asynclab` command (design.md §6), shared by every subcommand.
namespace asynclab::cli {

inline constexpr int exit_ok = 0;        // it did what was asked
inline constexpr int exit_failed = 1;    // an input was rejected (corrupt or unreadable trace) or an output could not be written
inline constexpr int exit_usage = 2;     // the command line was wrong: unknown subcommand or option, missing argument

}  // namespace asynclab::cli
