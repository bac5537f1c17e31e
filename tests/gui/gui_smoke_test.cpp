// `asynclab gui` run as CI runs it: under Xvfb, drawing a few frames to a PNG and a UI report. The
// picture is checked for what a broken renderer gives (a blank or one-colour frame); the report for
// what a learner would read in it. CTest runs this executable under xvfb-run (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "gui/gui_checks.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace asynclab::testing;

namespace {

// A trace recorded the way a learner records one.
fs::path demo_trace() {
  static const fs::path file = [] {
    const fs::path f = scratch() / "demo.altrace";
    const Run r = run_asynclab("demo -o " + quoted(f));
    INFO(r.err);
    REQUIRE(r.status == 0);
    return f;
  }();
  return file;
}

}  // namespace

TEST_CASE("asynclab gui draws a recorded trace into a PNG of the asked size and a UI report", "[gui]") {
  const fs::path png = scratch() / "trace.png";
  const fs::path json = scratch() / "trace.json";
  // The GUI's leak check: the one GUI run under LeakSanitizer (see run_gui in gui_checks.hpp).
  const Run r = run_asynclab("gui --trace " + quoted(demo_trace()) + " --screenshot " + quoted(png) +
                         " --frames 3 --size 1280x800 --ui-report " + quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);

  REQUIRE(fs::exists(png));
  CHECK(png_size(png) == std::pair<std::uint32_t, std::uint32_t>{1280, 800});
  const Colours colours = colours_in(png);
  CAPTURE(colours.distinct, colours.not_background);
  CHECK(colours.distinct >= 16);         // text is antialiased: many shades, not a flat fill
  CHECK(colours.not_background > 0.02);  // windows and text cover part of the frame

  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("frames") == 3);
  CHECK(report.at("size") == nlohmann::json::array({1280, 800}));
  CHECK(report.at("errors").empty());
  CHECK(report.at("properties").at("font") == "DejaVuSans.ttf");
  REQUIRE(window_named(report, "Main menu bar") != nullptr);
  CHECK(lists_text(*window_named(report, "Main menu bar"), "File"));
  const nlohmann::json* status = window_named(report, "Status bar");
  REQUIRE(status != nullptr);
  CHECK(lists_text(*status, "demo.altrace"));
  // Every view is drawn, with the trace's content in it.
  for (const char* name : {"Playback", "Timeline", "Tasks", "Task", "Executor", "Resources", "Warnings", "Code"}) {
    CAPTURE(name);
    const nlohmann::json* w = window_named(report, name);
    REQUIRE(w != nullptr);
    CHECK(w->at("visible") == true);
  }
  const nlohmann::json* timeline = window_named(report, "Timeline");
  CHECK(timeline->at("items").get<int>() > 20);  // the draw commands of the polls, gaps, wakes and marks
  for (const char* lane : {"main", "background fetch", "worker 1", "worker 2", "worker 3"}) CHECK(lists_text(*timeline, lane));
  CHECK(lists_text(*timeline, "select decided"));  // a mark the scenario made, on the ruler
  const nlohmann::json* tasks = window_named(report, "Tasks");
  CHECK(lists_text(*tasks, "background fetch"));
  CHECK(lists_text(*tasks, "done"));  // a trace opens at its end: every task has finished
  CHECK(lists_text(*window_named(report, "Playback"), "runtime stopped: finished"));
  CHECK(lists_text(*window_named(report, "Warnings"), "No warnings"));
  // The demo pins two self-referential futures: the Pinning window appears for them.
  const nlohmann::json* pinning = window_named(report, "Pinning");
  REQUIRE(pinning != nullptr);
  CHECK(lists_text(*pinning, "pinned future #2"));
  CHECK(window_named(report, "Could not open trace") == nullptr);
}

TEST_CASE("asynclab gui --at 0 opens the trace before its first event, with nothing run yet", "[gui]") {
  const fs::path json = scratch() / "at0.json";
  const Run r = run_gui("gui --trace " + quoted(demo_trace()) + " --at 0 --size 1280x800 --ui-report " + quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(lists_text(*window_named(report, "Playback"), "Before the first event"));
  CHECK(lists_text(*window_named(report, "Tasks"), "not spawned"));
  CHECK_FALSE(lists_text(*window_named(report, "Tasks"), "done"));
  CHECK(lists_text(*window_named(report, "Executor"), "running: nothing"));
}

TEST_CASE("asynclab gui with no trace opens the built-in demo", "[gui]") {
  const fs::path json = scratch() / "builtin.json";
  const Run r = run_gui("gui --size 1280x800 --ui-report " + quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  CHECK(lists_text(*window_named(report, "Status bar"), "built-in demo"));
  REQUIRE(window_named(report, "Timeline") != nullptr);
  CHECK(lists_text(*window_named(report, "Timeline"), "worker 3"));
}

TEST_CASE("the legend opens in front of the views, whole: every colour and glyph with its meaning", "[gui]") {
  const fs::path json = scratch() / "legend.json";
  const Run r = run_gui("gui --open Legend --size 1600x1000 --ui-report " + quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const nlohmann::json* legend = window_named(report, "Legend");
  REQUIRE(legend != nullptr);
  CHECK(legend->at("visible").get<bool>());
  CHECK(legend->at("covered_by").empty());  // opened over the views, it is in front of them
  CHECK(legend->at("clipped").empty());     // at 1600x1000 every row shows without scrolling
  for (const char* meaning : {"a poll that answered Pending", "idle: parked, waiting for a wake",
                              "a request in flight", "a lock waited for; the arrow points at the task that holds it",
                              "cut: dropped mid-flight (a select's loser, a timed-out future)",
                              "the cursor: what has happened is left of it; the rest is dimmed"})
    CHECK(lists_text(*legend, meaning));
  // A view that does not exist is a usage error, named.
  const Run bad = run_gui("gui --open Legnd --size 640x480 --ui-report " + quoted(scratch() / "bad.json"));
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("no view 'Legnd'"));
}

TEST_CASE("a corrupt trace is shown as an error in the window, and an output run fails with it on stderr", "[gui]") {
  const fs::path bad = scratch() / "garbage.altrace";
  std::ofstream(bad) << "this is not a trace, just words";
  const fs::path png = scratch() / "corrupt.png";
  const fs::path json = scratch() / "corrupt.json";
  const Run r = run_gui("gui --trace " + quoted(bad) + " --screenshot " + quoted(png) + " --size 1280x800 --ui-report " +
                         quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 1);  // as `asynclab trace info` on the same file
  CHECK_THAT(r.err, Catch::Contains("asynclab gui:") && Catch::Contains("not a trace"));
  CHECK(png_size(png) == std::pair<std::uint32_t, std::uint32_t>{1280, 800});  // the dialog is still drawn

  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("frames") == 3);  // the default with --screenshot
  REQUIRE(report.at("errors").size() == 1);
  const std::string error = report.at("errors")[0];
  CHECK_THAT(error, Catch::Contains("garbage.altrace") && Catch::Contains("not a trace"));
  const nlohmann::json* dialog = window_named(report, "Could not open trace");
  REQUIRE(dialog != nullptr);
  CHECK(dialog->at("visible") == true);
  CHECK(lists_text(*dialog, "not a trace"));
  CHECK(lists_text(*window_named(report, "Status bar"), "not a trace"));
  CHECK(window_named(report, "Timeline") == nullptr);  // nothing was opened, so no views
}

TEST_CASE("presentation mode draws with the large font: 28 px, 24 px on a 720-pixel projector", "[gui]") {
  const fs::path small = scratch() / "present-720.json";
  REQUIRE(run_gui("gui --present --size 1280x720 --ui-report " + quoted(small)).status == 0);
  CHECK(nlohmann::json::parse(slurp(small)).at("properties").at("font_px") == "24");
  const fs::path json = scratch() / "present.json";
  const Run r = run_gui("gui --present --size 1600x1000 --ui-report " + quoted(json));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("properties").at("mode") == "presentation");
  CHECK(report.at("properties").at("font_px") == "28");
  CHECK(report.at("frames") == 3);  // the default with --ui-report
  // Only what a class needs: the controls, the timeline and the executor.
  CHECK(window_named(report, "Playback") != nullptr);
  CHECK(window_named(report, "Timeline") != nullptr);
  CHECK(window_named(report, "Executor") != nullptr);
  CHECK(window_named(report, "Tasks") == nullptr);
  CHECK(window_named(report, "Code") == nullptr);
}

TEST_CASE("an interactive run keeps the window layout in XDG_CONFIG_HOME and a report run leaves it alone", "[gui]") {
  const fs::path config = scratch() / "config";
  const std::string env = "XDG_CONFIG_HOME=" + quoted(config);
  const Run interactive = run_gui("gui --trace " + quoted(demo_trace()) + " --frames 2", env);
  INFO(interactive.err);
  REQUIRE(interactive.status == 0);
  CHECK_THAT(slurp(config / "asynclab" / "imgui.ini"), Catch::Contains("[Window][Timeline]"));

  const fs::path other = scratch() / "config-untouched";
  const Run report = run_gui("gui --frames 2 --ui-report " + quoted(scratch() / "layout.json"),
                              "XDG_CONFIG_HOME=" + quoted(other));
  INFO(report.err);
  REQUIRE(report.status == 0);
  CHECK_FALSE(fs::exists(other));
}

TEST_CASE("asynclab gui without a display says so and exits 2", "[gui][cli]") {
  const Run r = run_gui("gui --frames 1", "env -u DISPLAY -u WAYLAND_DISPLAY");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot open a window") && Catch::Contains("xvfb-run"));
}

TEST_CASE("asynclab gui --size rejects what is not WIDTHxHEIGHT with a usage error", "[gui][cli]") {
  for (const char* size : {"1280", "1280x", "x800", "12x800", "1280x800x2", "big"}) {
    CAPTURE(size);
    const Run r = run_gui(std::string("gui --size ") + size + " --frames 1");
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--size"));
  }
}

TEST_CASE("a screenshot that cannot be written is a failure with a message", "[gui]") {
  const fs::path png = scratch() / "no-such-folder" / "x.png";
  const Run r = run_gui("gui --screenshot " + quoted(png) + " --size 640x480");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot write") && Catch::Contains("x.png"));
}
