// The Tokio bridge (bridges/tokio/): real Tokio 1.24 programs, built offline with
// `--cfg tokio_unstable`, record themselves into an .altrace through tokio's own instrumentation,
// and asynclab's strict loader and the visualizer's index read what they wrote. The programs are the
// crate's examples, built by the tokio_bridge_examples target.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "asynclab/trace/file.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"
#include "support/process.hpp"

using namespace asynclab;
using asynclab::testing::run_command;

namespace {

namespace fs = std::filesystem;

struct Recorded {
  testing::Run run;
  fs::path file;
};

// Runs an example program with the recorder, in `dir` when given (as `cargo run` runs a program in
// its package's folder).
Recorded record(const std::string& example, const std::string& env = {}, const std::string& dir = {}) {
  const fs::path file = testing::scratch() / (example + ".altrace");
  fs::remove(file);
  const std::string exe = std::string(ASYNCLAB_TOKIO_EXAMPLES_DIR) + "/" + example;
  // Real time on a machine running other tests: a poll may be descheduled for longer than the 10 ms
  // of the long-poll lint, which these checks are not about.
  const std::string base_env = "ASYNCLAB_TOKIO_LONG_POLL_MS=60000 ";
  const std::string cd = dir.empty() ? std::string() : "cd " + testing::quoted(dir) + " && ";
  Recorded r{run_command(cd + base_env + env + " " + testing::quoted(exe) + " " + testing::quoted(file.string())), file};
  INFO(r.run.err);
  REQUIRE(r.run.status == 0);
  return r;
}

trace::Trace load(const fs::path& file) {
  auto t = trace::load(file);
  INFO((t ? std::string() : t.error().to_string()));
  REQUIRE(t.has_value());
  return std::move(*t);
}

}  // namespace

TEST_CASE("the seeds' MyFuture on Tokio: one task polled 4 times, woken by itself 3 times, answered Ready",
          "[bridge][tokio]") {
  const Recorded r = record("my_future");
  CHECK_THAT(r.run.out, Catch::Contains("Result: 4"));
  CHECK_THAT(r.run.err, Catch::Contains("asynclab: recorded 1 task,"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 1);
  const vis::TaskInfo& task = index.tasks()[0];
  CHECK(task.polls.size() == 4);
  CHECK(task.wakes == 3);
  CHECK(task.self_wakes == 3);
  REQUIRE(task.done());
  CHECK(task.outcome == trace::Outcome::ok);
  // Each of the first three polls answered Pending, the fourth Ready.
  std::size_t pending = 0, ready = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != trace::EventKind::poll_end) continue;
    pending += t[i].flags == static_cast<std::uint16_t>(trace::PollResult::pending);
    ready += t[i].flags == static_cast<std::uint16_t>(trace::PollResult::ready);
  }
  CHECK(pending == 3);
  CHECK(ready == 1);
  // Where it was spawned: the example's own line, as tokio's #[track_caller] reports it.
  const auto& location = t.location(task.spawn_location);
  CHECK_THAT(std::string(t.string(location.file)), Catch::EndsWith("examples/my_future.rs"));
  CHECK(location.line > 0);
  // Three wakes out of three from itself: the self-wake lint, as asynclab's runtime gives it.
  REQUIRE(index.lints().size() == 1);
  CHECK(index.lints()[0].kind == trace::LintKind::self_wake);
  CHECK(index.lints()[0].detail == 100);
}

TEST_CASE("the seeds' select! timeout on Tokio: the task is polled twice, the timer wakes it from the runtime, and "
          "it finishes no earlier than the 100 ms deadline",
          "[bridge][tokio]") {
  const Recorded r = record("select_timeout");
  CHECK_THAT(r.run.out, Catch::Contains("timed out after 100 ms"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 1);
  const vis::TaskInfo& task = index.tasks()[0];
  CHECK(task.polls.size() == 2);
  REQUIRE(index.wakes().size() == 1);
  CHECK(index.wakes()[0].from_task == 0);
  CHECK(index.wakes()[0].source == trace::WakeSource::runtime);
  REQUIRE(task.done());
  CHECK(task.completed_ns - task.spawned_ns >= 100'000'000);
  // Two Sleeps: the 100 ms one fires; the slow operation's 300 ms one is dropped with its branch at
  // the deadline, never having fired.
  REQUIRE(index.timers().size() == 2);
  const vis::TimerInfo& deadline = index.timers()[0];
  const vis::TimerInfo& inner = index.timers()[1];
  CHECK(deadline.fired_event != vis::npos);
  CHECK(inner.fired_event == vis::npos);
  REQUIRE(inner.cancelled_event != vis::npos);
  CHECK(t[inner.cancelled_event].time_ns >= 100'000'000);
  CHECK(t[inner.cancelled_event].time_ns >= t[deadline.fired_event].time_ns);
  CHECK(index.lints().empty());
}

TEST_CASE("the seeds' JoinSet fetcher on Tokio's two workers: the server spawns a task per connection, every fetch "
          "finishes, and the polls name their worker",
          "[bridge][tokio]") {
  const Recorded r = record("joinset_fetch");
  CHECK_THAT(r.run.out, Catch::Contains("5 of 5 pages fetched"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  // The server loop, five fetches, five connections.
  REQUIRE(index.tasks().size() == 11);
  const std::uint32_t server = index.tasks()[0].id;
  CHECK_FALSE(index.tasks()[0].done());  // it waits for the next connection when main returns
  std::size_t fetches = 0, connections = 0;
  for (const vis::TaskInfo& task : index.tasks()) {
    if (task.id == server) continue;
    if (task.parent == server) {
      // A connection task may still be closing its span on the other worker when main returns and
      // the trace is written: finished, or still running at the end, never anything else.
      ++connections;
      if (task.done()) CHECK(task.outcome == trace::Outcome::ok);
    } else {
      ++fetches;
      CHECK(task.done());  // tokio closes a fetch's span before it wakes join_next
      CHECK(task.outcome == trace::Outcome::ok);
    }
  }
  CHECK(fetches == 5);
  CHECK(connections == 5);
  CHECK(index.run().workers >= 1);
  CHECK(index.run().workers <= 2);
  CHECK_FALSE(index.wakes().empty());

  // The Executor draws a row per worker when the polls name more than one, and replaying the run
  // never has one task on two workers at once.
  vis::WorldState world = vis::initial_state(index);
  CHECK(world.workers.size() == (index.run().workers > 1 ? index.run().workers : 0u));
  for (std::size_t i = 0; i < t.size(); ++i) {
    vis::apply(index, world);
    if (world.workers.size() == 2 && world.workers[0].running != 0)
      CHECK(world.workers[0].running != world.workers[1].running);
  }

  // The Semaphore of 2: every fetch acquires once, three of them wait first, and never more than two
  // fetches hold a permit at once (from acquiring to releasing, or to their end).
  REQUIRE(index.resources().size() == 1);
  const vis::ResourceInfo& semaphore = index.resources()[0];
  CHECK(semaphore.kind == trace::ResourceKind::semaphore);
  CHECK(semaphore.capacity == 2);
  int holding = 0, most = 0, acquired = 0, waited = 0, released = 0;
  for (vis::EventIndex ev : semaphore.events) {
    switch (t[ev].kind) {
      case trace::EventKind::lock_waiting: ++waited; break;
      case trace::EventKind::lock_acquired: ++acquired; most = std::max(most, ++holding); break;
      case trace::EventKind::lock_released: ++released; --holding; break;
      default: break;
    }
  }
  CHECK(acquired == 5);
  CHECK(released == 5);
  CHECK(waited <= 3);  // three queue unless a fetch is first polled after another has finished
  CHECK(most == 2);
  CHECK(holding == 0);
}

TEST_CASE("a Tokio future that answers Pending without keeping its waker gets the lost-waker lint",
          "[bridge][tokio]") {
  const Recorded r = record("lost_waker");
  CHECK_THAT(r.run.out, Catch::Contains("nothing ever woke the task"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 1);
  CHECK(index.tasks()[0].polls.size() == 1);
  CHECK_FALSE(index.tasks()[0].done());
  REQUIRE(index.lints().size() == 1);
  CHECK(index.lints()[0].kind == trace::LintKind::lost_waker);
  CHECK(index.lints()[0].task == 1);
}

TEST_CASE("seed B's abort on Tokio: a task aborted while it waits is cancelled, its one poll stays Pending, and no "
          "waker is called lost",
          "[bridge][tokio]") {
  const Recorded r = record("abort_idle");
  CHECK_THAT(r.run.out, Catch::Contains("cancelled = true"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 1);
  const vis::TaskInfo& task = index.tasks()[0];
  CHECK(task.polls.size() == 1);
  REQUIRE(task.done());
  CHECK(task.outcome == trace::Outcome::cancelled);
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::poll_end) CHECK(t[i].flags == static_cast<std::uint16_t>(trace::PollResult::pending));
  CHECK(index.lints().empty());
  // Its 10 s sleep was dropped with it, unfired (main's own 20 ms sleep is the other timer).
  const auto mine = std::ranges::find_if(index.timers(), [](const vis::TimerInfo& timer) { return timer.owner == 1; });
  REQUIRE(mine != index.timers().end());
  CHECK(mine->cancelled_event != vis::npos);
  CHECK(mine->fired_event == vis::npos);
}

TEST_CASE("a Tokio program whose instrumentation reports no task gets a message saying so, and no file",
          "[bridge][tokio]") {
  const Recorded r = record("no_tasks");
  CHECK_THAT(r.run.err, Catch::Contains("no Tokio task was seen") && Catch::Contains("--cfg tokio_unstable") &&
                            Catch::Contains("no file was written"));
  CHECK_FALSE(fs::exists(r.file));
}

TEST_CASE("the recorder keeps at most ASYNCLAB_TOKIO_MAX_EVENTS events and says how many it dropped",
          "[bridge][tokio]") {
  const Recorded r = record("my_future", "ASYNCLAB_TOKIO_MAX_EVENTS=5");
  CHECK_THAT(r.run.err, Catch::Contains("events dropped past the limit"));
  const trace::Trace t = load(r.file);
  // The five kept, the mark saying where the trace came from, the one saying what was dropped, the end.
  CHECK(t.size() == 8);
  CHECK(t[7].kind == trace::EventKind::runtime_stopped);
  bool said = false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::mark && std::string(t.string(t[i].b)).find("dropped") != std::string::npos)
      said = true;
  CHECK(said);
}

TEST_CASE("run in its package's folder, a Tokio program's spawn sites name files the Code window can open",
          "[bridge][tokio]") {
  // tokio reports `examples/my_future.rs`, relative to the package; the recorder makes it absolute
  // when the file is there, so the Code window shows the Rust source beside the timeline.
  const Recorded r = record("my_future", {}, ASYNCLAB_TOKIO_CRATE_DIR);
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 1);
  const fs::path source(std::string(t.string(t.location(index.tasks()[0].spawn_location).file)));
  CHECK(source.is_absolute());
  CHECK(fs::is_regular_file(source));
  CHECK(source.filename() == "my_future.rs");
  CHECK(t.describe_location(index.tasks()[0].spawn_location).starts_with("examples/my_future.rs:"));
}

TEST_CASE("a tokio::sync::Mutex held across an await: the second task waits until the first's guard is dropped, "
          "then holds it, never two holders",
          "[bridge][tokio]") {
  const Recorded r = record("mutex_wait");
  CHECK_THAT(r.run.out, Catch::Contains("cooked, one at a time"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 2);
  REQUIRE(index.resources().size() == 1);
  const vis::ResourceInfo& mutex = index.resources()[0];
  CHECK(mutex.kind == trace::ResourceKind::mutex);
  CHECK(mutex.capacity == 1);
  CHECK_THAT(mutex.name, Catch::Contains("mutex_wait.rs"));
  const std::uint32_t first = index.tasks()[0].id, second = index.tasks()[1].id;
  std::vector<std::pair<trace::EventKind, std::uint32_t>> story;  // the lock's events by the two tasks
  int holders = 0, most = 0;
  for (vis::EventIndex ev : mutex.events) {
    const trace::Event& e = t[ev];
    if (e.kind == trace::EventKind::lock_acquired) most = std::max(most, ++holders);
    if (e.kind == trace::EventKind::lock_released) --holders;
    if (e.task == first || e.task == second) story.emplace_back(e.kind, e.task);
  }
  CHECK(most == 1);
  CHECK(holders == 0);
  using K = trace::EventKind;
  const std::vector<std::pair<K, std::uint32_t>> expected{{K::lock_acquired, first},  {K::lock_waiting, second},
                                                          {K::lock_released, first},  {K::lock_acquired, second},
                                                          {K::lock_released, second}};
  CHECK(story == expected);
}

TEST_CASE("tokio::sync::oneshot replies: the asker waits and receives, a dropped sender closes the channel, "
          "a receiver gone first is recorded as such, a value sent before close() is still received",
          "[bridge][tokio]") {
  const Recorded r = record("oneshot_reply");
  CHECK_THAT(r.run.out, Catch::Contains("asker: the reply is 42"));
  CHECK_THAT(r.run.out, Catch::Contains("waiter: the sender was dropped"));
  CHECK_THAT(r.run.out, Catch::Contains("closer: still read 5 after close()"));
  const trace::Trace t = load(r.file);
  const vis::TraceIndex index(t);
  REQUIRE(index.tasks().size() == 7);
  REQUIRE(index.resources().size() == 4);
  // Tasks in spawn order: worker, asker, quitter, waiter, impatient, late, closer.
  std::vector<std::uint32_t> task;
  for (const vis::TaskInfo& info : index.tasks()) task.push_back(info.id);
  using K = trace::EventKind;
  struct Step {
    K kind;
    std::uint32_t task;
    std::uint16_t flags;
    bool operator==(const Step&) const = default;
  };
  const auto story = [&](const vis::ResourceInfo& channel) {
    std::vector<Step> steps;
    for (vis::EventIndex ev : channel.events) {
      const trace::Event& e = t[ev];
      if (e.kind == K::channel_send || e.kind == K::channel_recv || e.kind == K::channel_closed)
        steps.push_back(Step{e.kind, e.task, e.flags});
    }
    return steps;
  };
  const auto flag = [](auto v) { return static_cast<std::uint16_t>(v); };
  for (const vis::ResourceInfo& channel : index.resources()) {
    CHECK(channel.kind == trace::ResourceKind::oneshot);
    CHECK(channel.capacity == 1);
    CHECK_THAT(channel.name, Catch::Contains("oneshot_reply.rs"));
  }
  // The reply: the asker starts waiting, the worker sends, the asker receives.
  CHECK(story(index.resources()[0]) ==
        std::vector<Step>{{K::channel_recv, task[1], flag(trace::RecvResult::empty)},
                          {K::channel_send, task[0], flag(trace::SendResult::sent)},
                          {K::channel_recv, task[1], flag(trace::RecvResult::received)}});
  // The quitter drops its sender unsent: the waiting receiver is answered "closed".
  CHECK(story(index.resources()[1]) ==
        std::vector<Step>{{K::channel_recv, task[3], flag(trace::RecvResult::empty)},
                          {K::channel_closed, task[2], flag(trace::CloseReason::senders_dropped)},
                          {K::channel_recv, task[3], flag(trace::RecvResult::closed)}});
  // The impatient task drops its receiver before the reply. (The late send that fails is not seen:
  // Tokio 1.24 says nothing of it.)
  CHECK(story(index.resources()[2]) ==
        std::vector<Step>{{K::channel_closed, task[4], flag(trace::CloseReason::receiver_dropped)}});
  // close() after a send: the value is still read, and nothing was dropped.
  CHECK(story(index.resources()[3]) ==
        std::vector<Step>{{K::channel_send, task[6], flag(trace::SendResult::sent)},
                          {K::channel_recv, task[6], flag(trace::RecvResult::received)}});
  // The worker's send woke the asker.
  const vis::TaskInfo& asker = index.tasks()[1];
  CHECK(asker.wakes == 1);
}
