// The Exercises window under Xvfb: the list, the README, and a check run in the background — the
// frames keep coming while the grader builds and runs, and the verdict appears in the window.
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
  CHECK(lists_text(*window, "04  join three fetches"));
  CHECK(lists_text(*window, "Exercise 04 — join three fetches"));  // the README, rendered
  CHECK(lists_text(*window, "✗ 04 — failed"));
  CHECK(lists_text(*window, "✓ [task_1]"));
  CHECK(lists_text(*window, "✗ [task_2]"));
  CHECK(lists_text(*window, "the run ended at 600 ms"));
  CHECK(colours_in(png).distinct >= 16);
}
