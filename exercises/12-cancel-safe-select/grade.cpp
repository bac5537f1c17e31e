// Grader of exercise 12 (a cancel-safe select loop). Each TEST_CASE is one graded point, tagged
// [task_N]. A producer sends a message every 40 ms while the consumer's heartbeat ticks every 10 ms,
// so the timer branch wins the select again and again. Every run explores schedules: the seed decides
// which ready task runs next (the producer or the consumer, when both wake at the same instant) as
// well as which select branch is polled first — a branch that loses a message only under some
// orders is caught by some seed.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "consumer.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<void> consume(sync::mpsc::Receiver<int> rx);

namespace {

using grading::GradedRun;

// Far beyond the last message (8 × 40 ms + decoding): a consumer still running then never ends.
constexpr Duration consumer_deadline = 2s;

Task<void> produce(sync::mpsc::Sender<int> tx) {
  for (int k = 1; k <= consumer::messages; ++k) {
    co_await sleep(consumer::message_every);
    auto sent = co_await tx.send(k);
    if (!sent) co_return;  // the consumer is gone
  }
}

// The grader's main: the producer and the learner's consumer as two tasks. True when the consumer
// ended by itself before the deadline; an exception escaping it is rethrown here, so the run shows
// it as a panic.
Task<bool> world() {
  auto [tx, rx] = sync::mpsc::channel<int>(16, "messages");
  auto producer = spawn(produce(std::move(tx)), "producer");
  auto consumer_task = spawn(consume(std::move(rx)), "consumer");
  auto ended = co_await timeout(consumer_deadline, std::move(consumer_task));
  if (!ended) co_return false;  // the runtime, dropped after main, cancels the consumer
  if (!*ended && ended->error().is_panic()) ended->error().resume_panic();
  (void)co_await producer;
  co_return true;
}

struct ConsumerRun {
  GradedRun run;
  bool ended = false;
  std::vector<consumer::Decoded> decoded;
  std::vector<Duration> beats;
};

ConsumerRun run(std::uint64_t seed) {
  consumer::decoded().clear();
  consumer::beats().clear();
  ConsumerRun r;
  r.run = grading::run_graded(
      "12-cancel-safe-select", seed, [] { return world(); },
      [](Runtime::Builder& b) { b.explore_schedules(); }, [&](bool ended) { r.ended = ended; });
  r.decoded = consumer::decoded();
  r.beats = consumer::beats();
  grading::require_finished(r.run);
  if (!r.ended)
    grading::fail(fmt::format("seed {}: the consumer was still running at {}, long after the channel closed",
                              seed, GradedRun::at(consumer_deadline)),
                  "the loop ends when recv() answers None (the channel is closed and drained)",
                  "exercise.cpp: what the loop does when the message branch gives nullopt");
  return r;
}

// What became of message k (the k-th value the consumer took out of the channel), read from the
// trace: when it was taken out, and — when that happened inside a select branch (or a timeout) that
// was still pending afterwards — when that branch was dropped with the message in it.
std::string fate_of(const GradedRun& r, int k) {
  const auto& t = r.trace;
  const auto consumer_task = r.query().task_named("consumer");
  auto by_consumer = [&](std::size_t i, trace::EventKind kind) {
    const auto e = t[i];
    return e.kind == kind && e.task == consumer_task;
  };
  std::size_t i = 0;
  for (int n = 0; i < t.size(); ++i) {
    if (by_consumer(i, trace::EventKind::channel_recv) &&
        t[i].flags == static_cast<std::uint16_t>(trace::RecvResult::received) && ++n == k)
      break;
  }
  if (i == t.size()) return fmt::format("message {} was never taken out of the channel", k);
  const auto taken = GradedRun::at(trace::TraceQuery::time(t[i]));
  // The next branch poll the consumer records is the branch whose poll took the message out.
  std::size_t p = i + 1;
  while (p < t.size() && !by_consumer(p, trace::EventKind::future_polled)) ++p;
  if (p == t.size() || t[p].flags == 1)
    return fmt::format("message {} was taken out of the channel at {} and never decoded", k, taken);
  const auto branch = t[p].a;
  const auto parent = r.query().first([&](const trace::Event& e) {
    return e.kind == trace::EventKind::future_created && e.task == consumer_task && e.a == branch;
  });
  const auto race = parent ? r.query().first([&](const trace::Event& e) {
    return e.kind == trace::EventKind::future_created && e.task == consumer_task && e.a == parent->b;
  })
                           : std::nullopt;
  const bool in_timeout =
      race && (race->flags & 0xff) == static_cast<std::uint16_t>(trace::FutureNode::timeout);
  for (std::size_t d = p + 1; d < t.size(); ++d) {
    if (by_consumer(d, trace::EventKind::future_polled) && t[d].a == branch && t[d].flags == 1) break;
    if (by_consumer(d, trace::EventKind::future_dropped) && t[d].a == branch && t[d].flags == 0)
      return fmt::format(
          "message {} was taken out of the channel at {} by {} that was dropped mid-flight at {}, "
          "still holding it",
          k, taken, in_timeout ? "the future inside a timeout" : "a select branch",
          GradedRun::at(trace::TraceQuery::time(t[d])));
  }
  return fmt::format("message {} was taken out of the channel at {} and never decoded", k, taken);
}

}  // namespace

TEST_CASE("every message is decoded exactly once, in order, under every seed", "[ex12][task_1]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    std::vector<int> got;
    for (const auto& d : r.decoded) got.push_back(d.message);
    std::vector<int> lost;
    for (int k = 1; k <= consumer::messages; ++k)
      if (std::find(got.begin(), got.end(), k) == got.end()) lost.push_back(k);
    if (!lost.empty()) {
      std::vector<std::string> fates;
      for (std::size_t n = 0; n < lost.size() && n < 3; ++n) fates.push_back(fate_of(r.run, lost[n]));
      if (lost.size() > 3) fates.push_back(fmt::format("and {} more", lost.size() - 3));
      grading::fail(
          fmt::format("seed {}: {} of {} messages decoded; {}", seed, got.size(), consumer::messages,
                      fmt::join(fates, "; ")),
          "no message lost: when the heartbeat wins, the losing branch must not be holding a message — "
          "race only rx.recv() (cancel safe: dropped, it has taken nothing) and decode after the select",
          "exercise.cpp: what the message branch of the select does between taking a message out and "
          "finishing with it");
    }
    for (std::size_t i = 0; i < got.size(); ++i)
      if (got[i] != static_cast<int>(i) + 1)
        grading::fail(
            fmt::format("seed {}: the decoder got messages in the order {}", seed, fmt::join(got, ", ")),
            fmt::format("messages 1 to {}, each decoded once, in the order sent", consumer::messages),
            "exercise.cpp: how many times, and where, decode() is called");
  }
}

TEST_CASE("the heartbeat keeps winning: no 40 ms without a beat while messages are decoded",
          "[ex12][task_2]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    if (r.beats.empty())
      grading::fail(
          fmt::format("seed {}: the consumer ran until {} and sent no heartbeat at all", seed,
                      GradedRun::at(r.run.end())),
          fmt::format("a beat() each time the heartbeat interval ({}) ticks, raced against the messages "
                      "in a select",
                      GradedRun::at(consumer::heartbeat_every)),
          "exercise.cpp: the select between the next message and heartbeat.tick()");
    // The longest stretch without a beat, from the start to the consumer's end.
    auto until = r.beats;
    until.push_back(r.run.end());
    Duration previous{}, gap_from{}, gap{};
    for (auto at : until) {
      if (at - previous > gap) {
        gap = at - previous;
        gap_from = previous;
      }
      previous = at;
    }
    if (gap > consumer::message_every)
      grading::fail(
          fmt::format("seed {}: no heartbeat from {} to {} (a gap of {}; {} beats in all)", seed,
                      GradedRun::at(gap_from), GradedRun::at(gap_from + gap), GradedRun::at(gap),
                      r.beats.size()),
          fmt::format("a beat at least every {} (the heartbeat ticks every {}; decoding a message may "
                      "delay it by {})",
                      GradedRun::at(consumer::message_every), GradedRun::at(consumer::heartbeat_every),
                      GradedRun::at(consumer::decode_time)),
          "exercise.cpp: the heartbeat must stay a branch of the select, with one interval kept across "
          "the loop");
  }
}
