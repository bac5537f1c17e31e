// The lessons in the GUI, run as CI runs them (under Xvfb): every lesson drawn at its first and last
// step — the screenshots are kept in the build folder's lesson-screenshots/ for a person to look at —
// and the lesson browser, a broken lesson, presentation mode with a lesson.
#include "gui/gui_lesson_checks.hpp"

using namespace asynclab::testing;

TEST_CASE("asynclab gui --lessons (the main job with a display) opens at the lesson browser", "[gui][lessons]") {
  const fs::path json = scratch() / "browser.json";
  const Run r = run_gui("gui --lessons --ui-report " + quoted(json) + " --frames 3", lesson_state_env("browser"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("errors").empty());
  const nlohmann::json* browser = window_named(report, "Lessons");
  REQUIRE(browser != nullptr);
  CHECK(browser->at("visible") == true);
  for (const char* title : {"01  Why async", "08  join!", "18  When not to use async"}) {
    CAPTURE(title);
    CHECK(lists_text(*browser, title));
  }
  CHECK(lists_text(*browser, "0 of 18 lessons done"));
}

TEST_CASE("an unknown lesson is an error in the window, and the browser opens to pick another", "[gui][lessons]") {
  const fs::path json = scratch() / "unknown.json";
  const Run r = run_gui("gui --lesson nowhere --ui-report " + quoted(json) + " --frames 3",
                             lesson_state_env("unknown"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  REQUIRE(report.at("errors").size() == 1);
  CHECK(report.at("errors")[0] == "There is no lesson 'nowhere' (the Lessons window lists them).");
  CHECK(window_named(report, "Lessons") != nullptr);
}

TEST_CASE("a lesson's steps are remembered: the browser marks a lesson done once its last step was shown",
          "[gui][lessons]") {
  const std::string env = lesson_state_env("progress");
  REQUIRE(run_gui("gui --lesson 08 --step 3 --frames 2 --ui-report " + quoted(scratch() / "p1.json"), env)
              .status == 0);
  const fs::path json = scratch() / "p2.json";
  REQUIRE(run_gui("gui --lessons --frames 2 --ui-report " + quoted(json), env).status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  const nlohmann::json* browser = window_named(report, "Lessons");
  REQUIRE(browser != nullptr);
  CHECK(lists_text(*browser, "1 of 18 lessons done"));
}

TEST_CASE("presentation mode shows a lesson beside the timeline, with the window its step asks for", "[gui][lessons]") {
  const fs::path png = scratch() / "present-lesson.png";
  const fs::path json = scratch() / "present-lesson.json";
  const Run r = run_gui("gui --present --lesson 15 --step 2 --screenshot " + quoted(png) + " --ui-report " +
                                 quoted(json) + " --size 1600x1000",
                             lesson_state_env("present"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  CHECK(report.at("properties").at("mode") == "presentation");
  for (const char* name : {"Lesson", "Playback", "Timeline"}) {
    CAPTURE(name);
    REQUIRE(window_named(report, name) != nullptr);
  }
  CHECK(window_named(report, "Tasks") == nullptr);  // a classroom screen shows only what the step needs
}

TEST_CASE("the Resources window labels a channel's tokens with the values they carry", "[gui][lessons]") {
  // Lesson 12, step 1: channel "messages" holds producer 1's strings, main's already taken.
  const fs::path png = scratch() / "channel-values.png";
  const fs::path json = scratch() / "channel-values.json";
  const Run r = run_gui("gui --lesson 12 --step 1 --frames 3 --size 1600x1000 --screenshot " + quoted(png) +
                                 " --ui-report " + quoted(json),
                             lesson_state_env("channel-values"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  const nlohmann::json* resources = window_named(report, "Resources");
  REQUIRE(resources != nullptr);
  INFO(resources->dump());
  CHECK(lists_text(*resources, "\"message 1 from producer "));  // quoted, whole: up to 32 characters
  CHECK_FALSE(lists_text(*resources, "hello from main"));        // received before this step: not in the buffer
}

TEST_CASE("a broken lesson is shown as an error in the window, and the GUI still exits 0", "[gui][lessons]") {
  const fs::path dir = scratch() / "broken-lessons";
  fs::create_directories(dir / "08-join");
  std::ofstream(dir / "08-join" / "lesson.md") << "---\nid: 08\ntitle: T\nseeds: C\n---\n## Step\n<!-- focus: window=\"Nowhere\" -->\n";
  const fs::path json = scratch() / "broken.json";
  const Run r = run_gui("gui --lesson 08 --frames 3 --ui-report " + quoted(json),
                             lesson_state_env("broken") + " ASYNCLAB_LESSONS_DIR=" + quoted(dir));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  REQUIRE(report.at("errors").size() == 1);
  CHECK_THAT(report.at("errors")[0].get<std::string>(),
             Catch::Contains("Lesson 08-join cannot be loaded:") && Catch::Contains("08-join/lesson.md:7: focus takes"));
}
