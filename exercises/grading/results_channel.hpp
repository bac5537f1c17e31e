#pragma once
// How a grader's results reach `asynclab` so that the learner's code, which runs in the grader's own
// process, cannot forge a pass with a one-liner.
//
// The channel is a socket the runner hands the grader as file descriptor `results_fd` (no path on
// the command line, in the environment or on disk: nothing to find and rewrite after the run).
// Before the grader starts, the runner writes a fresh random key into it; the "asynclab" reporter
// (grader_main.cpp) reads that key once, at startup, and from then on writes each test case's JSON
// line sealed with it:
//
//   <16 hex digits: SipHash-2-4(key, line number ‖ JSON)> <space> <JSON> <newline>
//
// Rules:
// * A line whose seal does not match — written by anything but the reporter, out of order, or
//   replayed from another run (another key) — ends what the runner trusts: nothing after it counts.
// * Reading the key is destructive (it is a socket, not a file): code that reads it first leaves the
//   reporter without a key, and the run reports nothing it can trust. Forging still takes finding
//   the key in the process's memory and re-implementing this seal: deliberate reverse-engineering,
//   which is what a grader can ask of an honest tool.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asynclab::grading::channel {

// The descriptor the grader finds its results socket on (the runner puts it there before exec).
inline constexpr int results_fd = 3;

using Key = std::array<std::uint8_t, 16>;

// SipHash-2-4 (Aumasson and Bernstein): a keyed hash made to authenticate short messages.
std::uint64_t siphash24(const Key& key, std::string_view message);

// "<seal> <json>\n" for the `index`-th line (0 first).
std::string seal_line(const Key& key, std::uint64_t index, std::string_view json);

// The JSON of a sealed line when its seal is right for `index`; nothing otherwise. `line` has no
// trailing newline.
std::optional<std::string_view> open_line(const Key& key, std::uint64_t index, std::string_view line);

// Where each check's own output begins: the reporter writes this line, with the check's number, to
// the grader's stdout as the check starts, so the runner can give each check the output printed
// during it (Exercism's per-test `output`). It only attributes output; the verdict never reads it.
inline constexpr std::string_view output_mark = "\x1e" "asynclab check ";

// A key from the kernel's random source (getrandom).
Key fresh_key();

}  // namespace asynclab::grading::channel
