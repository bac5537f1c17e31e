#pragma once
// The .altrace file: a recorded run on disk, loaded back exactly as it was recorded.
//
// Layout (little-endian), version 1:
//   magic "ALTRACE\0" (8 bytes) · u32 version · u32 flags (reserved, 0)
//   u64 string count  · each string: u32 byte length, then the bytes (UTF-8, no terminator)
//   u64 location count · each: u32 file, u32 function, u32 line, u32 column
//   u64 site count     · each: u32 name, u32 location
//   u64 event count    · each event: its 24 bytes as in trace/event.hpp
//   u64 FNV-1a hash of everything before it
// Index 0 of the string, location and site tables is implicit (the "none" entry) and not stored.
//
// Rules:
// * Saving is deterministic: the same Trace gives the same bytes.
// * Loading validates everything before trusting it: magic, version, every count against the bytes
//   that remain (so a corrupt count cannot make it allocate gigabytes), every string, table and
//   event field against the tables, the event kinds, times that never decrease, and the hash.
//   A bad file gives a LoadError saying what is wrong and at which byte — never a crash.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

inline constexpr std::uint32_t altrace_version = 1;

struct LoadError {
  std::string message;      // what is wrong, in words a learner can act on
  std::uint64_t offset = 0;  // byte offset in the file where it was noticed
  std::string to_string() const;
};

// The bytes of an .altrace file for this trace.
std::string to_altrace(const Trace& trace);
// Parses and validates the bytes of an .altrace file.
std::expected<Trace, LoadError> from_altrace(std::string_view bytes);

// Writes atomically (a temporary file renamed over the target), so a crash never leaves half a file;
// only a regular file is ever replaced (trace/output_file.hpp).
std::expected<void, std::string> save(const Trace& trace, const std::filesystem::path& path);
// The largest file load() reads: a device (/dev/zero) or a named pipe that never ends is cut there,
// and a directory or a device is refused before a byte is read.
inline constexpr std::uint64_t largest_trace_file = std::uint64_t{1} << 30;
std::expected<Trace, LoadError> load(const std::filesystem::path& path);

}  // namespace asynclab::trace
