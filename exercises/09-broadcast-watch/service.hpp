#pragma once
// The world of exercise 09: the events the dispatcher announces, the config it reloads, and the
// journal of what the workers did. Don't edit this file: the grader compiles it as it is, next to
// your exercise.cpp.
//
// * play(script, events_tx, config_tx) is the dispatcher: at each step's time it broadcasts an event
//   or sends a new config version; then it drops both senders, which closes both channels.
// * handle(worker, event, config) is one worker's work on one event: 5 ms. It writes in the journal
//   which config version the worker used, and when.
// * report_lagged(worker, missed) is how a worker says it fell behind and `missed` events were lost.
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace service {

using namespace std::chrono_literals;

struct Event {
  int id = 0;
};

struct Config {
  int version = 1;
};

struct Step {
  enum class Kind { event, reload };
  Kind kind = Kind::event;
  asynclab::Duration at{};  // since play() started
  int value = 0;            // the event's id, or the new config's version
};
using Script = std::vector<Step>;

inline constexpr asynclab::Duration handle_time = 5ms;

// One line of the journal: a worker started handling an event (with a config version), or reported
// that it lagged behind and `missed` events were lost to it.
struct Entry {
  int worker = 0;
  asynclab::Duration at{};
  bool lagged = false;
  int event = 0;
  int config_version = 0;
  std::uint64_t missed = 0;
};
inline std::vector<Entry>& journal() {
  static std::vector<Entry> entries;
  return entries;
}

inline asynclab::Task<void> handle(int worker, Event event, Config config) {
  journal().push_back(Entry{worker, asynclab::now().time_since_epoch(), false, event.id, config.version, 0});
  co_await asynclab::sleep(handle_time);
}

inline void report_lagged(int worker, std::uint64_t missed) {
  journal().push_back(Entry{worker, asynclab::now().time_since_epoch(), true, 0, 0, missed});
}

// Takes the senders by value: when the script is done they are dropped here, and the workers'
// receivers see the channels close.
inline asynclab::Task<void> play(Script script, asynclab::sync::broadcast::Sender<Event> events_tx,
                                 asynclab::sync::watch::Sender<Config> config_tx) {
  const auto start = asynclab::now();
  for (const auto& step : script) {
    co_await asynclab::sleep_until(start + step.at);
    if (step.kind == Step::Kind::event) {
      (void)events_tx.send(Event{step.value});  // never waits; no receiver at all is not an error here
    } else {
      (void)config_tx.send(Config{step.value});
    }
  }
}

}  // namespace service
