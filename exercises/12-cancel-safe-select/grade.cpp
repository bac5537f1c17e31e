// Grader of exercise 12 (a cancel-safe select loop). Each TEST_CASE is one graded point, tagged
// [task_N]. A producer puts a message in the inbox every 40 ms; a slow reader takes one out of the
// one-slot outbox every 70 ms, so forwarding mostly waits for room while the 10 ms heartbeat wins
// the select again and again. Every run explores schedules: the seed decides which ready task runs
// next at the same instant, and which select branch is polled first — a branch that loses a message
// only under some orders is caught by some seed.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "grading.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<void> relay(sync::mpsc::Receiver<int> inbox, sync::mpsc::Sender<int> outbox);

namespace {

using grading::GradedRun;

// Far beyond the last message (8 × 70 ms of reading): a relay still running then never ends.
constexpr Duration relay_deadline = 3s;

struct Read {
  int message = 0;
  Duration at{};
};

Task<void> produce(sync::mpsc::Sender<int> tx) {
  for (int k = 1; k <= relay_world::messages; ++k) {
    co_await sleep(relay_world::message_every);
    auto sent = co_await tx.send(k);
    if (!sent) co_return;  // the relay is gone
  }
}

Task<void> read_outbox(sync::mpsc::Receiver<int> rx, std::vector<Read>* got) {
  while (auto message = co_await rx.recv()) {
    got->push_back(Read{*message, now().time_since_epoch()});
    co_await sleep(relay_world::read_every);
  }
}

struct World {
  bool ended = false;  // the relay ended by itself before the deadline
  std::vector<Read> read;
  Duration relay_ended{};
};

// The grader's main: the producer, the learner's relay and the reader as three tasks. An exception
// escaping the relay is rethrown here, so the run shows it as a panic.
Task<void> world(World* w) {
  auto [in_tx, in_rx] = sync::mpsc::channel<int>(16, "inbox");
  auto [out_tx, out_rx] = sync::mpsc::channel<int>(relay_world::outbox_capacity, "outbox");
  auto producer = spawn(produce(std::move(in_tx)), "producer");
  auto reader = spawn(read_outbox(std::move(out_rx), &w->read), "reader");
  auto relay_task = spawn(relay(std::move(in_rx), std::move(out_tx)), "relay");
  auto ended = co_await timeout(relay_deadline, std::move(relay_task));
  if (!ended) co_return;  // the runtime, dropped after main, cancels the relay
  if (!*ended && ended->error().is_panic()) ended->error().resume_panic();
  w->ended = true;
  w->relay_ended = now().time_since_epoch();
  (void)co_await producer;
  (void)co_await timeout(relay_deadline, std::move(reader));
}

struct RelayRun {
  GradedRun run;
  World world;
  std::vector<Duration> beats;
};

RelayRun run(std::uint64_t seed) {
  relay_world::beats().clear();
  RelayRun r;
  r.run = grading::run_graded(
      "12-cancel-safe-select", seed, [&] { return world(&r.world); },
      [](Runtime::Builder& b) { b.explore_schedules(); });
  r.beats = relay_world::beats();
  grading::require_finished(r.run);
  return r;
}

std::string list(const std::vector<Read>& read) {
  std::vector<std::string> out;
  for (const auto& m : read) out.push_back(std::to_string(m.message));
  return read.empty() ? "nothing" : fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

TEST_CASE("every message is forwarded exactly once, in order, under every seed", "[ex12][task_1]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    std::vector<int> got;
    for (const auto& m : r.world.read) got.push_back(m.message);
    std::vector<int> all;
    for (int k = 1; k <= relay_world::messages; ++k) all.push_back(k);
    if (got == all) continue;
    std::vector<int> lost;
    for (int k : all)
      if (std::find(got.begin(), got.end(), k) == got.end()) lost.push_back(k);
    if (!lost.empty())
      grading::fail(fmt::format("seed {}: the reader got {} — message{} {} never reached the outbox ({} of {} lost)",
                                seed, list(r.world.read), lost.size() == 1 ? "" : "s", fmt::join(lost, ", "),
                                lost.size(), relay_world::messages),
                    fmt::format("messages 1 to {}, each once, in order", relay_world::messages),
                    "exercise.cpp: what forward_next holds when select (or a timeout) drops it. A message taken "
                    "out of the inbox and then waiting for room in the outbox is lost with the branch");
    grading::fail(fmt::format("seed {}: the reader got {}", seed, list(r.world.read)),
                  fmt::format("messages 1 to {}, each once, in order", relay_world::messages),
                  "exercise.cpp: a message forwarded twice, or out of order");
  }
}

TEST_CASE("the heartbeat keeps winning while the outbox is full: no 40 ms without a beat", "[ex12][task_2]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    const Duration until = r.world.ended ? r.world.relay_ended : r.run.end();
    if (r.beats.empty())
      grading::fail(fmt::format("seed {}: the relay ran until {} and sent no heartbeat at all", seed, GradedRun::at(until)),
                    fmt::format("a beat() each time the heartbeat interval ({}) ticks, raced against the "
                                "forwarding in a select",
                                GradedRun::at(relay_world::heartbeat_every)),
                    "exercise.cpp: the select between forward_next and heartbeat.tick()");
    auto stops = r.beats;
    stops.push_back(until);
    Duration previous{}, gap_from{}, gap{};
    for (auto at : stops) {
      if (at - previous > gap) {
        gap = at - previous;
        gap_from = previous;
      }
      previous = at;
    }
    if (gap > relay_world::message_every)
      grading::fail(fmt::format("seed {}: no heartbeat from {} to {} (a gap of {}; {} beats in all)", seed,
                                GradedRun::at(gap_from), GradedRun::at(gap_from + gap), GradedRun::at(gap),
                                r.beats.size()),
                    fmt::format("a beat at least every {} (the heartbeat ticks every {}), even while the outbox is "
                                "full and the reader takes {} per message",
                                GradedRun::at(relay_world::message_every), GradedRun::at(relay_world::heartbeat_every),
                                GradedRun::at(relay_world::read_every)),
                    "exercise.cpp: what the relay waits for outside the select. Waiting for room in the outbox "
                    "after the select (a send there) holds the heartbeat back: the waiting must be a branch of "
                    "the race, and a cancel-safe one");
  }
}

TEST_CASE("the relay ends when the inbox is closed, every message forwarded", "[ex12][task_3]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    if (!r.world.ended)
      grading::fail(fmt::format("seed {}: the relay was still running at {}, long after the inbox closed", seed,
                                GradedRun::at(relay_deadline)),
                    "the loop ends when recv() answers None (the inbox is closed and drained)",
                    "exercise.cpp: what the loop does when forward_next gives false");
  }
}
