#pragma once
// The terminal's colours, named by what they mean: ANSI SGR sequences (the 8 basic colours, which
// every terminal has and every theme keeps readable). The swimlanes take colours from here, never as
// literals. The meanings follow the GUI's task states: ready green, pending yellow, cancelled red,
// idle dim, scheduled blue, wake magenta.
#include <string_view>

namespace asynclab::vis::ansi {

inline constexpr std::string_view reset = "\x1b[0m";

inline constexpr std::string_view pending = "\x1b[33m";     // yellow: polled, answered Pending
inline constexpr std::string_view ready = "\x1b[32m";       // green: done
inline constexpr std::string_view cancelled = "\x1b[31m";   // red: a future or task cancelled
inline constexpr std::string_view failed = "\x1b[1;31m";    // bold red: panicked, stuck for ever
inline constexpr std::string_view idle = "\x1b[2m";         // dim: waiting for a wake
inline constexpr std::string_view scheduled = "\x1b[34m";   // blue: in the run queue
inline constexpr std::string_view wake = "\x1b[35m";        // magenta: the column where a wake arrived
inline constexpr std::string_view blocking = "\x1b[36m";    // cyan: a blocking job on its lane
inline constexpr std::string_view inside = "\x1b[94m";      // bright blue: a row inside a task (branch, request, lock)
inline constexpr std::string_view frame = "\x1b[2m";        // dim: the box and the axis
inline constexpr std::string_view highlight = "\x1b[1;7m";  // bold reverse: the task pointed at
inline constexpr std::string_view cursor = "\x1b[1;35m";    // bold magenta: the cursor's column

}  // namespace asynclab::vis::ansi
