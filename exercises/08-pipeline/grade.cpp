// Grader of exercise 08 (a pipeline over mpsc). Each TEST_CASE is one graded point, tagged [task_N].
// Every run explores schedules: the seed also decides which ready task runs next, so an order that
// only holds by luck shows up under some seed.
#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "grading.hpp"
#include "pipeline.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<void> run_pipeline(std::vector<pipeline::Sensor> sensors, std::size_t capacity);

namespace {

using grading::GradedRun;
using pipeline::Sensor;

const std::vector<Sensor> sensors = {{"north", 6}, {"south", 5}, {"east", 4}};
constexpr std::size_t total_readings = 15;

// The capacity the pipeline is asked for: 2, 3 or 4, depending on the seed.
std::size_t capacity_for(std::uint64_t seed) { return 2 + seed % 3; }

GradedRun run(std::uint64_t seed) {
  pipeline::archived().clear();
  return grading::run_graded(
      "08-pipeline", seed, [seed] { return run_pipeline(sensors, capacity_for(seed)); },
      [](Runtime::Builder& b) { b.explore_schedules(); });
}

std::string label(const pipeline::Reading& r) { return fmt::format("{}#{}", r.sensor, r.seq); }

// What the trace says about one mpsc channel of the run.
struct Channel {
  std::uint32_t id = 0;
  std::string name;
  bool bounded = true;
  std::uint64_t capacity = 0;  // 0: unbounded
  std::uint32_t peak = 0;      // values buffered at once, at most
  Duration peak_at{};
  bool senders_dropped = false;  // the last sender went: the sending side ended
  Duration senders_dropped_at{};
  bool recv_answered_none = false;  // a recv() gave None
};

std::vector<Channel> mpsc_channels(const trace::Trace& t) {
  std::map<std::uint32_t, Channel> by_id;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto e = t[i];
    const Duration at(static_cast<Duration::rep>(e.time_ns));
    if (e.kind == trace::EventKind::resource_created) {
      const auto kind = static_cast<trace::ResourceKind>(e.flags);
      if (kind != trace::ResourceKind::mpsc && kind != trace::ResourceKind::unbounded_mpsc) continue;
      auto& c = by_id[e.a];
      c.id = e.a;
      c.name = std::string(t.string(e.b));
      c.bounded = kind == trace::ResourceKind::mpsc;
      continue;
    }
    auto it = by_id.find(e.a);
    if (it == by_id.end()) continue;
    auto& c = it->second;
    if (e.kind == trace::EventKind::resource_limits) {
      c.capacity = e.b;
    } else if (e.kind == trace::EventKind::channel_send && e.b > c.peak) {
      c.peak = e.b;
      c.peak_at = at;
    } else if (e.kind == trace::EventKind::channel_closed &&
               e.flags == static_cast<std::uint16_t>(trace::CloseReason::senders_dropped)) {
      c.senders_dropped = true;
      c.senders_dropped_at = at;
    } else if (e.kind == trace::EventKind::channel_recv &&
               e.flags == static_cast<std::uint16_t>(trace::RecvResult::closed)) {
      c.recv_answered_none = true;
    }
  }
  std::vector<Channel> out;
  for (auto& [id, c] : by_id) out.push_back(c);
  return out;
}

// A consumer waiting on its channel for ever is the classic pipeline bug: say so before the general report.
void require_pipeline_finished(const GradedRun& r) {
  if (r.stuck) {
    for (const auto& t : r.stuck->tasks) {
      if (t.waits_on.find("mpsc") == std::string::npos) continue;
      grading::fail(
          fmt::format("stuck (seed {}): the run stopped at {} with \"{}\" waiting in recv() for ever:\n{}",
                      r.seed, GradedRun::at(r.end()), t.name, r.stuck->render()),
          "recv() answers None once the buffer is empty and every Sender is dropped; then the loop ends",
          "exercise.cpp: who still holds a Sender of the channel when the producers are done? (the "
          "consumer's own `tx` counts)");
    }
  }
  grading::require_finished(r);
}

std::vector<Channel> require_channels(const GradedRun& r) {
  auto channels = mpsc_channels(r.trace);
  if (channels.empty())
    grading::fail(fmt::format("seed {}: the run created no mpsc channel", r.seed),
                  "the producers send their readings to the consumer through one mpsc channel",
                  "exercise.cpp: sync::mpsc::channel<Reading>(capacity, \"readings\")");
  return channels;
}

}  // namespace

TEST_CASE("every reading reaches the archive once, each sensor's in the order it was measured",
          "[ex08][task_1]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    require_pipeline_finished(r);
    const auto filed = pipeline::archived();
    std::map<std::string, int> next;  // sensor -> the seq expected next
    for (const auto& s : sensors) next[s.name] = 1;
    std::map<std::string, Duration> last_at;
    for (const auto& a : filed) {
      auto it = next.find(a.reading.sensor);
      if (it == next.end() || a.reading.seq < 1)
        grading::fail(fmt::format("seed {}: the archive got {} at {}, which no sensor measured", seed,
                                  label(a.reading), GradedRun::at(a.at)),
                      "only the readings measure() gave", "exercise.cpp: what the producers send");
      if (a.reading.seq < it->second)
        grading::fail(fmt::format("seed {}: {} was archived a second time at {}", seed, label(a.reading),
                                  GradedRun::at(a.at)),
                      "each reading archived exactly once",
                      "exercise.cpp: who sends, and who archives, each reading");
      if (a.reading.seq > it->second)
        grading::fail(
            fmt::format("seed {}: {} was archived at {} before {}#{}{}", seed, label(a.reading),
                        GradedRun::at(a.at), a.reading.sensor, it->second,
                        it->second == 1
                            ? std::string(" (which came later or never)")
                            : fmt::format(" (after {}#{} at {})", a.reading.sensor, it->second - 1,
                                          GradedRun::at(last_at[a.reading.sensor]))),
            "each sensor's readings archived in the order they were measured: 1, 2, 3, ...",
            "exercise.cpp: one producer task per sensor, sending its readings one after another through one "
            "channel — a channel keeps the order of each sender; separate tasks per reading do not");
      it->second = a.reading.seq + 1;
      last_at[a.reading.sensor] = a.at;
    }
    std::vector<std::string> missing;
    for (const auto& s : sensors)
      for (int seq = next[s.name]; seq <= s.readings; ++seq)
        missing.push_back(fmt::format("{}#{}", s.name, seq));
    if (!missing.empty())
      grading::fail(
          fmt::format("seed {}: {} of {} readings reached the archive; never archived: {}", seed,
                      filed.size(), total_readings, fmt::join(missing, ", ")),
          fmt::format("all {} readings archived", total_readings),
          "exercise.cpp: does every producer send every reading, and does the consumer take them all?");
  }
}

TEST_CASE("the consumer's loop ends when recv() answers None, once every producer has dropped its sender",
          "[ex08][task_2]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    require_pipeline_finished(r);
    const auto channels = require_channels(r);
    const bool ended_by_none =
        std::any_of(channels.begin(), channels.end(), [](const Channel& c) { return c.recv_answered_none; });
    if (!ended_by_none) {
      const auto& c = channels.front();
      grading::fail(
          fmt::format("seed {}: the consumer returned at {} without recv() ever answering None on \"{}\"{}",
                      seed, GradedRun::at(r.end()), c.name,
                      c.senders_dropped ? fmt::format(" (its last sender was dropped only at {})",
                                                      GradedRun::at(c.senders_dropped_at))
                                        : std::string(" (a sender was still alive)")),
          "`while (auto r = co_await rx.recv())` runs until recv answers None: that happens when every "
          "Sender is gone — each producer's clone when it ends, and the consumer's own one, dropped before "
          "the "
          "loop",
          "exercise.cpp: the consumer must not count readings; it learns the end from the channel");
    }
  }
}

TEST_CASE("the channel never holds more than `capacity` readings: producers wait when it is full",
          "[ex08][task_3]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed);
    require_pipeline_finished(r);
    const std::size_t capacity = capacity_for(seed);
    for (const auto& c : require_channels(r)) {
      if (!c.bounded)
        grading::fail(
            fmt::format("seed {}: the channel \"{}\" is unbounded: it held up to {} readings at once "
                        "(at {}), with room for {} asked",
                        seed, c.name, c.peak, GradedRun::at(c.peak_at), capacity),
            fmt::format("a bounded channel, mpsc::channel<Reading>({}): a producer's send waits while "
                        "it is full, so the fast producers go at the slow archive's pace",
                        capacity),
            "exercise.cpp: unbounded_channel never makes a producer wait");
      if (c.capacity > capacity || c.peak > capacity)
        grading::fail(
            fmt::format("seed {}: the channel \"{}\" has room for {} and held up to {} readings at {}", seed,
                        c.name, c.capacity, c.peak, GradedRun::at(c.peak_at)),
            fmt::format("at most {} readings waiting (the `capacity` run_pipeline was given)", capacity),
            "exercise.cpp: the capacity you create the channel with");
    }
  }
}
