// runtime_bench — the workloads of ../shared/bench/README.md on asynclab's current-thread runtime,
// untraced and traced, printing the same JSON lines as the Tokio twin so the two can be read side by
// side as ratios. Usage: runtime_bench [--untraced | --traced] [--workers N] [WORKLOAD...]
// (none named: all). With --workers N the workloads run on the multi_thread runtime with N worker
// threads ("asynclab-mt-N"), against `tokio-twin --workers N`; `timers` is skipped there, as the twin
// skips it (it needs virtual time), and the traced run is the real-time one only.
//
// As in the twin, every workload runs on the real-time clock except `timers`, which runs in virtual
// time (the twin uses tokio's paused time for it). Traced runs record every event into a Recorder
// and also print the events recorded and the bytes each takes in memory. Two traced runs are made:
// "asynclab-traced" stamps events with virtual time, as every lesson and grader records them, and
// "asynclab-traced-realtime" reads the CPU's time-stamp counter once per poll, as a real-time run
// recorded for the visualizer does.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/asynclab.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

struct Run {
  bool traced = false;
  bool virtual_time = false;
  std::string label = "asynclab";
  std::uint32_t workers = 0;  // 0: current_thread; n: n worker threads
};

void report(std::string_view name, std::uint64_t ops, std::chrono::nanoseconds took, const Run& run,
            const trace::Recorder* rec) {
  double ns_per_op = static_cast<double>(took.count()) / static_cast<double>(ops);
  if (!run.traced) {
    std::printf("{\"workload\": \"%.*s\", \"ops\": %llu, \"ns_per_op\": %.2f, \"runtime\": \"%s\"}\n",
                static_cast<int>(name.size()), name.data(), static_cast<unsigned long long>(ops), ns_per_op, run.label.c_str());
  } else {
    const auto& t = rec->trace();
    std::size_t bytes = t.event_bytes_reserved();
    for (const auto& s : t.strings()) bytes += s.size() + sizeof(std::string);
    bytes += t.locations().size() * sizeof(trace::Location) + t.sites().size() * sizeof(trace::SpawnSite);
    std::printf(
        "{\"workload\": \"%.*s\", \"ops\": %llu, \"ns_per_op\": %.2f, \"runtime\": \"%s\", "
        "\"events\": %zu, \"bytes_per_event\": %.2f}\n",
        static_cast<int>(name.size()), name.data(), static_cast<unsigned long long>(ops), ns_per_op, run.label.c_str(), t.size(),
        static_cast<double>(bytes) / static_cast<double>(t.size()));
  }
  std::fflush(stdout);
}

// Builds the runtime for one measured run and times block_on(body). The recorder (when traced) is
// created before the clock starts and read after it stops.
template <class Body>
void measure(std::string_view name, std::uint64_t ops, const Run& run, Body body) {
  std::optional<trace::Recorder> rec;
  auto b = Runtime::builder().virtual_time(run.virtual_time);
  if (run.workers) b.multi_thread(run.workers);
  else b.current_thread();
  if (run.traced) b.trace(rec.emplace());
  auto start = std::chrono::steady_clock::now();
  {
    auto rt = b.build();
    rt.block_on(body);
  }
  auto took = std::chrono::steady_clock::now() - start;
  report(name, ops, std::chrono::duration_cast<std::chrono::nanoseconds>(took), run, rec ? &*rec : nullptr);
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "runtime_bench: wrong result in %s\n", what);
    std::exit(1);
  }
}

Task<std::uint64_t> index_task(std::uint64_t i) { co_return i; }

// spawn_many: spawn 1,000,000 tasks returning their index; await every handle in order.
void spawn_many(Run run) {
  constexpr std::uint64_t n = 1'000'000;
  measure("spawn_many", n, run, []() -> Task<void> {
    std::vector<JoinHandle<std::uint64_t>> handles;
    handles.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) handles.push_back(spawn(index_task(i)));
    std::uint64_t sum = 0;
    for (auto& h : handles) sum += *co_await h;
    require(sum == n * (n - 1) / 2, "spawn_many");
  });
}

Task<void> yielder(std::uint64_t yields) {
  for (std::uint64_t i = 0; i < yields; ++i) co_await yield_now();
}

// yield_many: 1,000 tasks × 1,000 yield_now.
void yield_many(Run run) {
  constexpr std::uint64_t tasks = 1000, yields = 1000;
  measure("yield_many", tasks * yields, run, []() -> Task<void> {
    std::vector<JoinHandle<void>> handles;
    for (std::uint64_t t = 0; t < tasks; ++t) handles.push_back(spawn(yielder(yields)));
    for (auto& h : handles) require(static_cast<bool>(co_await h), "yield_many");
  });
}

void link(std::uint64_t left, sync::oneshot::Sender<int> done);
Task<void> link_task(std::uint64_t left, sync::oneshot::Sender<int> done) {
  link(left, std::move(done));
  co_return;
}
void link(std::uint64_t left, sync::oneshot::Sender<int> done) {
  if (left == 0) {
    require(std::move(done).send(1).has_value(), "chained_spawn send");
    return;
  }
  (void)spawn(link_task(left - 1, std::move(done)));
}

// chained_spawn: a chain of 100,000 tasks, each spawning the next; the last answers on a oneshot.
void chained_spawn(Run run) {
  constexpr std::uint64_t n = 100'000;
  measure("chained_spawn", n, run, []() -> Task<void> {
    auto [tx, rx] = sync::oneshot::channel<int>();
    link(n, std::move(tx));
    require((co_await rx).has_value(), "chained_spawn");
  });
}

Task<void> sleeper(std::uint64_t ms) { co_await sleep(std::chrono::milliseconds(ms)); }

// timers: 100,000 tasks each sleep a pseudo-random 1..1000 ms (the twin's xorshift), virtual time.
void timers(Run run) {
  constexpr std::uint64_t n = 100'000;
  run.virtual_time = true;  // the twin pauses tokio's clock for this one
  measure("timers", n, run, []() -> Task<void> {
    std::vector<JoinHandle<void>> handles;
    handles.reserve(n);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t i = 0; i < n; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      handles.push_back(spawn(sleeper(1 + x % 1000)));
    }
    for (auto& h : handles) require(static_cast<bool>(co_await h), "timers");
  });
}

Task<void> echo(sync::mpsc::Receiver<std::uint64_t> rx, sync::mpsc::Sender<std::uint64_t> tx) {
  while (auto v = co_await rx.recv()) {
    if (!co_await tx.send(*v + 1)) break;
  }
}

// ping_pong_mpsc: 1,000,000 round trips between two tasks over two mpsc channels of capacity 1.
void ping_pong_mpsc(Run run) {
  constexpr std::uint64_t n = 1'000'000;
  measure("ping_pong_mpsc", n, run, []() -> Task<void> {
    auto [tx1, rx1] = sync::mpsc::channel<std::uint64_t>(1);
    auto [tx2, rx2] = sync::mpsc::channel<std::uint64_t>(1);
    auto echoer = spawn(echo(std::move(rx1), std::move(tx2)));
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      require((co_await tx1.send(v)).has_value(), "ping_pong_mpsc send");
      v = *co_await rx2.recv();
    }
    { auto drop = std::move(tx1); }
    require(static_cast<bool>(co_await echoer), "ping_pong_mpsc echo");
    require(v == n, "ping_pong_mpsc");
  });
}

Task<void> responder(sync::oneshot::Receiver<std::uint64_t> rx, sync::oneshot::Sender<std::uint64_t> tx) {
  auto v = co_await rx;
  require(std::move(tx).send(*v + 1).has_value(), "ping_pong_oneshot respond");
}

// ping_pong_oneshot: 100,000 iterations: two oneshots, spawn a responder, send, await the answer.
void ping_pong_oneshot(Run run) {
  constexpr std::uint64_t n = 100'000;
  measure("ping_pong_oneshot", n, run, []() -> Task<void> {
    for (std::uint64_t i = 0; i < n; ++i) {
      auto [tx1, rx1] = sync::oneshot::channel<std::uint64_t>();
      auto [tx2, rx2] = sync::oneshot::channel<std::uint64_t>();
      (void)spawn(responder(std::move(rx1), std::move(tx2)));
      require(std::move(tx1).send(i).has_value(), "ping_pong_oneshot send");
      require(*co_await rx2 == i + 1, "ping_pong_oneshot");
    }
  });
}

Task<void> producer(sync::mpsc::Sender<std::uint64_t> tx, std::uint64_t first, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) require((co_await tx.send(first + i)).has_value(), "mpsc_contention send");
}

// mpsc_contention: 5 producers × 200,000 messages into one channel of capacity 1,024; one consumer.
void mpsc_contention(Run run) {
  constexpr std::uint64_t producers = 5, per = 200'000;
  measure("mpsc_contention", producers * per, run, []() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<std::uint64_t>(1024);
    for (std::uint64_t p = 0; p < producers; ++p) (void)spawn(producer(tx, p * per, per));
    { auto drop = std::move(tx); }
    std::uint64_t count = 0;
    while (co_await rx.recv()) ++count;
    require(count == producers * per, "mpsc_contention");
  });
}

Task<std::uint64_t> ready_value(std::uint64_t i) { co_return i; }

// select_timeout: 1,000,000 × timeout(1 s, an immediately ready future).
void select_timeout(Run run) {
  constexpr std::uint64_t n = 1'000'000;
  measure("select_timeout", n, run, []() -> Task<void> {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < n; ++i) sum += *co_await timeout(1s, ready_value(i));
    require(sum == n * (n - 1) / 2, "select_timeout");
  });
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::pair<std::string_view, void (*)(Run)>> all = {
      {"spawn_many", spawn_many},         {"yield_many", yield_many},
      {"ping_pong_mpsc", ping_pong_mpsc}, {"ping_pong_oneshot", ping_pong_oneshot},
      {"chained_spawn", chained_spawn},   {"timers", timers},
      {"mpsc_contention", mpsc_contention}, {"select_timeout", select_timeout},
  };
  bool untraced = true, traced = true;
  std::uint32_t workers = 0;
  std::vector<std::string_view> wanted;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--untraced") traced = false;
    else if (a == "--traced") untraced = false;
    else if (a == "--workers" && i + 1 < argc) {
      const int n = std::atoi(argv[++i]);
      if (n < 1 || n > static_cast<int>(Runtime::Builder::max_workers)) {
        std::fprintf(stderr, "runtime_bench: --workers takes 1..%u\n", Runtime::Builder::max_workers);
        return 2;
      }
      workers = static_cast<std::uint32_t>(n);
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: runtime_bench [--untraced | --traced] [--workers N] [WORKLOAD...]");
      return 0;
    } else wanted.push_back(a);
  }
  for (auto w : wanted) {
    bool known = false;
    for (auto& [name, fn] : all) known |= name == w;
    if (!known) {
      std::fprintf(stderr, "runtime_bench: unknown workload '%.*s'\n", static_cast<int>(w.size()), w.data());
      return 2;
    }
  }
  for (auto& [name, fn] : all) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    if (workers) {
      if (name == "timers") continue;  // virtual time only, as in the twin
      const std::string mt = "-mt-" + std::to_string(workers);
      if (untraced) fn(Run{false, false, "asynclab" + mt, workers});
      if (traced) fn(Run{true, false, "asynclab-traced-realtime" + mt, workers});
      continue;
    }
    if (untraced) fn(Run{false, false, "asynclab"});
    if (traced) fn(Run{true, true, "asynclab-traced"});
    if (traced) fn(Run{true, false, "asynclab-traced-realtime"});
  }
}
