// The lessons in the GUI, run as CI runs them (under Xvfb): every lesson drawn at its first and last
// step — the screenshots are kept in the build folder's lesson-screenshots/ for a person to look at —
// and the lesson browser, a broken lesson, presentation mode with a lesson.
#include <algorithm>
#include <vector>

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

TEST_CASE("an unknown lesson is an error in the window, and the browser opens to pick another, an output run "
          "fails with the message on stderr", "[gui][lessons]") {
  const fs::path json = scratch() / "unknown.json";
  const Run r = run_gui("gui --lesson nowhere --ui-report " + quoted(json) + " --frames 3",
                             lesson_state_env("unknown"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("asynclab gui: There is no lesson 'nowhere'"));
  const auto report = nlohmann::json::parse(slurp(json));
  REQUIRE(report.at("errors").size() == 1);
  CHECK(report.at("errors")[0] == "There is no lesson 'nowhere' (the Lessons window lists them).");
  CHECK(window_named(report, "Lessons") != nullptr);
}

TEST_CASE("a screenshot or report of a lesson's last step does not mark the lesson done", "[gui][lessons]") {
  // Nobody read it: a script drew it. (An interactive window saves progress as each step is shown.)
  const std::string env = lesson_state_env("progress");
  REQUIRE(run_gui("gui --lesson 08 --step 3 --frames 2 --screenshot " + quoted(scratch() / "p1.png") +
                      " --ui-report " + quoted(scratch() / "p1.json"),
                  env)
              .status == 0);
  const fs::path json = scratch() / "p2.json";
  REQUIRE(run_gui("gui --lessons --frames 2 --ui-report " + quoted(json), env).status == 0);
  const auto report = nlohmann::json::parse(slurp(json));
  const nlohmann::json* browser = window_named(report, "Lessons");
  REQUIRE(browser != nullptr);
  CHECK(lists_text(*browser, "0 of 18 lessons done"));
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

TEST_CASE("a broken lesson is shown as an error in the window, and an output run fails with it on stderr",
          "[gui][lessons]") {
  const fs::path dir = scratch() / "broken-lessons";
  fs::create_directories(dir / "08-join");
  std::ofstream(dir / "08-join" / "lesson.md") << "---\nid: 08\ntitle: T\nseeds: C\n---\n## Step\n<!-- focus: window=\"Nowhere\" -->\n";
  const fs::path json = scratch() / "broken.json";
  const Run r = run_gui("gui --lesson 08 --frames 3 --ui-report " + quoted(json),
                             lesson_state_env("broken") + " ASYNCLAB_LESSONS_DIR=" + quoted(dir));
  INFO(r.out << r.err);
  REQUIRE(r.status == 1);  // as `asynclab run 08` on the same folder
  CHECK_THAT(r.err, Catch::Contains("asynclab gui: Lesson 08-join cannot be loaded:"));
  const auto report = nlohmann::json::parse(slurp(json));
  REQUIRE(report.at("errors").size() == 1);
  CHECK_THAT(report.at("errors")[0].get<std::string>(),
             Catch::Contains("Lesson 08-join cannot be loaded:") && Catch::Contains("08-join/lesson.md:7: focus takes"));
}

namespace {

// The timeline's lanes of `kind` in a UI report.
std::vector<nlohmann::json> lanes_of(const nlohmann::json& report, std::string_view kind) {
  std::vector<nlohmann::json> out;
  for (const auto& lane : report.at("timeline").at("lanes"))
    if (lane.at("kind") == kind) out.push_back(lane);
  return out;
}

bool overlap(const nlohmann::json& a, const nlohmann::json& b) {
  return a.at("first_ms").get<double>() < b.at("last_ms").get<double>() &&
         b.at("first_ms").get<double>() < a.at("last_ms").get<double>();
}

}  // namespace

TEST_CASE("the timeline shows what happens inside a task: lesson 08's staircase and join, lesson 10's cut "
          "branch, lesson 15's locks and cycle",
          "[gui][lessons]") {
  const std::string env = lesson_state_env("inside");
  const fs::path json = scratch() / "inside-08.json";
  REQUIRE(run_gui("gui --lesson 08 --every-step --ui-report " + quoted(json), env).status == 0);
  for (const auto& [step, concurrent] : {std::pair{1, false}, std::pair{2, true}}) {
    CAPTURE(step);
    const auto report = nlohmann::json::parse(slurp(scratch() / fmt::format("inside-08.step{}.json", step)));
    const auto requests = lanes_of(report, "request");
    REQUIRE(requests.size() == 3);
    for (const auto& r : requests) {
      CHECK(r.at("parent") == "main");
      CHECK(r.at("end") == "done");
      CHECK(r.at("on_screen") == true);
    }
    const bool any = overlap(requests[0], requests[1]) || overlap(requests[1], requests[2]) || overlap(requests[0], requests[2]);
    CHECK(any == concurrent);
    if (concurrent) CHECK(lanes_of(report, "future").size() == 3);  // join!'s three branches
    // Both runs on one axis: the 500 ms join looks half as long as the 1000 ms staircase.
    CHECK(report.at("timeline").at("end_ms").get<double>() >= 1000.0);
  }

  const fs::path select = scratch() / "inside-10.json";
  REQUIRE(run_gui("gui --lesson 10 --step 2 --ui-report " + quoted(select), env).status == 0);
  const auto report10 = nlohmann::json::parse(slurp(select));
  const auto branches = lanes_of(report10, "future");
  const auto winner = std::ranges::find_if(branches, [](const auto& l) { return l.at("end") == "done"; });
  const auto loser = std::ranges::find_if(branches, [](const auto& l) { return l.at("end") == "cancelled"; });
  REQUIRE(winner != branches.end());
  REQUIRE(loser != branches.end());
  CHECK(loser->at("last_ms").get<double>() == Approx(winner->at("last_ms").get<double>()));
  CHECK(loser->at("last_ms").get<double>() == Approx(300.0));  // mirror a answered at 300 ms
  CHECK(report10.at("timeline").at("end_ms").get<double>() < 400.0);  // the step's race, not the whole run

  const fs::path deadlock = scratch() / "inside-15.json";
  REQUIRE(run_gui("gui --lesson 15 --step 3 --ui-report " + quoted(deadlock), env).status == 0);
  const auto report15 = nlohmann::json::parse(slurp(deadlock));
  const auto locks = lanes_of(report15, "lock");
  CHECK(locks.size() == 4);  // each chef: the lock it holds, the lock it waits for
  const nlohmann::json* warnings = window_named(report15, "Warnings");
  REQUIRE(warnings != nullptr);
  for (const char* node : {"chef 1", "chef 2", "board", "knife"}) {
    CAPTURE(node);
    CHECK(lists_text(*warnings, node));
  }
  CHECK(lists_text(*warnings, "chef 1 → board → chef 2 → knife → chef 1"));
  CHECK(lists_text(*warnings, "main awaits the JoinHandle of chef 1, which cannot finish"));
}
