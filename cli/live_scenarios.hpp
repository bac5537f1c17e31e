#pragma once
// `asynclab gui --live [NAME]`: built-in programs to watch live — real threads, real time, real
// sockets — as opposed to the lessons and `asynclab demo`, which record on the virtual clock first and
// are replayed afterwards. Each runs on a `multi_thread(2)` runtime whose recorder streams to the GUI
// (visualizer/app/live_run.hpp), lasts a few seconds and stops by itself.
//
// Rules:
// * A scenario is bounded: every wait in it has a deadline, and it checks the stop token between
//   steps, so closing the window ends it within one pause.
// * The pauses are real sleeps, short and configurable (`pause`), so the GUI tests can run a whole
//   scenario in well under a second.
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/trace/recorder.hpp"

namespace asynclab::cli {

struct LiveScenarioOptions {
  std::chrono::milliseconds pause{150};  // between a client's lines: what makes it last a few seconds
  int clients = 4;
  int lines = 8;
};

struct LiveScenario {
  std::string name;
  std::string summary;
  std::function<void(trace::Recorder&, std::stop_token, const LiveScenarioOptions&)> run;
};

// Every built-in live scenario, the default ("echo") first.
const std::vector<LiveScenario>& live_scenarios();
const LiveScenario* find_live_scenario(std::string_view name);

}  // namespace asynclab::cli
