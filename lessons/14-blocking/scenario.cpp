// Lesson 14 — blocking the executor.
//
// A heartbeat task should beat every `heartbeat_ms`. Meanwhile a loader task reads a big file with
// a *synchronous* read, the seed's `std::fs::read_to_string("big-file.txt")`. Here that read is a
// function over the simulated file table that calls sim::block_for for the disk time: it holds
// whatever thread runs it, exactly like the real call would, only in virtual time.
//
// Called straight from the loader task (use_spawn_blocking off), it holds the one worker: no other
// task is polled until it returns, and the heartbeat misses its beats. Handed to spawn_blocking, it
// runs on a blocking lane instead and the worker keeps polling the heartbeat.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;

// std::fs::read_to_string(path): plain, blocking code. Not a coroutine: it cannot yield, so the
// thread that calls it is stuck here until the "disk" is done.
std::expected<std::string, std::string> read_to_string_blocking(const std::string& path) {
  const sim::FileSystem::File* file = sim::files().find(path);
  if (file == nullptr) return std::unexpected("no such file: " + path);
  sim::block_for(file->read_time);
  return file->contents;
}

Task<void> heartbeat(Duration every, int beats) {
  for (int beat = 1; beat <= beats; ++beat) {
    co_await sleep(every);
    say("heartbeat {}", beat);
  }
}

Task<void> loader(bool use_spawn_blocking) {
  co_await sleep(25ms);  // starts between two beats
  mark("reading big-file.txt");
  std::expected<std::string, std::string> data;
  if (use_spawn_blocking) {
    // Right: spawn_blocking(|| std::fs::read_to_string("big-file.txt")).await??
    auto job =
        co_await spawn_blocking([] { return read_to_string_blocking("big-file.txt"); }, "read big-file.txt");
    if (!job) {
      say("the blocking job failed: {}", job.error().to_string());
      co_return;
    }
    data = std::move(*job);
  } else {
    // Wrong: blocks the async executor.
    data = read_to_string_blocking("big-file.txt");
  }
  mark("big-file.txt read");
  if (data) {
    say("loader: read {} bytes", data->size());
  } else {
    say("loader: {}", data.error());
  }
}

Task<void> heartbeat_and_loader(bool use_spawn_blocking, Duration every, int beats) {
  auto beat = spawn(heartbeat(every, beats), "heartbeat");
  auto load = spawn(loader(use_spawn_blocking), "loader");
  (void)co_await load;
  (void)co_await beat;
}

}  // namespace

void scenario_14_blocking(ScenarioRun& run) {
  const auto& p = run.params();
  const auto read_time = p.millis("block_ms");
  const auto every = p.millis("heartbeat_ms");
  // Enough beats to span the start, the whole read and a few after it.
  const int beats = static_cast<int>((25ms + read_time) / every) + 3;
  sim::FileSystem files;
  files.add("big-file.txt", std::string(64 * 1024, 'x'), read_time);
  run.block_on(run.builder().files(files), heartbeat_and_loader(p.flag("use_spawn_blocking"), every, beats));
}

}  // namespace asynclab::lessons
