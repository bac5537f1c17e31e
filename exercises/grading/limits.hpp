#pragma once
// What one grader run may take, and sizes in the words a teacher writes and a learner reads.
//
// Rules:
// * The defaults suit every exercise's reference solution with room to spare (the largest takes
//   about 1 s of CPU, a dozen threads, tens of MiB); a teacher changes them with `asynclab grade
//   --memory 4G ...` or a limits file (grade_commands.hpp).
// * `memory` bounds the address space (RLIMIT_AS): a sanitizer build reserves terabytes of it for
//   its shadow memory, so there it is not applied.
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace asynclab::grading {

struct Limits {
  std::uint64_t memory = std::uint64_t{2} << 30;       // address space, bytes
  int cpu_seconds = 60;                                // user + system time of each process of the grader's tree
  int processes = 64;                                  // processes the grader's tree holds at once
  std::uint64_t file_size = std::uint64_t{64} << 20;   // the largest file it may write, bytes
  int open_files = 256;                                // descriptors open at once
  std::uint64_t output_kept = std::uint64_t{1} << 20;  // bytes of its output kept; the rest is counted
};

// The limits' names, as `asynclab grade` options and in a limits file: memory, cpu-seconds,
// processes, file-size, open-files, output-kept.
inline constexpr std::string_view limit_names[] = {"memory", "cpu-seconds", "processes",
                                                   "file-size", "open-files", "output-kept"};

// Sets one limit from a teacher's words: ("memory", "4G"), ("processes", "32"). An error names the
// limit and what it accepts.
std::expected<void, std::string> set_limit(Limits& limits, std::string_view name, std::string_view value);

// A limits file: one `name = value` per line (`# comments` and blank lines allowed), names as above.
// An error names the line.
std::expected<void, std::string> read_limits_file(const std::filesystem::path& file, Limits& limits);

// "memory 2 GiB, CPU 60 s, 64 processes, files up to 64 MiB, 256 open files, output kept 1 MiB".
std::string describe_limits(const Limits& limits);

// "2 GiB", "64 MiB", "512 KiB", "100 bytes".
std::string format_bytes(std::uint64_t bytes);
// "2G", "2GiB", "512M", "64k", "1048576" (bytes): a size as a teacher writes it; nothing for
// anything else, or for zero.
std::optional<std::uint64_t> parse_bytes(std::string_view text);

}  // namespace asynclab::grading
