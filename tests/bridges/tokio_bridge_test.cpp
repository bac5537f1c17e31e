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
#include "support/process.hpp"

using namespace asynclab;
using asynclab::testing::run_command;

namespace {

namespace fs = std::filesystem;

struct Recorded {
  testing::Run run;
  fs::path file;
};

Recorded record(const std::string& example, const std::string& env = {}) {
  const fs::path file = testing::scratch() / (example + ".altrace");
  fs::remove(file);
  const std::string exe = std::string(ASYNCLAB_TOKIO_EXAMPLES_DIR) + "/" + example;
  Recorded r{run_command(env + " " + testing::quoted(exe) + " " + testing::quoted(file.string())), file};
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
    CHECK(task.done());
    CHECK(task.outcome == trace::Outcome::ok);
    (task.parent == server ? connections : fetches) += 1;
  }
  CHECK(fetches == 5);
  CHECK(connections == 5);
  CHECK(index.run().workers >= 1);
  CHECK(index.run().workers <= 2);
  CHECK_FALSE(index.wakes().empty());
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
  bool said = false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::mark && std::string(t.string(t[i].b)).find("dropped") != std::string::npos)
      said = true;
  CHECK(said);
}
