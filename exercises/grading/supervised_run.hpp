#pragma once
// One program run as a grader is run: in a process tree that cannot outlive the run, inside limits,
// its output and its results channel read by the caller. The runner (runner.hpp) turns what this
// reports into a verdict.
//
//   asynclab ── supervisor (child subreaper) ── the program (own process group) ── what it starts
//
// Rules:
// * Every process the program starts is dead when run_supervised returns — one that called setsid()
//   or double-forked too: the supervisor is their child subreaper, so every orphan of the tree
//   becomes its child, and it kills the tree until no child is left: when the program ends, at the
//   time limit, when the tree holds more than `limits.processes` processes, and when asynclab is
//   interrupted or dies. Should the supervisor itself be killed from inside the tree, asynclab then
//   kills every process that carries the run's mark in its environment (ASYNCLAB_SUPERVISED_RUN,
//   a fresh random value per run).
// * The program starts with: stdin /dev/null; stdout and stderr one pipe, of which the first
//   `limits.output_kept` bytes are kept and the rest counted; the results socket on fd 3
//   (results_channel.hpp), `results_preamble` already waiting in it; no other descriptor; its limits
//   set (address space, CPU seconds, file size, open files, processes where the kernel counts them
//   for this user, no core files); `environment` added to asynclab's own. A limit at its type's
//   maximum is not set.
// * Safe to call from a background thread: between fork and exec the children touch only what they
//   were handed (glibc keeps malloc usable after fork).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "limits.hpp"

namespace asynclab::grading {

struct SupervisedCommand {
  std::vector<std::string> argv;         // argv[0] is the program's path
  std::vector<std::string> environment;  // NAME=VALUE set (or replaced) for the program
  std::filesystem::path working_dir;
  std::chrono::milliseconds time_limit{10'000};
  Limits limits;
  std::string results_preamble;          // written into the results socket before the program starts
  // Run the program as this user and group (asynclab running as root, as course platforms do, drops
  // to nobody): then it can write nothing of asynclab's — the build tree, the sources, progress, the
  // results file — cannot signal the supervisor, and the kernel counts its processes.
  std::optional<std::pair<uid_t, gid_t>> run_as;
  std::size_t results_max = 4u << 20;    // results beyond this are not kept (results_overflow)
  // Called with the output as it arrives (a build's [n/m] lines), kept or not.
  std::function<void(std::string_view)> on_output;
};

struct SupervisedEnd {
  bool started = false;        // false: could not start (`error` says why)
  std::string error;
  bool exited = false;         // exited by itself with `exit_status`
  int exit_status = 0;
  int signal = 0;              // the signal that ended it, when it did not exit by itself
  bool timed_out = false;      // killed at the time limit
  bool too_many_processes = false;  // killed when its tree held more than limits.processes
  bool interrupted = false;    // killed because asynclab was interrupted
  bool supervisor_lost = false;  // the supervisor was killed (from inside the tree): nothing it saw is known
  int most_processes = 0;      // the most processes its tree held at once, as the supervisor saw
  int most_open_files = 0;     // the most descriptors it held at once, as the supervisor saw
  double seconds = 0;
  double cpu_seconds = 0;      // user + system, of the program and the children it waited for
  std::string output;
  std::uint64_t output_dropped = 0;
  std::string results;
  bool results_overflow = false;
};

SupervisedEnd run_supervised(const SupervisedCommand& command);

}  // namespace asynclab::grading
