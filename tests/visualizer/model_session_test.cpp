// model/session.hpp: one open trace with everything the views share — and the world state of a run
// that ended in a deadlock.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/file.hpp"
#include "model/describe.hpp"
#include "model/session.hpp"
#include "support/harness.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
namespace fs = std::filesystem;

namespace {

Task<void> take_both(sync::Mutex<int>& first, sync::Mutex<int>& second) {
  auto g1 = co_await first.lock();
  co_await yield_now();
  auto g2 = co_await second.lock();
  *g1 += 1;
  *g2 += 1;
}

trace::Trace deadlock_trace() {
  trace::Recorder rec;
  sync::Mutex<int> a(0, "first");
  sync::Mutex<int> b(0, "second");
  {
    auto rt = asynclab::testing::virtual_runtime(rec);
    auto result = rt.try_block_on([&]() -> Task<void> {
      auto alice = spawn(take_both(a, b), "alice");
      auto bob = spawn(take_both(b, a), "bob");
      (void)co_await alice;
      (void)co_await bob;
    }());
    REQUIRE_FALSE(result);
  }
  return rec.take();
}

}  // namespace

TEST_CASE("a session follows its playback cursor and names the current event", "[vis][session]") {
  Session session(asynclab::testing::showcase_trace(), "showcase");
  CHECK(session.title() == "showcase");
  CHECK(session.state().cursor == 0);
  CHECK_FALSE(session.current_event());
  session.playback().step_forward();
  session.sync();
  REQUIRE(session.current_event());
  CHECK(session.current_event()->kind == trace::EventKind::runtime_started);
  session.playback().jump_end();
  session.sync();
  CHECK(session.state().cursor == session.trace().size());
  CHECK(session.state().stopped);
}

TEST_CASE("a session's lanes are its tasks in id order, then its blocking lanes", "[vis][session]") {
  Session session(asynclab::testing::showcase_trace(), "showcase");
  const auto& lanes = session.lanes();
  const auto& tasks = session.index().tasks();
  REQUIRE(lanes.size() >= tasks.size() + 1);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    CHECK(lanes[i] == Lane{LaneKind::task, tasks[i].id});
    CHECK(session.lane_of_task(tasks[i].id) == i);
  }
  CHECK(lanes.back().kind == LaneKind::blocking);
  CHECK(session.lane_of_task(12345) == npos);
}

TEST_CASE("task lanes follow the ids where worker threads recorded two spawns in the other order",
          "[vis][session]") {
  // The rows stay in id order, the same on every run of the program.
  Session session(asynclab::testing::spawns_out_of_id_order_trace(), "out of order");
  REQUIRE(session.index().tasks().size() == 5);
  CHECK(session.index().tasks()[2].id == 5);  // the index keeps the recorded order
  for (std::uint32_t id = 1; id <= 5; ++id) {
    CAPTURE(id);
    REQUIRE(session.lanes().at(id - 1) == Lane{LaneKind::task, id});
    CHECK(session.lane_of_task(id) == id - 1);
  }
  CHECK(session.lane_of_task(6) == npos);
}

TEST_CASE("opening a file that is not a trace gives the loader's message and no session", "[vis][session]") {
  const fs::path bad = fs::temp_directory_path() / "asynclab_session_not_a_trace.txt";
  std::ofstream(bad) << "hello";
  auto opened = Session::open(bad);
  REQUIRE_FALSE(opened);
  CHECK_THAT(opened.error(), Catch::Contains("not a trace"));
  fs::remove(bad);

  const fs::path good = fs::temp_directory_path() / "asynclab_session_showcase.altrace";
  REQUIRE(trace::save(asynclab::testing::showcase_trace(), good));
  auto reopened = Session::open(good);
  REQUIRE(reopened);
  CHECK((*reopened)->title() == "asynclab_session_showcase.altrace");
  CHECK((*reopened)->index().find_task("fetch a") != npos);
  fs::remove(good);
}

TEST_CASE("in a deadlocked run each task waits in its lock's queue until shutdown cancels it", "[vis][session][deadlock]") {
  Session session(deadlock_trace(), "deadlock");
  const TraceIndex& index = session.index();
  REQUIRE(index.stuck().size() >= 2);
  const std::uint32_t first = index.resource_slot(index.find_resource("first"));
  const std::uint32_t second = index.resource_slot(index.find_resource("second"));
  const std::uint32_t alice = index.find_task("alice"), bob = index.find_task("bob");

  // At the deadlock report, each holds one mutex and waits in the other's queue.
  session.playback().seek(index.stuck().front().event);
  session.sync();
  const WorldState& stuck = session.state();
  CHECK(stuck.resources[first].holders == std::vector<std::uint32_t>{alice});
  CHECK(stuck.resources[second].holders == std::vector<std::uint32_t>{bob});
  CHECK(stuck.resources[first].waiters == std::vector<std::uint32_t>{bob});
  CHECK(stuck.resources[second].waiters == std::vector<std::uint32_t>{alice});
  CHECK_THAT(describe_event(index, session.trace()[index.stuck().front().event]), Catch::Contains("stuck"));

  // Shutdown cancels both: their guards are released and they leave the queues.
  session.playback().jump_end();
  session.sync();
  for (std::uint32_t r : {first, second}) {
    CHECK(session.state().resources[r].holders.empty());
    CHECK(session.state().resources[r].waiters.empty());
  }
  CHECK(session.state().tasks[index.task_slot(alice)].state == TaskState::cancelled);
}
