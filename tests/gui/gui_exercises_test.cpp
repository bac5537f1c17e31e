// The Exercises window under Xvfb: the list, the README, and a check run in the background — the
// frames keep coming while the grader builds and runs, and the verdict appears in the window.
#include <algorithm>
#include <utility>
#include <vector>

#include "gui/gui_lesson_checks.hpp"

using namespace asynclab::testing;

TEST_CASE("the Exercises window checks an exercise in the background and shows the verdict", "[gui][grade]") {
  const fs::path json = scratch() / "exercises.json";
  const fs::path png = scratch() / "exercises.png";
  const Run r = run_gui("gui --check 04 --frames 3 --screenshot " + quoted(png) + " --ui-report " + quoted(json),
                             lesson_state_env("exercises"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  CHECK(report.at("frames").get<int>() >= 3);
  const nlohmann::json* window = window_named(report, "Exercises");
  REQUIRE(window != nullptr);
  CHECK(lists_text(*window, "04  join three pages, each with its image"));
  CHECK(lists_text(*window, "Exercise 04 — join three pages, each with its image"));  // the README, rendered
  CHECK(lists_text(*window, "✗ 04 — failed"));
  CHECK(lists_text(*window, "✓ [task_1]"));
  CHECK(lists_text(*window, "✗ [task_2]"));
  CHECK(lists_text(*window, "the run ended at 1040 ms"));
  CHECK(colours_in(png).distinct >= 16);
}

TEST_CASE("on a projector the checks' names wrap, and exercise titles the list cuts are reported",
          "[gui][grade]") {
  const fs::path json = scratch() / "exercises-present.json";
  const Run r = run_gui("gui --check 04 --present --size 1280x720 --frames 3 --ui-report " + quoted(json),
                        lesson_state_env("exercises-present"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  const nlohmann::json* window = window_named(report, "Exercises");
  REQUIRE(window != nullptr);
  INFO(window->dump());
  // Every check's whole name is on screen (they were cut at the window's right edge).
  for (const char* check : {"✓ [task_1]", "✗ [task_2]", "✗ [task_3]"}) {
    CAPTURE(check);
    CHECK(lists_text(*window, check));
    for (const auto& cut : window->at("clipped"))
      CHECK(cut.get<std::string>().find(check) == std::string::npos);
  }
  // The list is a third of the window: long titles are cut there (whole on hover), and say so.
  CHECK(lists_clipped(*window, "   01  lazy: texts go out"));
  CHECK_FALSE(lists_clipped(*window, "   07  spawn and do other work"));
}

TEST_CASE("Show my run draws the learner's run and the reference run as two groups of lanes on one clock",
          "[gui][grade]") {
  // Exercise 04 as shipped awaits its six fetches one after another; the reference joins three
  // branches, each a page then its image.
  const fs::path json = scratch() / "show-my-run.json";
  const fs::path png = scratch() / "show-my-run.png";
  const Run r = run_gui("gui --check 04 --show-my-run --screenshot " + quoted(png) + " --ui-report " + quoted(json),
                        lesson_state_env("show-my-run"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const auto& timeline = report.at("timeline");
  CHECK(timeline.at("axis") == "time");  // two runs' event numbers mean nothing side by side
  std::vector<std::pair<double, double>> yours, reference;
  double yours_end = 0, reference_end = 0;
  for (const auto& lane : timeline.at("lanes")) {
    const std::string group = lane.at("group");
    REQUIRE((group == "yours" || group == "beside"));
    const auto span = std::pair(lane.at("first_ms").get<double>(), lane.at("last_ms").get<double>());
    if (lane.at("kind") == "request") (group == "yours" ? yours : reference).push_back(span);
    if (lane.at("kind") == "task" && lane.at("label") == "main") (group == "yours" ? yours_end : reference_end) = span.second;
  }
  REQUIRE(yours.size() == 6);
  REQUIRE(reference.size() == 6);
  // Yours: a staircase, each request starting when the one before answered.
  std::ranges::sort(yours);
  for (std::size_t i = 1; i < yours.size(); ++i) CHECK(yours[i - 1].second <= yours[i].first);
  // The reference's: the three pages in flight at once from 0 ms, each image after its page.
  CHECK(std::ranges::count_if(reference, [](const auto& span) { return span.first == 0.0; }) == 3);
  CHECK(reference_end < yours_end);
  // One axis: the visible range holds the longer run, so the shorter looks shorter.
  CHECK(timeline.at("begin_ms").get<double>() <= 0.0);
  CHECK(timeline.at("end_ms").get<double>() >= yours_end);
  // The headings say which run is which, and the first difference in words.
  const nlohmann::json* window = window_named(report, "Timeline");
  REQUIRE(window != nullptr);
  CHECK(lists_text(*window, "Your run"));
  CHECK(lists_text(*window, "Reference run (the solution)"));
  CHECK(lists_text(*window, "your 6 requests ran one after another; the reference's overlapped (3 at once)"));
  CHECK(colours_in(png).distinct >= 16);
}

TEST_CASE("the API window shows the entry gui --doc names: its table in C++ and Rust names, and the list",
          "[gui][doc]") {
  const fs::path json = scratch() / "api-window.json";
  const fs::path png = scratch() / "api-window.png";
  const Run r = run_gui("gui --doc mpsc::Receiver --screenshot " + quoted(png) + " --ui-report " + quoted(json),
                        lesson_state_env("api-window"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const nlohmann::json* window = window_named(report, "API");
  REQUIRE(window != nullptr);
  CHECK(lists_text(*window, "JoinHandle<T>"));                      // the list
  CHECK(lists_text(*window, "sync::mpsc::Receiver<T>"));            // the entry's heading
  CHECK(lists_text(*window, "In a terminal: asynclab doc sync::mpsc::Receiver"));
  CHECK(window_named(report, "Welcome") == nullptr);  // the window asked for is the start
  CHECK(colours_in(png).distinct >= 8);

  const Run unknown = run_gui("gui --doc nothing-like-it --frames 2 --ui-report " + quoted(json),
                              lesson_state_env("api-window-unknown"));
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--doc: no entry called 'nothing-like-it'"));
  const Run several = run_gui("gui --doc Sender --frames 2 --ui-report " + quoted(json),
                              lesson_state_env("api-window-several"));
  CHECK(several.status == 2);
  CHECK_THAT(several.err, Catch::Contains("'Sender' names") && Catch::Contains("sync::oneshot::Sender<T>"));
}
