// Lesson 01 — why async: a waiter per table (threads) against one waiter for every table (tasks).
//
// Seed B's restaurant: "using a thread for each customer is like hiring a full-time waiter for
// *every* diner, even if they're just waiting for their food." This scenario does both, for real:
//
// 1. Threads, measured on this machine. It really starts N std::threads that do nothing but wait
//    (on a condition variable, the way a blocked read waits), and reports what that cost: wall time
//    to start and join them, address space reserved and memory made resident, context switches.
//    Threads are not part of the async runtime, so they are not in the trace: they are numbers.
// 2. Tasks, measured the same way: N tasks spawned on a fresh runtime, run to completion, timed;
//    and their size in bytes, read off where the runtime put them.
// 3. Tasks, traced: the same N tables on the lesson's runtime (one thread, virtual time). Each one
//    places its order and waits for the kitchen; while it waits, the one thread serves the others.
//
// Honest limits: the numbers depend on the machine, the build (Debug is slower) and what else runs.
// The waiting itself is taken out of both measurements (threads are released as soon as all of
// them have started; tasks sleep in virtual time), so they compare what each approach costs to
// have N waiters, not how long the food takes.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using WallClock = std::chrono::steady_clock;

double millis_since(WallClock::time_point start) {
  return std::chrono::duration<double, std::milli>(WallClock::now() - start).count();
}

// /proc/self/status: VmSize is the address space the process has reserved, VmRSS what is resident.
struct ProcessMemory {
  long size_kib = 0;
  long rss_kib = 0;
};

ProcessMemory read_process_memory() {
  ProcessMemory m;
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmSize:" && status >> value) m.size_kib = value;
    if (key == "VmRSS:" && status >> value) m.rss_kib = value;
  }
  return m;
}

long context_switches(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return usage.ru_nvcsw + usage.ru_nivcsw;
}

// --- threads: one waiter per table ---------------------------------------------------------------

// Where every thread parks: it says "I'm here" and waits until the gate opens. Two condition
// variables, so an arrival wakes only the starter, and opening the gate wakes only the waiters.
struct Gate {
  std::mutex mutex;
  std::condition_variable arrived_cv;
  std::condition_variable open_cv;
  std::size_t arrived = 0;
  bool open = false;

  void arrive_and_wait() {
    std::unique_lock lock(mutex);
    ++arrived;
    arrived_cv.notify_one();
    open_cv.wait(lock, [&] { return open; });
  }
};

struct ThreadCost {
  std::size_t asked = 0;
  std::size_t started = 0;
  std::string failure;  // why the (started+1)th thread could not start, if one could not
  double wall_ms = 0;
  long reserved_kib = 0;  // address space growth while all were alive
  long resident_kib = 0;  // resident memory growth while all were alive
  long switches = 0;
};

ThreadCost start_waiting_threads(std::size_t n) {
  ThreadCost cost;
  cost.asked = n;
  Gate gate;
  std::vector<std::thread> threads;
  threads.reserve(n);
  const ProcessMemory before = read_process_memory();
  const long switches_before = context_switches(RUSAGE_SELF);
  const auto start = WallClock::now();
  try {
    for (std::size_t i = 0; i < n; ++i) threads.emplace_back([&gate] { gate.arrive_and_wait(); });
  } catch (const std::system_error& e) {
    cost.failure = e.what();  // a limit (threads, memory) said no: report how far we got
  }
  cost.started = threads.size();
  {
    std::unique_lock lock(gate.mutex);
    gate.arrived_cv.wait(lock, [&] { return gate.arrived == threads.size(); });
  }
  // Every thread exists and waits: this is what N idle waiters cost.
  const ProcessMemory alive = read_process_memory();
  {
    std::lock_guard lock(gate.mutex);
    gate.open = true;
  }
  gate.open_cv.notify_all();
  for (auto& t : threads) t.join();
  cost.wall_ms = millis_since(start);
  cost.switches = context_switches(RUSAGE_SELF) - switches_before;
  cost.reserved_kib = alive.size_kib - before.size_kib;
  cost.resident_kib = alive.rss_kib - before.rss_kib;
  return cost;
}

// --- tasks: one waiter for every table ------------------------------------------------------------

// What the tables tell the lesson about where they ran.
struct Seen {
  std::set<std::thread::id> threads;   // OS threads that polled a table
  std::vector<std::uintptr_t> frames;  // where each table's coroutine frame is (one per table)
  int served = 0;
};

// One table: it places its order and waits for the kitchen. While it waits (Pending), the thread
// is free to serve every other table. `number` is copied into the coroutine frame, so its address
// tells where the frame lives.
Task<void> table(int number, Duration order, Seen* seen) {
  seen->threads.insert(std::this_thread::get_id());
  if (!seen->frames.empty())
    seen->frames[static_cast<std::size_t>(number - 1)] = reinterpret_cast<std::uintptr_t>(&number);
  co_await sleep(order);  // the kitchen cooks; the waiter moves on to the next table
  ++seen->served;
}

Task<void> serve_untraced(int tables, Duration order, Seen* seen) {
  std::vector<JoinHandle<void>> served;
  served.reserve(static_cast<std::size_t>(tables));
  for (int t = 1; t <= tables; ++t) served.push_back(spawn(table(t, order, seen), "table"));
  for (auto& h : served) (void)co_await h;
}

struct TaskCost {
  double wall_ms = 0;
  long switches = 0;
};

// The same tables, untraced, on a runtime of their own: spawned, run and joined, timed.
TaskCost run_untraced_tasks(int tables, Duration order) {
  TaskCost cost;
  Seen seen;
  const long switches_before = context_switches(RUSAGE_THREAD);
  const auto start = WallClock::now();
  auto rt = Runtime::builder().current_thread().virtual_time().build();
  rt.block_on(serve_untraced(tables, order, &seen));
  cost.wall_ms = millis_since(start);
  cost.switches = context_switches(RUSAGE_THREAD) - switches_before;
  return cost;
}

// What one table costs in memory: its task cell and its coroutine frame. It is the same in every
// run of this build, so it is measured once per process, on a fresh thread: a fresh thread's frame
// pool is empty, so each spawn carves its frame and cell from the slab right after the previous
// task's, and the distance between two tables' frames is what one task takes.
double bytes_per_task() {
  static const double bytes = [] {
    constexpr int probes = 64;
    Seen seen;
    seen.frames.assign(probes, 0);
    std::thread fresh([&] {
      auto rt = Runtime::builder().current_thread().virtual_time().build();
      rt.block_on(serve_untraced(probes, std::chrono::milliseconds(1), &seen));
    });
    fresh.join();
    // The typical distance between neighbours (a new slab now and then makes an odd one out).
    std::vector<std::uintptr_t> strides;
    for (std::size_t i = 1; i < seen.frames.size(); ++i)
      strides.push_back(seen.frames[i] > seen.frames[i - 1] ? seen.frames[i] - seen.frames[i - 1]
                                                            : seen.frames[i - 1] - seen.frames[i]);
    std::nth_element(strides.begin(), strides.begin() + static_cast<std::ptrdiff_t>(strides.size() / 2),
                     strides.end());
    return static_cast<double>(strides[strides.size() / 2]);
  }();
  return bytes;
}

// --- the traced run ---------------------------------------------------------------------------------

Task<void> restaurant(int tables, Duration order, Seen* seen) {
  const auto order_ms = std::chrono::duration_cast<std::chrono::milliseconds>(order).count();
  say("one waiter (this thread) takes the orders of {} table{}; the kitchen needs {} ms per order", tables,
      tables == 1 ? "" : "s", order_ms);
  // The names live as long as main: the runtime remembers the last spawn name by its address, so
  // each task's name needs storage of its own (a temporary reused in the loop would name them all
  // "table 1").
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(tables));
  for (int t = 1; t <= tables; ++t) names.push_back(fmt::format("table {}", t));
  std::vector<JoinHandle<void>> served;
  served.reserve(static_cast<std::size_t>(tables));
  for (int t = 1; t <= tables; ++t)
    served.push_back(spawn(table(t, order, seen), names[static_cast<std::size_t>(t - 1)]));
  mark("every order placed");
  for (auto& h : served) (void)co_await h;
  mark("all tables served");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  say("all tables served ({}) after {} ms, by {} OS thread{}", seen->served, took, seen->threads.size(),
      seen->threads.size() == 1 ? "" : "s");
}

}  // namespace

void scenario_01_threads_vs_tasks(ScenarioRun& run) {
  const auto& p = run.params();
  const int tables = static_cast<int>(p.integer("tables"));
  const Duration order = p.millis("order_ms");

  // 1. A thread per table, for real.
  const ThreadCost threads = start_waiting_threads(static_cast<std::size_t>(tables));
  const double started = static_cast<double>(std::max<std::size_t>(threads.started, 1));
  run.measure(fmt::format("{} threads: started", tables), static_cast<double>(threads.started), "threads");
  run.measure(fmt::format("{} threads: time to start and join", tables), threads.wall_ms, "ms");
  run.measure("per thread: address space reserved", static_cast<double>(threads.reserved_kib) / started,
              "KiB");
  run.measure("per thread: memory made resident", static_cast<double>(threads.resident_kib) / started, "KiB");
  run.measure(fmt::format("{} threads: context switches", tables), static_cast<double>(threads.switches),
              "switches");
  run.say(fmt::format(
      "threads: started {} of {} in {:.1f} ms (start, wait, join); each reserved {:.0f} KiB of "
      "address space for its stack and made {:.0f} KiB resident; {} context switches",
      threads.started, tables, threads.wall_ms, static_cast<double>(threads.reserved_kib) / started,
      static_cast<double>(threads.resident_kib) / started, threads.switches));
  if (!threads.failure.empty())
    run.say(fmt::format("threads: thread {} could not start: {}", threads.started + 1, threads.failure));

  // 2. A task per table, for real (untraced, on a runtime of its own).
  const TaskCost tasks = run_untraced_tasks(tables, order);
  const double task_bytes = bytes_per_task();
  run.measure(fmt::format("{} tasks: time to spawn and run to completion", tables), tasks.wall_ms, "ms");
  run.measure("per task: task cell and coroutine frame", task_bytes, "bytes");
  run.measure(fmt::format("{} tasks: context switches", tables), static_cast<double>(tasks.switches),
              "switches");
  run.say(
      fmt::format("tasks: spawned and finished {} in {:.1f} ms; each took {:.0f} bytes (cell and frame); "
                  "{} context switches",
                  tables, tasks.wall_ms, task_bytes, tasks.switches));

  // 3. The tasks, traced: what the timeline shows.
  Seen seen;
  run.block_on(restaurant(tables, order, &seen));
}

}  // namespace asynclab::lessons
