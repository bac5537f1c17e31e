// `asynclab gui --live`: the window attached to a real-time runtime on worker threads while it runs
// (visualizer/app/live_run.hpp, cli/live_scenarios.hpp). The echo scenario runs with its pauses cut
// to a few milliseconds, so a whole run takes a fraction of a second; an output run keeps drawing
// until the program has finished and all its events are shown, so what is checked is the whole run.
// No test sleeps: the only real sleeps are the scenario's own, a few milliseconds each.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "gui/gui_checks.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace asynclab::testing;

TEST_CASE("asynclab gui --live echo shows a real-time run on two workers as it happens, to the end", "[gui][live]") {
  const fs::path png = scratch() / "live.png";
  const fs::path json = scratch() / "live.json";
  const Run r = run_gui("gui --live echo --live-pause-ms 5 --frames 5 --size 1280x800 --ui-report " + quoted(json) +
                             " --screenshot " + quoted(png));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);

  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const nlohmann::json& properties = report.at("properties");
  REQUIRE(properties.contains("live_events"));
  const std::uint64_t events = std::stoull(properties.at("live_events").get<std::string>());
  CHECK(events > 100);  // 4 clients x 8 lines, each a write, a read and a pause, on both ends
  CHECK(properties.at("live_finished") == "true");
  CHECK(properties.at("live_dropped") == "0");  // the feed keeps up with a run this small
  CHECK(properties.at("live_skipped") == "0");

  const nlohmann::json* playback = window_named(report, "Playback");
  REQUIRE(playback != nullptr);
  CHECK(lists_text(*playback, "finished · " + std::to_string(events) + " events · 0 dropped"));
  CHECK(lists_text(*playback, "runtime stopped"));  // following: the cursor is on the last event
  CHECK(lists_text(*window_named(report, "Status bar"), "live: echo"));

  const nlohmann::json* timeline = window_named(report, "Timeline");
  REQUIRE(timeline != nullptr);
  CHECK(timeline->at("items").get<int>() > 20);
  // Every task has its lane. Which of them fit on screen depends on the run: a client's connection
  // may be spawned before the next client is, and then comes before it. The workers, main, the
  // server and the first client always come first.
  std::set<std::string> lanes;
  for (const auto& lane : report.at("timeline").at("lanes"))
    lanes.insert(lane.at("label").get<std::string>());
  for (const std::string task : {"main", "echo server"}) CHECK(lanes.contains(task));
  for (int i = 1; i <= 4; ++i) {
    CHECK(lanes.contains("client " + std::to_string(i)));
    CHECK(lanes.contains("connection " + std::to_string(i)));
  }
  for (const char* lane : {"worker 0", "worker 1", "main", "echo server", "client 1"}) {
    CAPTURE(lane);
    CHECK(lists_text(*timeline, lane));
  }
  CHECK(lists_text(*window_named(report, "Tasks"), "done"));

  CHECK(png_size(png) == std::pair<std::uint32_t, std::uint32_t>{1280, 800});
  const Colours colours = colours_in(png);
  CAPTURE(colours.distinct, colours.not_background);
  CHECK(colours.distinct >= 16);
  CHECK(colours.not_background > 0.02);
}

TEST_CASE("asynclab gui --live with an unknown scenario is a usage error that names the ones there are", "[gui][live]") {
  const Run r = run_gui("gui --live nosuch --frames 1");
  CHECK(r.status == 2);
  CHECK(r.err.find("nosuch") != std::string::npos);
  CHECK(r.err.find("echo") != std::string::npos);
}

TEST_CASE("asynclab gui --live with --trace or --lesson is a usage error, not one of them silently ignored",
          "[gui][live]") {
  for (const char* other : {"--trace demo.altrace", "--lesson 04"}) {
    CAPTURE(other);
    const Run r = run_gui(std::string("gui --live echo ") + other + " --frames 1");
    CHECK(r.status == 2);
    CHECK(r.err.find("--live") != std::string::npos);
  }
}

TEST_CASE("mid-run, live mode's counts agree and the Tasks table keeps readable columns as tasks arrive", "[gui][live]") {
  // Drawn while the program still runs (its pauses 100 ms each): the feed has read events the
  // trace has not taken in yet, and tasks have arrived after the table was first drawn empty.
  const fs::path json = scratch() / "live-mid-run.json";
  const Run r = run_gui("gui --live echo --live-pause-ms 100 --live-mid-run --frames 20 --size 1600x1000 --ui-report " +
                        quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const nlohmann::json* playback = window_named(report, "Playback");
  REQUIRE(playback != nullptr);
  // The status's event count is the playback's "of N": what the trace holds.
  std::string status, position;
  for (const auto& t : playback->at("texts")) {
    const std::string s = t.get<std::string>();
    if (s.starts_with("live · ") || s.starts_with("finished · ")) status = s;
    if (s.starts_with("event ") && s.find(" of ") != std::string::npos) position = s;
  }
  INFO(status << " / " << position);
  REQUIRE_FALSE(status.empty());
  REQUIRE_FALSE(position.empty());
  const std::string held = position.substr(position.rfind(' ') + 1);
  CHECK_THAT(status, Catch::Contains(" · " + held + " events"));
  // The Tasks table: every task's name whole, not squeezed into a column one letter wide.
  const nlohmann::json* tasks = window_named(report, "Tasks");
  REQUIRE(tasks != nullptr);
  for (const char* name : {"main", "echo server", "client 1"}) {
    CHECK(lists_text(*tasks, name));
    CHECK_FALSE(lists_clipped(*tasks, name));
  }
}
