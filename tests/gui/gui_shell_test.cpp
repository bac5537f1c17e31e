// The GUI shell's plain-data parts, without a window: the --size parser, the UI report, the playback
// keys, dropped files and the screenshot's row flip.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/gui_app.hpp"
#include "app/playback_keys.hpp"
#include "app/screenshot.hpp"
#include "app/shell.hpp"
#include "view/ui_report.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/trace/file.hpp"
#include "support/process.hpp"

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

TEST_CASE("Shift+Right and Shift+Left move through the selected task's events, with none selected, one event",
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

namespace {

// A saved trace of `tasks` tasks, each spawned, polled once and done.
std::filesystem::path saved_trace(const std::string& name, std::uint32_t tasks) {
  using asynclab::trace::Event;
  using asynclab::trace::EventKind;
  asynclab::trace::Trace t;
  const auto site = t.add_site({t.add_string("task"), 0});
  for (std::uint32_t id = 1; id <= tasks; ++id) {
    t.push(Event{0, EventKind::task_spawned, 0, 0, id, 0, site});
    t.push(Event{0, EventKind::poll_begin, 0, 0, id, 0, 0});
    t.push(Event{0, EventKind::poll_end, 0, 1, id, 0, 0});
    t.push(Event{0, EventKind::task_completed, 0, 0, id, 0, 0});
  }
  const std::filesystem::path path = asynclab::testing::scratch() / name;
  REQUIRE(asynclab::trace::save(t, path).has_value());
  return path;
}

// Drops `paths` on the window the way GLFW's drop callback does, and runs the next frame's open.
void drop(Shell& shell, const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> texts;
  for (const auto& p : paths) texts.push_back(p.string());
  std::vector<const char*> argv;
  for (const auto& t : texts) argv.push_back(t.c_str());
  queue_dropped(shell, static_cast<int>(argv.size()), argv.data());
  CHECK(shell.dropped.size() == paths.size());
  open_dropped(shell);
  CHECK(shell.dropped.empty());
}

}  // namespace

TEST_CASE("files dropped on the window open in turn, the last good one stays open and each failure is listed",
          "[gui][drop]") {
  const auto one = saved_trace("one-task.altrace", 1);
  const auto three = saved_trace("three-tasks.altrace", 3);
  const auto garbage = asynclab::testing::scratch() / "dropped-garbage.altrace";
  std::ofstream(garbage) << "this is not a trace, just words";
  const auto missing = asynclab::testing::scratch() / "no-such-file.altrace";

  Shell shell;
  shell.open_trace = load_into(shell);

  SECTION("one good file opens, at its end, with no error") {
    drop(shell, {three});
    REQUIRE(shell.session != nullptr);
    CHECK(shell.trace_path == three);
    CHECK(shell.session->trace().size() == 12);
    CHECK(shell.session->playback().at_end());
    CHECK(shell.error.empty());
    CHECK_FALSE(shell.show_error_dialog);
  }
  SECTION("several good files: the last one stays open") {
    drop(shell, {three, one});
    REQUIRE(shell.session != nullptr);
    CHECK(shell.trace_path == one);
    CHECK(shell.session->trace().size() == 4);
    CHECK_FALSE(shell.show_error_dialog);
  }
  SECTION("a bad file before a good one: the good one opens and the bad one's error is still shown") {
    drop(shell, {garbage, one});
    REQUIRE(shell.session != nullptr);
    CHECK(shell.trace_path == one);
    CHECK(shell.show_error_dialog);
    CHECK_THAT(shell.error, Catch::Contains("dropped-garbage.altrace") && Catch::Contains("not a trace"));
    CHECK_THAT(shell.error_note, Catch::Contains("1 of the dropped files opened"));
  }
  SECTION("nothing good: the open trace stays, and every failure is listed on its own line") {
    drop(shell, {one});
    const Session* before = shell.session.get();
    REQUIRE(before != nullptr);
    drop(shell, {garbage, missing});
    CHECK(shell.session.get() == before);
    CHECK(shell.trace_path == one);
    CHECK(shell.show_error_dialog);
    CHECK_THAT(shell.error, Catch::Contains("dropped-garbage.altrace") && Catch::Contains("no-such-file.altrace"));
    CHECK(std::count(shell.error.begin(), shell.error.end(), '\n') == 1);
    CHECK_THAT(shell.error_note, Catch::Contains("Nothing was opened"));
  }
  SECTION("a good open after a failed one clears the error and the dialog it had queued") {
    drop(shell, {missing});
    CHECK(shell.show_error_dialog);
    CHECK(shell.session == nullptr);
    drop(shell, {three});
    CHECK(shell.error.empty());
    CHECK_FALSE(shell.show_error_dialog);
    CHECK(shell.trace_path == three);
  }
  SECTION("a frame with nothing dropped changes nothing") {
    drop(shell, {missing});
    const std::string error = shell.error;
    open_dropped(shell);
    CHECK(shell.error == error);
    CHECK(shell.show_error_dialog);
  }
}

TEST_CASE("a screenshot's rows are flipped from OpenGL's bottom-up order", "[gui][screenshot]") {
  // 1 pixel wide, 3 rows: red, green, blue from the bottom.
  std::vector<std::uint8_t> rgba{255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255};
  flip_rows(rgba, 1, 3);
  CHECK(rgba == std::vector<std::uint8_t>{0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255});
}
