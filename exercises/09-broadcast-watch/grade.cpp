// Grader of exercise 09 (broadcast and watch). Each TEST_CASE is one graded point, tagged [task_N].
// The dispatcher plays a script (service.hpp); the grader reads the workers' journal and the trace.
// Every run explores schedules: the seed also decides which ready task runs next.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "grading.hpp"
#include "service.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<void> run_service(service::Script script, std::size_t capacity, int workers);

namespace {

using grading::GradedRun;
using service::Step;

constexpr int workers = 3;
constexpr std::size_t capacity = 4;

Step event(Duration at, int id) { return Step{Step::Kind::event, at, id}; }
Step reload(Duration at, int version) { return Step{Step::Kind::reload, at, version}; }

// Six events 10 ms apart — each worker handles one in 5 ms, so nobody falls behind — and five config
// reloads: some while the workers are busy handling, some while they wait for the next event.
const service::Script calm = {event(0ms, 1),   event(10ms, 2),  reload(13ms, 2), event(20ms, 3),
                              reload(24ms, 3), reload(27ms, 4), event(30ms, 4),  event(40ms, 5),
                              reload(41ms, 5), reload(42ms, 6), event(50ms, 6)};
constexpr int calm_events = 6;

// Three calm events, then six at once (events 4 to 9) into a channel that keeps 4: each worker has
// read up to event 3, so events 4 and 5 are overwritten before it gets to them. Then event 10.
const service::Script burst = {event(0ms, 1),  event(10ms, 2), event(20ms, 3), event(30ms, 4),
                               event(30ms, 5), event(30ms, 6), event(30ms, 7), event(30ms, 8),
                               event(30ms, 9), event(60ms, 10)};
constexpr int burst_events = 10;

GradedRun run(std::uint64_t seed, const service::Script& script) {
  service::journal().clear();
  return grading::run_graded(
      "09-broadcast-watch", seed, [&script] { return run_service(script, capacity, workers); },
      [](Runtime::Builder& b) { b.explore_schedules(); });
}

std::string events_text(int from, int to) {
  if (from == to) return fmt::format("event {}", from);
  if (to == from + 1) return fmt::format("events {} and {}", from, to);
  return fmt::format("events {} to {}", from, to);
}

Duration sent_at(const service::Script& script, int id) {
  for (const auto& s : script)
    if (s.kind == Step::Kind::event && s.value == id) return s.at;
  return Duration{};
}

// What the trace says about a worker's lags: "; its recv() answered Lagged(2) at 30 ms", or "".
std::string lags_in_trace(const GradedRun& r, int worker) {
  const auto q = r.query();
  const auto task = q.task_named(fmt::format("worker {}", worker));
  if (task == 0) return "";
  std::string out;
  for (const auto& e : q.events(trace::EventKind::channel_recv, task)) {
    if (e.flags != static_cast<std::uint16_t>(trace::RecvResult::lagged)) continue;
    out += fmt::format("{} Lagged({}) at {}", out.empty() ? "; its recv() answered" : " and", e.b,
                       GradedRun::at(trace::TraceQuery::time(e)));
  }
  return out;
}

// Every worker's journal accounts for every event 1..total, in order: handled, or covered by a
// reported lag.
void require_every_event(const GradedRun& r, const service::Script& script, int total) {
  std::map<int, int> next;  // worker -> the event it should see next
  std::map<int, Duration> last_at;
  for (int w = 1; w <= workers; ++w) next[w] = 1;
  for (const auto& e : service::journal()) {
    auto it = next.find(e.worker);
    if (it == next.end())
      grading::fail(fmt::format("seed {}: the journal names worker {} (at {}), but the workers are 1 to {}",
                                r.seed, e.worker, GradedRun::at(e.at), workers),
                    fmt::format("workers with ids 1 to {}, each calling handle() with its own id", workers),
                    "exercise.cpp: the id each worker is given");
    int& expected = it->second;
    if (e.lagged) {
      expected += static_cast<int>(e.missed);
      last_at[e.worker] = e.at;
      continue;
    }
    if (e.event < expected)
      grading::fail(fmt::format("seed {}: worker {} handled event {} at {}, after it had already handled or "
                                "reported it lost",
                                r.seed, e.worker, e.event, GradedRun::at(e.at)),
                    "each event handled at most once per worker, in the order sent",
                    "exercise.cpp: the worker's loop, and the number you pass to report_lagged");
    if (e.event > expected)
      grading::fail(
          fmt::format(
              "seed {}: worker {} never handled {} (sent at {}) and reported no lag that would explain "
              "it; its next one was event {} at {}{}",
              r.seed, e.worker, events_text(expected, e.event - 1), GradedRun::at(sent_at(script, expected)),
              e.event, GradedRun::at(e.at), lags_in_trace(r, e.worker)),
          "every worker gets every event sent after the service starts — or recv() tells it Lagged(n) and it "
          "reports that with report_lagged",
          "exercise.cpp: a receiver sees only what is sent after it subscribed — subscribe every worker's "
          "receiver (events_tx.subscribe()) before play() sends anything");
    expected = e.event + 1;
    last_at[e.worker] = e.at;
  }
  for (const auto& [w, expected] : next) {
    if (expected > total) continue;
    if (expected == 1)
      grading::fail(fmt::format("seed {}: worker {} handled nothing and reported no lag{}", r.seed, w,
                                lags_in_trace(r, w)),
                    fmt::format("every worker, ids 1 to {}, handles every event", workers),
                    fmt::format("exercise.cpp: is worker {} started, with its own receiver subscribed before "
                                "play(), and does it call handle(id, event, config)?",
                                w));
    grading::fail(
        fmt::format(
            "seed {}: worker {} handled events up to {} (the last one done at {}) and then stopped: {} "
            "never handled and no lag was reported{}",
            r.seed, w, expected - 1, GradedRun::at(last_at[w] + service::handle_time),
            events_text(expected, total), lags_in_trace(r, w)),
        "a Lagged report means some events were lost to this receiver, not that the channel ended: "
        "report it (report_lagged(id, error.skipped())) and keep receiving — only a closed channel "
        "ends the loop",
        "exercise.cpp: what the worker's loop does when recv() gives an error");
  }
}

}  // namespace

TEST_CASE("every worker handles every event, from the first one sent", "[ex09][task_1]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed, calm);
    grading::require_finished(r);
    require_every_event(r, calm, calm_events);
  }
}

TEST_CASE("a worker that falls behind reports the events it lost, and carries on with the rest",
          "[ex09][task_2]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed, burst);
    grading::require_finished(r);
    require_every_event(r, burst, burst_events);
    const auto q = r.query();
    const auto lags = q.count_if([](const trace::Event& e) {
      return e.kind == trace::EventKind::channel_recv &&
             e.flags == static_cast<std::uint16_t>(trace::RecvResult::lagged);
    });
    if (lags == 0)
      grading::fail(
          fmt::format("seed {}: six events sent at once into a channel that keeps {}, and no receiver "
                      "was told it lagged",
                      r.seed, capacity),
          fmt::format("one broadcast channel of capacity {}: a worker that has not read the oldest "
                      "events when they are overwritten gets Lagged(n)",
                      capacity),
          "exercise.cpp: the channel the events go through (sync::broadcast::channel<Event>(capacity))");
  }
}

TEST_CASE("each event is handled with the latest config, never a stale copy", "[ex09][task_3]") {
  for (auto seed : grading::seeds) {
    auto r = run(seed, calm);
    grading::require_finished(r);
    std::size_t handled = 0;
    for (const auto& e : service::journal()) {
      if (e.lagged) continue;
      ++handled;
      int latest = 1;
      Duration since{};
      for (const auto& s : calm) {
        if (s.kind != Step::Kind::reload || s.at > e.at) continue;
        latest = s.value;
        since = s.at;
      }
      if (e.config_version != latest)
        grading::fail(
            fmt::format("seed {}: worker {} handled event {} at {} with config version {}, but version {} "
                        "had been in force since {}",
                        r.seed, e.worker, e.event, GradedRun::at(e.at), e.config_version, latest,
                        GradedRun::at(since)),
            "each event handled with the config in force when handling starts: the watch channel always "
            "holds the latest — read it (config.borrow_and_update()) right before handle(), after the "
            "event has arrived",
            "exercise.cpp: where the worker reads the config, and whether it keeps a copy across a co_await");
    }
    if (handled == 0)
      grading::fail(fmt::format("seed {}: no worker handled any event", r.seed),
                    "every worker calls handle(id, event, config) for each event",
                    "exercise.cpp: the worker's loop");
  }
}
