// The visualizer's model (visualizer/model/trace_index.hpp, world_state.hpp): indexing a recorded
// run, and the state of the world at any event — which must equal replaying from the start.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/describe.hpp"
#include "asynclab/trace/event_filter.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"
#include "support/trace_query.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using asynclab::trace::find_next;
using asynclab::trace::parse_event_filter;
using asynclab::testing::channel_values_trace;
using asynclab::testing::showcase_trace;
using trace::EventKind;

namespace {

std::size_t count_kind(const trace::Trace& t, EventKind k, std::uint32_t task = 0) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const trace::Event e = t[i];
    if (e.kind == k && (task == 0 || e.task == task)) ++n;
  }
  return n;
}

WorldState replay_from_start(const TraceIndex& index, std::size_t cursor) {
  WorldState s = initial_state(index);
  while (s.cursor < cursor) apply(index, s);
  return s;
}

// The first event index at which `pred` holds for the state after it (events [0, i] applied).
template <class Pred>
std::size_t first_cursor_where(const TraceIndex& index, Pred pred) {
  WorldState s = initial_state(index);
  while (s.cursor < index.trace().size()) {
    apply(index, s);
    if (pred(s)) return s.cursor;
  }
  return index.trace().size() + 1;
}

}  // namespace

TEST_CASE("the index lists every spawned task with its name, polls and outcome", "[vis][index]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  REQUIRE(index.tasks().size() == count_kind(t, EventKind::task_spawned));
  for (const char* name : {"fetch a", "fetch b", "producer", "consumer", "worker 1", "worker 2", "racer"}) {
    CAPTURE(name);
    const std::uint32_t id = index.find_task(name);
    REQUIRE(id != npos);
    const TaskInfo& task = *index.task(id);
    CHECK(task.name == name);
    CHECK(task.polls.size() == count_kind(t, EventKind::poll_begin, id));
    CHECK(task.done());
    CHECK(task.outcome == trace::Outcome::ok);
    CHECK(task.polls.back().result == trace::PollResult::ready);
    for (const PollSpan& p : task.polls) CHECK(p.begin_event < p.end_event);
  }
  CHECK(index.find_task("no such task") == npos);
  CHECK(index.run().virtual_time);
  CHECK(index.run().stopped);
}

TEST_CASE("a task's busy, scheduled and idle time add up to its lifetime", "[vis][index]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  for (const TaskInfo& task : index.tasks()) {
    CAPTURE(task.name);
    REQUIRE(task.done());
    CHECK(task.busy_ns + task.scheduled_ns + task.idle_ns == task.completed_ns - task.spawned_ns);
  }
  // "fetch a" sleeps 30 ms of virtual time: that is idle time, not busy time.
  const TaskInfo& fetch_a = *index.task(index.find_task("fetch a"));
  CHECK(fetch_a.idle_ns == 30'000'000);
  CHECK(fetch_a.busy_ns == 0);
}

TEST_CASE("every wake becomes an edge from the waker to the woken task", "[vis][index]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  REQUIRE(index.wakes().size() == count_kind(t, EventKind::wake));
  std::size_t received = 0;
  for (const TaskInfo& task : index.tasks()) {
    received += task.wakes_received.size();
    CHECK(task.wakes == task.wakes_received.size());
    for (std::uint32_t w : task.wakes_received) CHECK(index.wakes()[w].to_task == task.id);
  }
  CHECK(received == index.wakes().size());
  // "fetch b" is woken by its timer at 10 ms.
  const TaskInfo& fetch_b = *index.task(index.find_task("fetch b"));
  REQUIRE_FALSE(fetch_b.wakes_received.empty());
  const WakeEdge& w = index.wakes()[fetch_b.wakes_received.front()];
  CHECK(w.source == trace::WakeSource::timer);
  CHECK(w.time_ns == 10'000'000);
}

TEST_CASE("resources, timers, blocking jobs, marks and select branches are indexed", "[vis][index]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const ResourceInfo* jobs = index.resource(index.find_resource("jobs"));
  REQUIRE(jobs != nullptr);
  CHECK(jobs->kind == trace::ResourceKind::mpsc);
  CHECK(jobs->capacity == 1);
  const ResourceInfo* shared = index.resource(index.find_resource("shared"));
  REQUIRE(shared != nullptr);
  CHECK(shared->kind == trace::ResourceKind::mutex);

  CHECK(index.timers().size() == count_kind(t, EventKind::timer_armed));
  CHECK(std::count_if(index.timers().begin(), index.timers().end(),
                      [](const TimerInfo& tm) { return tm.fired_event != npos; }) ==
        static_cast<std::ptrdiff_t>(count_kind(t, EventKind::timer_fired)));
  // The racer's losing 50 ms sleep is cancelled at 20 ms, when the select drops it.
  const auto cancelled = std::find_if(index.timers().begin(), index.timers().end(),
                                      [](const TimerInfo& tm) { return tm.cancelled_event != npos; });
  REQUIRE(cancelled != index.timers().end());
  CHECK(cancelled->owner == index.find_task("racer"));
  CHECK(cancelled->deadline_ns == 50'000'000);
  CHECK(t[cancelled->cancelled_event].time_ns == 20'000'000);

  REQUIRE(index.blocking().size() == 1);
  CHECK(index.blocking()[0].lane >= 1);
  CHECK(index.blocking()[0].end_ns - index.blocking()[0].begin_ns == 15'000'000);

  REQUIRE(index.marks().size() == 1);
  CHECK(index.marks()[0].label == "all spawned");

  // The racer's select has two branches; the 50 ms one is dropped before it completes.
  const TaskInfo& racer = *index.task(index.find_task("racer"));
  std::size_t dropped_mid_flight = 0, completed = 0;
  for (std::uint32_t f : racer.future_nodes) {
    const FutureNodeInfo& node = index.future_nodes()[f];
    if (node.kind != trace::FutureNode::branch) continue;
    CHECK(node.dropped_event != npos);
    (node.completed ? completed : dropped_mid_flight) += 1;
  }
  CHECK(completed == 1);
  CHECK(dropped_mid_flight == 1);
}

TEST_CASE("the run queue holds spawned tasks in order and the executor takes from the front", "[vis][state]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const std::uint32_t main_id = index.tasks().front().id;
  const std::uint32_t fetch_a = index.find_task("fetch a"), fetch_b = index.find_task("fetch b");
  // Right after "fetch b" is spawned, main is still running and both fetches wait in line.
  const std::size_t after_spawns = index.task(fetch_b)->spawned_event + 1;
  const WorldState s = replay_from_start(index, after_spawns);
  CHECK(s.running == main_id);
  CHECK(s.tasks[index.task_slot(main_id)].state == TaskState::running);
  REQUIRE(s.run_queue.size() == 2);
  CHECK(s.run_queue[0] == fetch_a);
  CHECK(s.run_queue[1] == fetch_b);
  // When "fetch a" is first polled it leaves the queue, and "fetch b" is at the front.
  const std::size_t a_polled = index.task(fetch_a)->polls.front().begin_event + 1;
  const WorldState later = replay_from_start(index, a_polled);
  CHECK(later.running == fetch_a);
  CHECK(std::find(later.run_queue.begin(), later.run_queue.end(), fetch_a) == later.run_queue.end());
  CHECK(later.run_queue.front() == fetch_b);
  // Parked on its sleep, "fetch a" is idle at a source line; at the end everything is done.
  const WorldState parked = replay_from_start(index, index.task(fetch_a)->polls.front().end_event + 1);
  CHECK(parked.tasks[index.task_slot(fetch_a)].state == TaskState::idle);
  CHECK(parked.tasks[index.task_slot(fetch_a)].parked_at != 0);
  CHECK(t.describe_location(parked.tasks[index.task_slot(fetch_a)].parked_at).find("model_scenarios.hpp") !=
        std::string::npos);
  const WorldState end = replay_from_start(index, t.size());
  CHECK(end.stopped);
  CHECK(end.run_queue.empty());
  for (const TaskNow& task : end.tasks) CHECK(task.state == TaskState::done);
}

TEST_CASE("the state shows a full channel, a mutex holder with a waiter, and armed timers", "[vis][state]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const std::uint32_t jobs = index.resource_slot(index.find_resource("jobs"));
  const std::uint32_t shared = index.resource_slot(index.find_resource("shared"));
  const std::uint32_t w1 = index.find_task("worker 1"), w2 = index.find_task("worker 2");

  const std::size_t full = first_cursor_where(index, [&](const WorldState& s) { return s.resources[jobs].buffered == 1; });
  REQUIRE(full <= t.size());

  const std::size_t contended =
      first_cursor_where(index, [&](const WorldState& s) { return !s.resources[shared].waiters.empty(); });
  REQUIRE(contended <= t.size());
  const WorldState s = replay_from_start(index, contended);
  CHECK(s.resources[shared].holders == std::vector<std::uint32_t>{w1});
  CHECK(s.resources[shared].waiters == std::vector<std::uint32_t>{w2});
  CHECK(s.tasks[index.task_slot(w2)].waiting_on == index.find_resource("shared"));

  // Once every task has parked the first time, the sleeps' timers are armed, earliest first.
  const std::size_t spawned = index.marks()[0].event + 1;
  const WorldState armed = replay_from_start(index, first_cursor_where(index, [&](const WorldState& st) {
    return st.cursor > spawned && st.timers.size() >= 4;
  }));
  REQUIRE(armed.timers.size() >= 4);
  CHECK(std::is_sorted(armed.timers.begin(), armed.timers.end(),
                       [](const ArmedTimer& a, const ArmedTimer& b) { return a.deadline_ns < b.deadline_ns; }));
  const WorldState end = replay_from_start(index, t.size());
  CHECK(end.resources[shared].holders.empty());
  CHECK(end.timers.empty());
  CHECK(end.clock_ns == index.run().end_ns);
}

namespace {

// "holder" takes the mutex "gate" and the one permit of "permits" for 20 ms. Meanwhile:
//  * "impatient" waits for the gate under a 5 ms timeout, gives up at 5 ms, then sleeps 30 ms;
//  * "racer" waits for a permit in a select against an 8 ms sleep, which wins at 8 ms, then sleeps;
//  * "patient" waits for the gate in a join beside a select of two sleeps: at 1 ms that select drops
//    its losing sleep mid-flight, but the lock wait goes on until the holder lets go.
trace::Trace abandoned_waits_trace() {
  using namespace std::chrono_literals;
  trace::Recorder rec;
  {
    auto rt = asynclab::testing::virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      auto gate = std::make_shared<sync::Mutex<int>>(0, "gate");
      auto permits = std::make_shared<sync::Semaphore>(1, "permits");
      auto holder = spawn(
          [](std::shared_ptr<sync::Mutex<int>> m, std::shared_ptr<sync::Semaphore> sem) -> Task<void> {
            auto guard = co_await m->lock();
            auto permit = co_await sem->acquire();
            co_await sleep(20ms);
          }(gate, permits),
          "holder");
      co_await yield_now();  // the holder takes both first
      auto impatient = spawn(
          [](std::shared_ptr<sync::Mutex<int>> m) -> Task<void> {
            (void)co_await timeout(5ms, m->lock());
            co_await sleep(30ms);  // alive, and no longer waiting
          }(gate),
          "impatient");
      auto racer = spawn(
          [](std::shared_ptr<sync::Semaphore> sem) -> Task<void> {
            (void)co_await select(sem->acquire(), sleep(8ms));
            co_await sleep(30ms);
          }(permits),
          "racer");
      auto patient = spawn(
          [](std::shared_ptr<sync::Mutex<int>> m) -> Task<void> {
            (void)co_await join(m->lock(), select(sleep(1ms), sleep(2ms)));
          }(gate),
          "patient");
      (void)co_await holder;
      (void)co_await impatient;
      (void)co_await racer;
      (void)co_await patient;
    }());
  }
  return rec.take();
}

}  // namespace

TEST_CASE("a lock wait given up (a timeout, a lost select) leaves the waiters, one still waiting stays", "[vis][state]") {
  using namespace std::chrono_literals;
  const trace::Trace t = abandoned_waits_trace();
  const TraceIndex index(t);
  const std::uint32_t gate = index.resource_slot(index.find_resource("gate"));
  const std::uint32_t permits = index.resource_slot(index.find_resource("permits"));
  REQUIRE(gate != npos);
  REQUIRE(permits != npos);
  const std::uint32_t impatient = index.find_task("impatient"), racer = index.find_task("racer"),
                      patient = index.find_task("patient");
  const auto at_ms = [&](std::uint64_t ms) {
    return replay_from_start(index, first_cursor_where(index, [&](const WorldState& s) {
                               return s.clock_ns - index.run().start_ns >= ms * 1'000'000;
                             }) - 1);
  };

  // At 3 ms everyone waits; patient's select has already dropped a branch, which is not its lock wait.
  const WorldState waiting = at_ms(3);
  CHECK(waiting.resources[gate].waiters == std::vector<std::uint32_t>{impatient, patient});
  CHECK(waiting.resources[permits].waiters == std::vector<std::uint32_t>{racer});
  // At 10 ms impatient (timed out at 5 ms) and racer (its sleep won at 8 ms) have given up, and
  // live on: only the dropped branch tells that they no longer wait (their tasks have not ended).
  CHECK(index.task(impatient)->completed_ns - index.run().start_ns > 10'000'000);
  const WorldState gave_up = at_ms(10);
  CHECK(gave_up.resources[gate].waiters == std::vector<std::uint32_t>{patient});
  CHECK(gave_up.resources[permits].waiters.empty());
  CHECK(gave_up.tasks[index.task_slot(impatient)].waiting_on == 0);
  CHECK(gave_up.tasks[index.task_slot(racer)].waiting_on == 0);
  CHECK(gave_up.tasks[index.task_slot(patient)].waiting_on == index.find_resource("gate"));
  // Patient gets the gate when the holder lets go at 20 ms.
  const WorldState end = replay_from_start(index, t.size());
  CHECK(end.resources[gate].waiters.empty());
  CHECK(end.resources[gate].holders.empty());
  CHECK(end.tasks[index.task_slot(patient)].state == TaskState::done);
}

TEST_CASE("seeking to any cursor equals replaying from the start", "[vis][state]") {
  // The showcase, and a trace whose channels hold labelled values (their labels are state too).
  const bool labelled = GENERATE(false, true);
  CAPTURE(labelled);
  const trace::Trace t = labelled ? channel_values_trace() : showcase_trace(3);
  const TraceIndex index(t);
  // Long strides with fine checkpoints (as a big trace gets) as well as short ones and the default.
  const auto [stride, fine] = GENERATE(table<std::size_t, std::size_t>({{1, 4096}, {7, 4096}, {64, 4096}, {0, 4096}, {200, 16}, {97, 5}}));
  CAPTURE(stride, fine);
  const StateTimeline timeline(index, stride, fine);
  std::mt19937_64 rng(42);
  WorldState moving = timeline.state_at(0);
  for (int round = 0; round < 200; ++round) {
    const std::size_t cursor = rng() % (t.size() + 1);
    CAPTURE(cursor);
    const WorldState expected = replay_from_start(index, cursor);
    REQUIRE(timeline.state_at(cursor) == expected);
    timeline.seek(moving, cursor);  // from wherever the previous round left it, forward or back
    REQUIRE(moving == expected);
  }
  CHECK(timeline.state_at(t.size() + 100).cursor == t.size());
}

namespace {

// The labels a channel holds in state `s`, oldest first ("" for a value with no label).
std::vector<std::string> held_labels(const TraceIndex& index, const WorldState& s, std::string_view channel) {
  const ChannelLabels& labels = s.resources[index.resource_slot(index.find_resource(channel))].labels;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < labels.size(); ++i) out.emplace_back(label_text(index.trace(), labels[i]));
  return out;
}

// The state right after the nth (1-based) event of `kind` with `result` on `channel`.
WorldState after_nth(const TraceIndex& index, std::string_view channel, EventKind kind, std::uint16_t result, int nth) {
  const std::uint32_t id = index.find_resource(channel);
  int seen = 0;
  for (std::size_t i = 0; i < index.trace().size(); ++i) {
    const trace::Event e = index.trace()[i];
    if (e.kind == kind && e.a == id && e.flags == result && ++seen == nth) return replay_from_start(index, i + 1);
  }
  FAIL("no such event: " << trace::kind_name(kind) << " #" << nth << " on " << channel);
  return {};
}

constexpr std::uint16_t sent = static_cast<std::uint16_t>(trace::SendResult::sent);
constexpr std::uint16_t received = static_cast<std::uint16_t>(trace::RecvResult::received);

}  // namespace

TEST_CASE("a channel holds the labels of its buffered values: FIFO for mpsc and oneshot, the latest for watch and broadcast",
          "[vis][state]") {
  const trace::Trace t = channel_values_trace();
  const TraceIndex index(t);
  using V = std::vector<std::string>;
  CHECK(held_labels(index, after_nth(index, "orders", EventKind::channel_send, sent, 1), "orders") == V{"\"order 1\""});
  CHECK(held_labels(index, after_nth(index, "orders", EventKind::channel_send, sent, 2), "orders") ==
        V{"\"order 1\"", "\"order 2\""});
  CHECK(held_labels(index, after_nth(index, "orders", EventKind::channel_recv, received, 1), "orders") == V{"\"order 2\""});
  CHECK(held_labels(index, after_nth(index, "orders", EventKind::channel_send, sent, 3), "orders") ==
        V{"\"order 2\"", "\"order 3\""});
  CHECK(held_labels(index, after_nth(index, "orders", EventKind::channel_recv, received, 3), "orders").empty());
  // A value of a type with no label is a blank token.
  CHECK(held_labels(index, after_nth(index, "opaque", EventKind::channel_send, sent, 1), "opaque") == V{""});
  CHECK(held_labels(index, after_nth(index, "setting", EventKind::channel_send, sent, 2), "setting") == V{"2"});
  CHECK(held_labels(index, after_nth(index, "ticks", EventKind::channel_send, sent, 3), "ticks") == V{"2", "3"});
  CHECK(held_labels(index, after_nth(index, "reply", EventKind::channel_send, sent, 1), "reply") == V{"\"done\""});
  CHECK(held_labels(index, after_nth(index, "reply", EventKind::channel_recv, received, 1), "reply").empty());
  // A channel_value alone (its send not yet applied) puts nothing in the channel.
  const std::uint32_t orders = index.find_resource("orders");
  std::size_t first_value = 0;
  while (!(t[first_value].kind == EventKind::channel_value && t[first_value].a == orders)) ++first_value;
  CHECK(held_labels(index, replay_from_start(index, first_value + 1), "orders").empty());
}

TEST_CASE("a value's event reads as what was sent on which channel, and a breakpoint can name the value",
          "[vis][state]") {
  const trace::Trace t = channel_values_trace();
  const TraceIndex index(t);
  auto filter = parse_event_filter(R"(channel_value resource=orders label="\"order 3\"")");
  REQUIRE(filter.has_value());
  const auto at = find_next(t, *filter, 0);
  REQUIRE(at.has_value());
  CHECK(describe_event(index, t[*at]) == R"(main sent "order 3" on mpsc channel "orders")");
  CHECK(t[*at + 1].kind == EventKind::channel_send);
  CHECK_FALSE(find_next(t, *parse_event_filter(R"(channel_value label="order 3")"), 0).has_value());  // unquoted: no such label
}

TEST_CASE("when a send's count and the labels disagree, the count wins: blank labels in front, or the oldest dropped",
          "[vis][state]") {
  ChannelLabels labels;
  labels.push_back(5);
  labels.resize_from_front(3);
  REQUIRE(labels.size() == 3);
  CHECK(labels[0] == 0);
  CHECK(labels[1] == 0);
  CHECK(labels[2] == 5);
  labels.push_back(6);
  labels.resize_from_front(2);
  REQUIRE(labels.size() == 2);
  CHECK(labels[0] == 5);
  CHECK(labels[1] == 6);
  // Taking the oldest many times keeps what is left, whatever the compaction did.
  ChannelLabels long_lived;
  for (std::uint32_t i = 1; i <= 1000; ++i) long_lived.push_back(i);
  for (int i = 0; i < 990; ++i) long_lived.pop_front();
  REQUIRE(long_lived.size() == 10);
  CHECK(long_lived[0] == 991);
  const ChannelLabels snapshot = long_lived;  // what a StateTimeline snapshot keeps
  CHECK(snapshot.memory_bytes() < 100 * sizeof(std::uint32_t));
  ChannelLabels same;
  for (std::uint32_t i = 991; i <= 1000; ++i) same.push_back(i);
  CHECK(long_lived == same);
}

TEST_CASE("an empty trace indexes to nothing and seeks to the empty state", "[vis][state]") {
  const trace::Trace t;
  const TraceIndex index(t);
  CHECK(index.tasks().empty());
  const StateTimeline timeline(index);
  CHECK(timeline.state_at(5).cursor == 0);
  CHECK(timeline.state_at(0).run_queue.empty());
}

TEST_CASE("a Pinned future's homes, pinning and self-reference are indexed in order", "[vis][index]") {
  struct SelfRef {
    using Output = int;
    int value = 1;
    const int* cursor = nullptr;
    Poll<int> poll(Context&) {
      cursor = &value;
      return Poll<int>::ready(*cursor);
    }
    const void* self_reference() const { return cursor; }
  };
  trace::Recorder rec;
  {
    auto rt = asynclab::testing::virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      Pinned<SelfRef> made(SelfRef{});
      Pinned<SelfRef> moved(std::move(made));
      (void)co_await moved;
    });
  }
  const trace::Trace t = rec.take();
  const TraceIndex index(t);
  REQUIRE(index.pins().size() == 1);
  const PinInfo& pin = index.pins()[0];
  CHECK(pin.task == index.tasks().front().id);
  std::vector<trace::PinAction> actions;
  for (const PinStep& s : pin.steps) actions.push_back(s.action);
  CHECK(actions == std::vector<trace::PinAction>{trace::PinAction::placed, trace::PinAction::moved, trace::PinAction::pinned,
                                                 trace::PinAction::self_ref, trace::PinAction::dropped});
  CHECK(pin.steps[2].home == 2);  // pinned where it was first polled
  CHECK(pin.steps[3].home == 2);  // and its self-reference points there
}

TEST_CASE("block_on's future waits beside the run queue in asynclab's own traces, a foreign trace's tasks all queue",
          "[vis][state]") {
  auto event = [](EventKind kind, std::uint32_t task, std::uint32_t a = 0) {
    return trace::Event{0, kind, 0, 0, task, a, 0};
  };
  // A Chrome import of another runtime's trace: no runtime_started, every task spawned outside a task.
  trace::Trace foreign;
  foreign.add_site(trace::SpawnSite{});
  foreign.push(event(EventKind::task_spawned, 1));
  foreign.push(event(EventKind::task_spawned, 2));
  const TraceIndex foreign_index(foreign);
  const WorldState f = StateTimeline(foreign_index).state_at(foreign.size());
  CHECK(f.run_queue == std::deque<std::uint32_t>{1, 2});
  CHECK(f.block_on_woken == 0);
  // asynclab's runtime: main (spawned outside any task) is block_on's future, its child is queued.
  trace::Trace ours;
  ours.add_site(trace::SpawnSite{});
  ours.push(event(EventKind::runtime_started, 0));
  ours.push(event(EventKind::task_spawned, 1));
  ours.push(event(EventKind::task_spawned, 2, 1));
  const TraceIndex ours_index(ours);
  const WorldState o = StateTimeline(ours_index).state_at(ours.size());
  CHECK(o.run_queue == std::deque<std::uint32_t>{2});
  CHECK(o.block_on_woken == 1);
}
