#pragma once
// Opening a trace file whatever it holds: the GUI's "open", `asynclab gui --trace FILE` and the CLI
// all come through here, so a learner can drop either kind of file on the visualizer.
//
// Rules:
// * The content decides, not the extension: "ALTRACE" at the start → the strict .altrace loader;
//   '{' or '[' after whitespace → Chrome trace-event JSON (trace/chrome_import.hpp); anything else
//   is refused with a message naming the file.
// * Every error message starts with the file's path and says what to do or what went wrong (the
//   operating system's reason for a file that cannot be read). Nothing here throws.
// * Files beyond `max_bytes` (4 GiB unless told) are refused before any byte is read: a trace is read
//   into memory whole.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "asynclab/trace/trace.hpp"

namespace asynclab::vis {

inline constexpr std::uint64_t max_trace_file_bytes = std::uint64_t{4} << 30;

std::expected<trace::Trace, std::string> load_trace_file(const std::filesystem::path& path,
                                                         std::uint64_t max_bytes = max_trace_file_bytes);

}  // namespace asynclab::vis
