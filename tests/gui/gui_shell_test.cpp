// The GUI shell's plain-data parts, without a window: the --size parser, the UI report, the playback
// keys and the screenshot's row flip.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/gui_app.hpp"
#include "app/playback_keys.hpp"
#include "app/screenshot.hpp"
#include "app/shell.hpp"
#include "app/ui_report.hpp"
#include "asynclab/trace/event.hpp"

using namespace asynclab::vis;

TEST_CASE("a window size reads as WIDTHxHEIGHT with a lower- or upper-case x", "[gui][size]") {
  auto [text, width, height] = GENERATE(table<std::string, int, int>({
      {"1280x800", 1280, 800},
      {"1600X1000", 1600, 1000},
      {"200x200", 200, 200},
      {"16384x16384", 16384, 16384},
  }));
  CAPTURE(text);
  const auto size = parse_window_size(text);
  REQUIRE(size.has_value());
  CHECK(size->width == width);
  CHECK(size->height == height);
}

TEST_CASE("a window size refuses what is not two whole numbers within limits, quoting what it got", "[gui][size]") {
  for (const char* bad : {"", "1280", "1280x", "x800", "1280*800", "-1280x800", "1280x800px", "199x800", "1280x16385",
                          "99999999999x1"}) {
    CAPTURE(bad);
    const auto refused = parse_window_size(bad);
    REQUIRE_FALSE(refused.has_value());
    CHECK_THAT(refused.error(), Catch::Contains(bad));
  }
}

TEST_CASE("the UI report lists the last frame's windows with their items and every error once", "[gui][ui_report]") {
  UiReport report;
  report.set_size(800, 600);
  report.begin_frame();
  report.begin_window("Old", true);
  report.end_window();

  report.begin_frame();
  report.begin_window("Tasks", true);
  report.text("main");
  report.item(2);
  report.begin_window("Popup", true);  // nested: items go to the innermost window
  report.text("inside");
  report.end_window();
  report.text("worker 1");
  report.end_window();
  report.begin_window("Collapsed", false);
  report.end_window();
  report.text("outside any window");  // not counted anywhere
  report.error("Could not open 'x'");
  report.error("Could not open 'x'");
  report.property("font", "DejaVuSans.ttf");

  const auto doc = nlohmann::json::parse(report.to_json());
  CHECK(doc.at("frames") == 2);
  CHECK(doc.at("size") == nlohmann::json::array({800, 600}));
  REQUIRE(doc.at("windows").size() == 3);
  const auto& tasks = doc.at("windows")[0];
  CHECK(tasks.at("name") == "Tasks");
  CHECK(tasks.at("visible") == true);
  CHECK(tasks.at("items") == 4);
  CHECK(tasks.at("texts") == nlohmann::json::array({"main", "worker 1"}));
  CHECK(doc.at("windows")[1].at("texts") == nlohmann::json::array({"inside"}));
  CHECK(doc.at("windows")[2].at("visible") == false);
  CHECK(doc.at("errors") == nlohmann::json::array({"Could not open 'x'"}));
  CHECK(doc.at("properties").at("font") == "DejaVuSans.ttf");
}

TEST_CASE("ui_report calls do nothing unless a report is installed, and reach it while it is", "[gui][ui_report]") {
  CHECK_FALSE(ui_report::active());
  ui_report::begin_window("Nobody listens", true);
  ui_report::end_window();

  UiReport report;
  {
    ui_report::Installed installed(report);
    CHECK(ui_report::active());
    report.begin_frame();
    ui_report::begin_window("Trace", true);
    ui_report::text("demo.altrace");
    ui_report::end_window();
  }
  CHECK_FALSE(ui_report::active());
  ui_report::error("after");
  REQUIRE(report.find_window("Trace") != nullptr);
  CHECK(report.find_window("Trace")->texts == std::vector<std::string>{"demo.altrace"});
  CHECK(report.find_window("Nobody listens") == nullptr);
  CHECK(report.errors().empty());
}

TEST_CASE("playback keys become commands unless a text field has the keyboard", "[gui][keys]") {
  PlaybackKeys space_and_right;
  space_and_right.space = true;
  space_and_right.right = true;
  const AppCommands c = commands_for(space_and_right, false);
  CHECK(c.play_pause);
  CHECK(c.step_forward);
  CHECK_FALSE(c.step_back);
  CHECK(describe(c) == "play / pause");

  PlaybackKeys home;
  home.home = true;
  CHECK(commands_for(home, false).jump_start);
  CHECK(describe(commands_for(home, false)) == "jump to start");

  // Shift turns Right and Left into the selected task's next and previous event.
  PlaybackKeys shift_right;
  shift_right.right = true;
  shift_right.shift = true;
  const AppCommands task_step = commands_for(shift_right, false);
  CHECK(task_step.task_forward);
  CHECK_FALSE(task_step.step_forward);
  CHECK(describe(task_step) == "the selected task's next event");
  PlaybackKeys shift_left = shift_right;
  shift_left.right = false;
  shift_left.left = true;
  CHECK(commands_for(shift_left, false).task_back);
  CHECK_FALSE(commands_for(shift_left, false).step_back);
  PlaybackKeys shift_alone;
  shift_alone.shift = true;
  CHECK_FALSE(commands_for(shift_alone, false).any());  // Shift alone does nothing

  CHECK_FALSE(commands_for(space_and_right, true).any());  // typing a path: space is a space
  CHECK_FALSE(commands_for(PlaybackKeys{}, false).any());
}

TEST_CASE("Shift+Right and Shift+Left move through the selected task's events; with none selected, one event",
          "[gui][keys]") {
  using asynclab::trace::Event;
  using asynclab::trace::EventKind;
  asynclab::trace::Trace t;
  const auto site = t.add_site({t.add_string("a"), 0});
  const auto site_b = t.add_site({t.add_string("b"), 0});
  t.push(Event{0, EventKind::task_spawned, 0, 0, 1, 0, site});    // 0: a
  t.push(Event{0, EventKind::task_spawned, 0, 0, 2, 1, site_b});  // 1: b
  t.push(Event{0, EventKind::poll_begin, 0, 0, 1, 0, 0});         // 2: a
  t.push(Event{0, EventKind::poll_end, 0, 0, 1, 0, 0});           // 3: a
  t.push(Event{0, EventKind::poll_begin, 0, 0, 2, 0, 0});         // 4: b
  t.push(Event{0, EventKind::poll_end, 0, 1, 2, 0, 0});           // 5: b, ready
  t.push(Event{0, EventKind::task_completed, 0, 0, 2, 0, 0});     // 6: b
  Shell shell;
  adopt_trace(shell, std::move(t), "two tasks");
  Playback& playback = shell.session->playback();
  playback.jump_start();
  const auto press = [&](bool forward) {
    shell.commands = AppCommands{};
    (forward ? shell.commands.task_forward : shell.commands.task_back) = true;
    advance_playback(shell, 0);
    return playback.cursor();
  };
  shell.session->selected_task = 2;
  CHECK(press(true) == 2);  // b's spawn is the current event
  CHECK(press(true) == 5);  // over a's poll, to b's poll_begin
  CHECK(press(true) == 6);
  CHECK(press(false) == 5);
  CHECK(press(false) == 2);
  shell.session->selected_task = 0;
  CHECK(press(true) == 3);  // nothing selected: one event
  CHECK(press(false) == 2);
}

TEST_CASE("a screenshot's rows are flipped from OpenGL's bottom-up order", "[gui][screenshot]") {
  // 1 pixel wide, 3 rows: red, green, blue from the bottom.
  std::vector<std::uint8_t> rgba{255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255};
  flip_rows(rgba, 1, 3);
  CHECK(rgba == std::vector<std::uint8_t>{0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255});
}
