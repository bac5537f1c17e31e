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
// 4. With `serve` on, real connections, measured: N clients connect over 127.0.0.1 to a server that
//    gives each connection a std::thread (blocking reads), then to one that gives each a task on one
//    thread (the epoll reactor). Every client waits until all N have been greeted, so all N
//    connections — and all N server-side waiters — exist at once; then each sends "ping" and reads
//    "pong". Reported: connections served, wall time for the whole exchange, and the memory the
//    process grew by with all N open (read from /proc/self/status at that moment).
//
// Honest limits: the numbers depend on the machine, the build (Debug is slower) and what else runs.
// In part 4 the clients live in the same process (one task each, on the lesson's thread), so both
// memory figures include them equally; the difference between the two is the servers'. Both ends of
// a connection take a file descriptor here, so N is capped by the open-files limit, which the Output
// then says.
// The waiting itself is taken out of both measurements (threads are released as soon as all of
// them have started; tasks sleep in virtual time), so they compare what each approach costs to
// have N waiters, not how long the food takes.
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <cstdint>
#include <fstream>
#include <future>
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

// --- real connections: a thread each, or a task each ----------------------------------------------

// What one way of serving N connections cost.
struct ServeCost {
  std::size_t asked = 0;
  std::size_t open_at_once = 0;  // connections greeted by the server before any client went on
  std::size_t served = 0;        // clients that got their "pong"
  std::string failure;           // the first thing that went wrong, if anything did
  double wall_ms = 0;
  long resident_kib = 0;  // resident memory growth with all connections open
  long reserved_kib = 0;  // address space growth with all connections open
};

// Every client arrives here after its greeting (or its failure); the last one to arrive reads the
// process's memory — the moment all N connections are open — and lets them all go on. One thread
// (the clients' runtime), so no lock.
struct Barrier {
  std::size_t total = 0;
  std::size_t arrived = 0;
  std::vector<Waker> waiters;
  ProcessMemory at_full;

  void arrive() {
    if (++arrived < total) return;
    at_full = read_process_memory();
    for (auto& w : waiters) w.wake();
    waiters.clear();
  }
};

class BarrierWait {
 public:
  using Output = void;
  explicit BarrierWait(Barrier* b) : barrier_(b) {}
  Poll<void> poll(Context& cx) {
    if (barrier_->arrived >= barrier_->total) return Poll<void>::ready();
    barrier_->waiters.push_back(cx.waker());
    return Poll<void>::pending();
  }

 private:
  Barrier* barrier_;
};

struct ClientTally {
  std::size_t greeted = 0;
  std::size_t served = 0;
  std::string failure;
  void note(std::string what) {
    if (failure.empty()) failure = std::move(what);
  }
};

// One client: connect (at most `limit` connecting at a time, so the listen queue never overflows),
// wait for the greeting, wait for everyone, then ping and read the pong.
Task<void> client(net::SocketAddr addr, sync::Semaphore* limit, Barrier* barrier, ClientTally* tally) {
  net::TcpStream stream;
  bool greeted = false;
  {
    auto acquiring = limit->acquire();
    auto permit = co_await acquiring;
    auto connecting = net::TcpStream::connect(addr);
    auto connected = co_await connecting;
    if (connected) {
      stream = std::move(*connected);
      char greeting = 0;
      auto reading = stream.read(std::span<char>(&greeting, 1));
      auto n = co_await reading;
      greeted = n && *n == 1;
      if (!greeted) tally->note(n ? "the server closed a connection without serving it" : "read: " + n.error().message());
    } else {
      tally->note("connect: " + connected.error().message());
    }
  }
  if (greeted) ++tally->greeted;
  barrier->arrive();
  BarrierWait everyone(barrier);
  co_await everyone;
  if (!greeted) co_return;
  auto writing = stream.write_all("ping\n");
  auto written = co_await writing;
  if (!written) {
    tally->note("write: " + written.error().message());
    co_return;
  }
  std::string reply;
  char buf[16];
  for (;;) {
    auto reading = stream.read(std::span<char>(buf, sizeof buf));
    auto n = co_await reading;
    if (!n || *n == 0) break;
    reply.append(buf, *n);
  }
  if (reply == "pong\n")
    ++tally->served;
  else
    tally->note("a client got \"" + reply + "\" instead of pong");
}

Task<void> clients(net::SocketAddr addr, std::size_t n, Barrier* barrier, ClientTally* tally) {
  sync::Semaphore limit(256, "connecting");
  std::vector<JoinHandle<void>> all;
  all.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto c = client(addr, &limit, barrier, tally);
    all.push_back(spawn(std::move(c), "client"));
  }
  for (auto& h : all) (void)co_await h;
}

// Runs the N clients against `addr` on a real-time runtime of their own, on this thread.
ClientTally run_clients(net::SocketAddr addr, std::size_t n, Barrier& barrier) {
  ClientTally tally;
  barrier.total = n;
  auto rt = Runtime::builder().current_thread().build();
  rt.block_on(clients(addr, n, &barrier, &tally));
  return tally;
}

// Ends a blocking accept() (or an awaited one) that waits on 127.0.0.1:port: one throwaway connection.
void knock(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  ::close(fd);
}

// The connection of the thread-per-connection server, with blocking calls: greet, read the 5-byte
// ping, answer. The thread is blocked in read() while its client waits for the others.
void serve_with_blocking_calls(int fd) {
  (void)::send(fd, "+", 1, MSG_NOSIGNAL);
  char buf[5];
  std::size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got == sizeof buf) (void)::send(fd, "pong\n", 5, MSG_NOSIGNAL);
  ::close(fd);
}

ServeCost serve_with_threads(std::size_t n) {
  ServeCost cost;
  cost.asked = n;
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 ||
      ::listen(listener, SOMAXCONN) < 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len) < 0) {
    cost.failure = std::string("listen: ") + std::strerror(errno);
    if (listener >= 0) ::close(listener);
    return cost;
  }
  const std::uint16_t port = ntohs(sa.sin_port);
  const ProcessMemory before = read_process_memory();
  const auto start = WallClock::now();
  std::atomic<bool> stop{false};
  std::string thread_failure;
  // The acceptor: a thread per accepted connection, until told to stop.
  std::thread acceptor([&] {
    std::vector<std::thread> threads;
    threads.reserve(n);
    while (!stop.load()) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;  // EINTR, or a connection that died in the queue
      if (stop.load()) {
        ::close(fd);
        break;
      }
      try {
        threads.emplace_back(serve_with_blocking_calls, fd);
      } catch (const std::system_error& e) {
        if (thread_failure.empty())
          thread_failure = fmt::format("thread {} could not start: {}", threads.size() + 1, e.what());
        ::close(fd);  // its client sees the connection end and gives up
      }
    }
    for (auto& t : threads) t.join();
  });
  Barrier barrier;
  ClientTally tally = run_clients(net::SocketAddr::localhost(port), n, barrier);
  stop.store(true);
  knock(port);
  acceptor.join();
  ::close(listener);
  cost.wall_ms = millis_since(start);
  cost.open_at_once = tally.greeted;
  cost.served = tally.served;
  cost.failure = !thread_failure.empty() ? thread_failure : tally.failure;
  cost.resident_kib = barrier.at_full.rss_kib - before.rss_kib;
  cost.reserved_kib = barrier.at_full.size_kib - before.size_kib;
  return cost;
}

// The connection of the task-per-connection server: the same exchange, awaited. While it waits for
// the ping it is a parked waker in the reactor, not a thread.
Task<void> serve_with_a_task(net::TcpStream s) {
  auto greeting = s.write_all("+");
  auto greeted = co_await greeting;
  if (!greeted) co_return;
  char buf[5];
  std::size_t got = 0;
  while (got < sizeof buf) {
    auto reading = s.read(std::span<char>(buf + got, sizeof buf - got));
    auto r = co_await reading;
    if (!r || *r == 0) co_return;
    got += *r;
  }
  auto answer = s.write_all("pong\n");
  (void)co_await answer;
}

Task<void> accept_tasks(std::promise<std::uint16_t>* port, std::atomic<bool>* stop) {
  auto binding = net::TcpListener::bind(net::SocketAddr::localhost(0));
  auto bound = co_await binding;
  if (!bound) {
    port->set_value(0);
    co_return;
  }
  net::TcpListener listener = std::move(*bound);
  port->set_value(listener.local_addr().value_or(net::SocketAddr{}).port);
  while (!stop->load()) {
    auto accepting = listener.accept();
    auto conn = co_await accepting;
    if (!conn) continue;
    if (stop->load()) break;
    auto served = serve_with_a_task(std::move(conn->first));
    (void)spawn(std::move(served), "connection");  // detached: it ends by itself
  }
}

ServeCost serve_with_tasks(std::size_t n) {
  ServeCost cost;
  cost.asked = n;
  const ProcessMemory before = read_process_memory();
  const auto start = WallClock::now();
  std::atomic<bool> stop{false};
  std::promise<std::uint16_t> port_promise;
  auto port_future = port_promise.get_future();
  // The server: one thread, one runtime, a task per connection.
  std::thread server([&] {
    auto rt = Runtime::builder().current_thread().build();
    rt.block_on(accept_tasks(&port_promise, &stop));
  });
  const std::uint16_t port = port_future.get();
  if (port == 0) {
    server.join();
    cost.failure = "the task server could not bind 127.0.0.1";
    return cost;
  }
  Barrier barrier;
  ClientTally tally = run_clients(net::SocketAddr::localhost(port), n, barrier);
  stop.store(true);
  knock(port);
  server.join();
  cost.wall_ms = millis_since(start);
  cost.open_at_once = tally.greeted;
  cost.served = tally.served;
  cost.failure = tally.failure;
  cost.resident_kib = barrier.at_full.rss_kib - before.rss_kib;
  cost.reserved_kib = barrier.at_full.size_kib - before.size_kib;
  return cost;
}

// How many connections this process can hold at once with both ends in it: two descriptors each,
// under the open-files limit (raised to its hard maximum first), keeping some spare.
std::size_t connection_capacity(std::size_t& fd_limit) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  ::getrlimit(RLIMIT_NOFILE, &lim);
  fd_limit = static_cast<std::size_t>(lim.rlim_cur);
  std::size_t open_now = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d)) ++open_now;
    ::closedir(d);
  }
  const std::size_t spare = open_now + 64;
  return fd_limit > spare ? (fd_limit - spare) / 2 : 0;
}

void report_serving(ScenarioRun& run, std::string_view how, const ServeCost& c) {
  const double per = static_cast<double>(std::max<std::size_t>(c.open_at_once, 1));
  run.measure(fmt::format("{} connections, {}: served", c.asked, how), static_cast<double>(c.served), "connections");
  run.measure(fmt::format("{} connections, {}: open at once", c.asked, how), static_cast<double>(c.open_at_once),
              "connections");
  run.measure(fmt::format("{} connections, {}: time to serve all", c.asked, how), c.wall_ms, "ms");
  run.measure(fmt::format("per connection, {}: memory made resident", how), static_cast<double>(c.resident_kib) / per,
              "KiB");
  run.measure(fmt::format("per connection, {}: address space reserved", how),
              static_cast<double>(c.reserved_kib) / per, "KiB");
  run.say(fmt::format("{}: served {} of {} connections over 127.0.0.1 in {:.1f} ms, {} open at once; with all "
                      "open the process had grown by {} KiB resident ({:.1f} KiB per connection) and {} KiB "
                      "of address space ({:.1f} KiB per connection)",
                      how, c.served, c.asked, c.wall_ms, c.open_at_once, c.resident_kib,
                      static_cast<double>(c.resident_kib) / per, c.reserved_kib,
                      static_cast<double>(c.reserved_kib) / per));
  if (!c.failure.empty()) run.say(fmt::format("{}: {}", how, c.failure));
}

void measure_serving(ScenarioRun& run, std::size_t asked) {
  std::size_t fd_limit = 0;
  const std::size_t capacity = connection_capacity(fd_limit);
  const std::size_t n = std::min(asked, capacity);
  if (n < asked)
    run.say(fmt::format("connections: {} asked, but this process may open {} files and each connection takes two "
                        "(both ends live here), so {} are made",
                        asked, fd_limit, n));
  if (n == 0) return;
  report_serving(run, "a thread each", serve_with_threads(n));
  report_serving(run, "a task each", serve_with_tasks(n));
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

  // 4. Real connections, a thread each and a task each (before the traced run, so the timeline below
  // stays the same, deterministic one with or without it).
  if (p.flag("serve")) measure_serving(run, static_cast<std::size_t>(tables));

  // 3. The tasks, traced: what the timeline shows.
  Seen seen;
  run.block_on(restaurant(tables, order, &seen));
}

}  // namespace asynclab::lessons
