// Lesson 18 — when not to use async: CPU-heavy work gains nothing from tasks.
//
// Seed C's table puts "CPU-heavy computation" in the "use threads or sync" column. Two parts:
//
// 1. Measured for real, before the runtime starts: one CPU-bound computation (a hash chain; no
//    I/O, no waiting) timed on one thread; the same work split in two tasks on a current_thread
//    runtime (real time, untraced); and split across one std::thread per core. Tasks take turns on
//    their one thread, so they take as long as one thread; threads on separate cores share the
//    work. The numbers vary with the machine and whatever else runs; nothing asserts them.
// 2. Traced, in virtual time: a `heartbeat` task that should beat every 10 ms, and a `checksum`
//    task doing CPU work (sim::block_for stands for it). Done inside the task, the work holds the
//    only worker: one long poll (the long-poll lint), and the heartbeat is not polled until it ends.
//    With `offload` on, the work goes to a thread of the blocking pool (spawn_blocking) and the
//    heartbeat keeps its beat.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;
using WallClock = std::chrono::steady_clock;

// --- real CPU work ---------------------------------------------------------------------------------

// A hash chain: every step depends on the one before, so nothing but a CPU can speed it up.
std::uint64_t hash_chain(std::uint64_t seed, std::uint64_t steps) {
  std::uint64_t h = seed | 1;
  for (std::uint64_t i = 0; i < steps; ++i) {
    h ^= h << 13;
    h ^= h >> 7;
    h ^= h << 17;
    h *= 0x2545F4914F6CDD1DULL;
  }
  return h;
}

template <class F>
double time_ms(F&& f) {
  const auto start = WallClock::now();
  f();
  return std::chrono::duration<double, std::milli>(WallClock::now() - start).count();
}

// The part of the work one task does; no await inside, so the task runs it in one poll.
Task<std::uint64_t> hash_part(std::uint64_t seed, std::uint64_t steps) { co_return hash_chain(seed, steps); }

Task<std::uint64_t> hash_in_tasks(std::uint64_t steps, unsigned parts) {
  std::vector<JoinHandle<std::uint64_t>> handles;
  for (unsigned k = 0; k < parts; ++k) handles.push_back(spawn(hash_part(k + 1, steps / parts), "hash part"));
  std::uint64_t mixed = 0;
  for (auto& h : handles) {
    auto part = co_await h;
    mixed ^= part ? *part : 0;
  }
  co_return mixed;
}

struct CpuTimes {
  unsigned cores = 1;
  double one_thread_ms = 0;
  double tasks_ms = 0;
  double threads_ms = 0;
  std::uint64_t checksum = 0;  // printed, so the work cannot be optimised away
};

CpuTimes measure_cpu_work(std::uint64_t steps) {
  CpuTimes t;
  t.cores = std::clamp(std::thread::hardware_concurrency(), 1u, 16u);
  t.one_thread_ms = time_ms([&] { t.checksum ^= hash_chain(1, steps); });
  t.tasks_ms = time_ms([&] {
    auto rt = Runtime::builder().current_thread().build();  // real time, no trace
    t.checksum ^= rt.block_on(hash_in_tasks(steps, t.cores));
  });
  t.threads_ms = time_ms([&] {
    std::vector<std::uint64_t> results(t.cores);
    std::vector<std::thread> threads;
    for (unsigned k = 0; k < t.cores; ++k)
      threads.emplace_back([&results, k, part = steps / t.cores] { results[k] = hash_chain(k + 1, part); });
    for (auto& th : threads) th.join();
    for (auto r : results) t.checksum ^= r;
  });
  return t;
}

// --- the traced run ---------------------------------------------------------------------------------

struct Beats {
  bool stop = false;
  int count = 0;
  Duration longest_gap{0};
};

// Should beat every 10 ms. Each beat notes how long it has been since the previous one.
Task<void> heartbeat(Beats* beats) {
  Instant last = now();
  while (!beats->stop) {
    co_await sleep(10ms);
    const Instant at = now();
    beats->longest_gap = std::max(beats->longest_gap, at - last);
    last = at;
    ++beats->count;
  }
}

// The CPU-heavy job. In a task, sim::block_for holds the worker for `work` (the clock moves while
// nobody else can run); in spawn_blocking it occupies a thread of the blocking pool instead.
Task<void> checksum(Duration work, bool offload) {
  if (offload) {
    auto job = spawn_blocking([work] { sim::block_for(work); }, "checksum on a thread");
    (void)co_await job;
  } else {
    sim::block_for(work);  // no .await anywhere: one poll does all of it
  }
}

Task<void> service(Duration work, bool offload) {
  Beats beats;
  auto beating = spawn(heartbeat(&beats), "heartbeat");
  auto job = spawn(checksum(work, offload), "checksum");
  (void)co_await job;
  mark("checksum done");
  co_await sleep(30ms);  // a few more beats, then stop
  beats.stop = true;
  (void)co_await beating;
  say("heartbeat: {} beats; the longest gap between two was {} ms (it should be 10)", beats.count,
      std::chrono::duration_cast<std::chrono::milliseconds>(beats.longest_gap).count());
}

}  // namespace

void scenario_18_when_not_async(ScenarioRun& run) {
  const auto& p = run.params();

  // 1. Real CPU work, measured before the runtime starts.
  const auto steps = static_cast<std::uint64_t>(p.integer("real_work")) * 1'000'000u;
  const CpuTimes cpu = measure_cpu_work(steps);
  run.measure("CPU work on 1 thread", cpu.one_thread_ms, "ms");
  run.measure(fmt::format("the same work as {} tasks on a current_thread runtime", cpu.cores), cpu.tasks_ms,
              "ms");
  run.measure(fmt::format("the same work on {} threads (one per core)", cpu.cores), cpu.threads_ms, "ms");
  run.measure("cores", static_cast<double>(cpu.cores), "cores");
  run.say(
      fmt::format("measured: {}M hash steps took {:.1f} ms on 1 thread, {:.1f} ms as {} tasks on one "
                  "runtime thread, {:.1f} ms on {} threads (checksum {:x})",
                  p.integer("real_work"), cpu.one_thread_ms, cpu.tasks_ms, cpu.cores, cpu.threads_ms,
                  cpu.cores, cpu.checksum));

  // 2. The traced run.
  run.block_on(service(p.millis("cpu_ms"), p.flag("offload")));
}

}  // namespace asynclab::lessons
