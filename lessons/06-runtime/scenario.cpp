// Lesson 06 — the runtime: what #[tokio::main] expands to, the current_thread flavor, and the
// multi_thread flavor (simulated workers that steal from each other).
//
// Seed C: "#[tokio::main] is a macro that sets up the multi-threaded runtime. It expands to:
// tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {...})".
// asynclab's version of that macro is ASYNCLAB_MAIN (runtime/include/asynclab/runtime.hpp), and it
// writes `Runtime::builder().multi_thread(cores).build()` and `rt.block_on(fn)`. This scenario does
// what the macro does by hand, with the three things a lesson adds to the builder: virtual time, a
// seed and a trace (ScenarioRun::builder()).
//
// The program is a small server: `connections` clients each send `requests` requests. Serving one
// takes a little CPU (parsing it: sim::block_for, which holds the worker) and then some I/O (a
// database round trip: a sleep, which gives the worker back). On the current_thread runtime every
// task shares one worker, so the CPU parts queue up one after another even when all connections
// arrive together.
//
// With `workers` > 1 the same program runs on Runtime::builder().multi_thread(workers) in virtual
// time: that many logical workers, each with its own run queue, stealing from each other as the seed
// decides — all simulated on the one thread that calls block_on (detail/scheduler.hpp, "Simulated
// workers"). A parse then holds only its own worker. The real multi-threaded executor (worker
// threads, what ASYNCLAB_MAIN builds) is not what a lesson records, and the lesson says so: the
// Output's last line still counts one OS thread.
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

struct Server {
  int requests = 0;
  Duration parse;                     // CPU time per request: holds the worker
  Duration query;                     // I/O time per request: the worker is free meanwhile
  std::set<std::thread::id> threads;  // OS threads that polled a connection
  int served = 0;
};

Task<void> connection(Server* server) {
  for (int r = 0; r < server->requests; ++r) {
    server->threads.insert(std::this_thread::get_id());
    sim::block_for(server->parse);  // parse the request: real work, nobody else runs meanwhile
    co_await sleep(server->query);  // ask the database: Pending, the worker serves someone else
    ++server->served;
  }
}

Task<void> serve(int connections, int workers, Server* server) {
  const auto caller = std::this_thread::get_id();
  if (workers == 1)
    say("main: accepting {} connections on the current_thread runtime", connections);
  else
    say("main: accepting {} connections on the multi_thread runtime, {} workers", connections, workers);
  // Names kept alive for the whole run: the runtime tells spawn names apart by their storage.
  std::vector<std::string> names;
  for (int c = 1; c <= connections; ++c) names.push_back(fmt::format("connection {}", c));
  std::vector<JoinHandle<void>> handles;
  for (const auto& name : names) handles.push_back(spawn(connection(server), name));
  mark("connections accepted");
  for (auto& h : handles) (void)co_await h;
  mark("all connections served");
  const bool same = server->threads.size() == 1 && *server->threads.begin() == caller;
  say("main: {} requests served; every poll ran on {} OS thread{}{}{}", server->served, server->threads.size(),
      server->threads.size() == 1 ? "" : "s", same ? ", the one that called block_on" : "",
      workers == 1 ? "" : fmt::format(", which simulates the {} workers in virtual time", workers));
}

}  // namespace

void scenario_06_runtime(ScenarioRun& run) {
  const auto& p = run.params();
  Server server;
  server.requests = static_cast<int>(p.integer("requests"));
  server.parse = p.millis("parse_ms");
  server.query = p.millis("query_ms");

  // #[tokio::main] by hand: build the runtime, then block_on the async main. ASYNCLAB_MAIN(serve)
  // would write `Runtime::builder().multi_thread(cores).build().block_on(serve)`, on real threads;
  // the lesson's builder adds virtual time, the run's seed and the trace recorder, so one worker is
  // the current_thread flavor and more than one is the multi_thread flavor simulated in virtual
  // time, which replays the same way every time.
  const int workers = static_cast<int>(p.integer("workers"));
  Runtime::Builder builder =
      workers == 1 ? run.builder().current_thread() : run.builder().multi_thread(static_cast<std::uint32_t>(workers));
  run.block_on(builder, serve(static_cast<int>(p.integer("connections")), workers, &server));
}

}  // namespace asynclab::lessons
