// `asynclab grade`, `hint` and `reset` as a learner (and a teacher's platform) runs them. The graders
// are built by the test build already (tests/CMakeLists.txt), so `grade` finds nothing to rebuild.
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/interactive_process.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"

using namespace asynclab::testing;
namespace fs = std::filesystem;

namespace {

std::string grade_env(std::string_view name) {
  const fs::path dir = scratch() / "grade-state" / std::string(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return "env ASYNCLAB_STATE_DIR=" + quoted(dir);
}

}  // namespace

TEST_CASE("asynclab grade without a name grades the current exercise, the first not done", "[cli][grade]") {
  const std::string env = grade_env("current");
  Run r = run_asynclab("grade --color never </dev/null", env);
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::StartsWith("✗ 01 "));
  CHECK_THAT(r.out, Catch::Contains("0 of 16 exercises done. Next: 01 "));
}

TEST_CASE("asynclab grade without a name grades the exercise saved since the last grade, when one stands out",
          "[cli][grade]") {
  // A copy of the exercises' folders (what the catalog lists and reads), so file times can be set.
  const fs::path exercises = scratch() / "edited-exercises";
  fs::remove_all(exercises);
  fs::copy(fs::path(ASYNCLAB_SOURCE_DIR) / "exercises", exercises, fs::copy_options::recursive);
  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  for (const auto& entry : fs::directory_iterator(exercises))
    if (fs::exists(entry.path() / "exercise.cpp")) fs::last_write_time(entry.path() / "exercise.cpp", long_ago);
  const fs::path state = scratch() / "grade-state" / "edited";
  fs::remove_all(state);
  fs::create_directories(state);
  const std::string env = "env ASYNCLAB_STATE_DIR=" + quoted(state) + " ASYNCLAB_EXERCISES_DIR=" + quoted(exercises);

  // Before any grade, the first not done, whatever was saved.
  fs::last_write_time(exercises / "04-join-fetches" / "exercise.cpp", fs::file_time_type::clock::now());
  Run first = run_asynclab("grade --color never </dev/null", env);
  INFO(first.out << first.err);
  CHECK_THAT(first.out, Catch::StartsWith("✗ 01 "));

  // After a grade (the progress file is written), 04 saved later than it and than the rest: 04.
  fs::last_write_time(state / "progress.json", fs::file_time_type::clock::now() - std::chrono::hours(1));
  Run edited = run_asynclab("grade --color never </dev/null", env);
  INFO(edited.out << edited.err);
  CHECK_THAT(edited.out, Catch::StartsWith("Grading 04, the exercise you saved last (the next in order is 01: "
                                           "asynclab grade 01)."));
  CHECK_THAT(edited.out, Catch::Contains("✗ 04 "));

  // Saved before the last grade: back to the first not done.
  fs::last_write_time(state / "progress.json", fs::file_time_type::clock::now() + std::chrono::minutes(1));
  Run after = run_asynclab("grade --color never </dev/null", env);
  CHECK_THAT(after.out, Catch::StartsWith("✗ 01 "));
}

TEST_CASE("asynclab grade of an exercise as shipped fails, saying what was observed and where to look",
          "[cli][grade]") {
  const std::string env = grade_env("shipped");
  Run r = run_asynclab("grade 04 --color never </dev/null", env);
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Contains("✗ 04 join three pages, each with its image — failed, 1 of 3 graded points"));
  CHECK_THAT(r.out, Catch::Contains("[task_2]"));
  CHECK_THAT(r.out, Catch::Contains("the pages were requested at 0 ms, 350 ms and 700 ms"));
  CHECK_THAT(r.out, Catch::Contains("expected: the three pages requested together at 0 ms"));
  CHECK_THAT(r.out, Catch::Contains("look at: exercise.cpp"));
  CHECK_THAT(r.out, Catch::Contains("asynclab hint 04"));
  CHECK_THAT(r.out, Catch::Contains("your run: asynclab gui --trace"));
  CHECK_THAT(r.out, Catch::Contains("0 of 16 exercises done. Next: 01 "));
  // The learner's own run is saved, and it is a trace the tools open.
  const auto at = r.out.find("--trace ");
  REQUIRE(at != std::string::npos);
  const std::string trace = r.out.substr(at + 8, r.out.find('\n', at) - at - 8);
  Run info = run_asynclab("trace info " + quoted(fs::path(trace)) + " --no-timeline");
  INFO(info.err);
  CHECK(info.status == 0);
  CHECK_THAT(info.out, Catch::Contains("main"));
}

TEST_CASE("asynclab grade writes Exercism, Gradescope and GitHub Classroom results files", "[cli][grade]") {
  const std::string env = grade_env("formats");
  const fs::path exercism = scratch() / "results-exercism.json";
  Run r = run_asynclab("grade 04 --format exercism -o " + quoted(exercism), env);
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  std::ifstream in(exercism);
  const auto results = nlohmann::json::parse(in);
  CHECK(results.at("version") == 3);
  CHECK(results.at("status") == "fail");
  REQUIRE(results.at("tests").size() == 3);
  for (const auto& t : results.at("tests")) {
    CHECK(t.contains("name"));
    CHECK(t.contains("status"));
    CHECK(t.at("test_code").get<std::string>().starts_with("TEST_CASE("));
    CHECK(t.at("task_id").is_number_integer());
  }
  CHECK(results.at("tests")[0].at("status") == "pass");
  CHECK(results.at("tests")[1].at("status") == "fail");
  CHECK_THAT(results.at("tests")[1].at("message").get<std::string>(), Catch::Contains("350 ms and 700 ms"));

  // Two exercises in one file: their task ids do not collide (04's are 1-3, 05's follow).
  Run both = run_asynclab("grade 04 05 --format exercism", env);
  INFO(both.err);
  const auto two = nlohmann::json::parse(both.out);
  std::set<int> task_ids;
  for (const auto& t : two.at("tests")) CHECK(task_ids.insert(t.at("task_id").get<int>()).second);
  CHECK(task_ids.size() == two.at("tests").size());
  CHECK(*task_ids.begin() == 1);

  Run gradescope = run_asynclab("grade 04 --format gradescope", env);
  const auto gs = nlohmann::json::parse(gradescope.out);
  CHECK(gs.at("score") == 1);
  CHECK(gs.at("max_score") == 3);
  CHECK(gs.at("tests").size() == 3);

  Run classroom = run_asynclab("grade 04 --format classroom", env);
  const auto gc = nlohmann::json::parse(classroom.out);
  CHECK(gc.at("version") == 1);
  CHECK(gc.at("status") == "fail");
  CHECK(gc.at("max_score") == 3);
  CHECK(gc.at("tests")[0].at("score") == 1);
}

TEST_CASE("asynclab hint shows one more hint each time, then says it was the last", "[cli][grade]") {
  const std::string env = grade_env("hints");
  Run first = run_asynclab("hint 04", env);
  CHECK(first.status == 0);
  CHECK_THAT(first.out, Catch::Contains("Hint 1 of 3 (new)"));
  CHECK(first.out.find("Hint 2") == std::string::npos);
  Run second = run_asynclab("hint 4", env);
  CHECK_THAT(second.out, Catch::Contains("Hint 1 of 3\n") && Catch::Contains("Hint 2 of 3 (new)"));
  Run third = run_asynclab("hint join-fetches", env);
  CHECK_THAT(third.out, Catch::Contains("Hint 3 of 3 (new)") && Catch::Contains("That was the last hint."));
  // Asked again, nothing is new: no hint is marked so, and it says they are all there.
  Run again = run_asynclab("hint 04", env);
  CHECK_THAT(again.out, !Catch::Contains("(new)") && Catch::Contains("Those are all 3 hints."));
}

TEST_CASE("the commands asynclab suggests read the way the learner started it (scripts/run.sh sets "
          "ASYNCLAB_INVOKED_AS)",
          "[cli][grade]") {
  const std::string env = grade_env("invoked-as") + " ASYNCLAB_INVOKED_AS=scripts/run.sh";
  Run hint = run_asynclab("hint 04", env);
  CHECK_THAT(hint.out, Catch::Contains("Run scripts/run.sh hint 04 again for the next one."));
  CHECK_THAT(hint.out, !Catch::Contains("asynclab hint"));
  Run graded = run_asynclab("grade 04 --color never </dev/null", env);
  CHECK_THAT(graded.out, Catch::Contains("your run: scripts/run.sh gui --trace "));
  CHECK_THAT(graded.out, Catch::Contains("stuck? scripts/run.sh hint 04"));
  CHECK_THAT(graded.out, !Catch::Contains("asynclab hint") && !Catch::Contains("asynclab gui"));
  // The lesson list says how to start one the same way.
  Run lessons = run_asynclab("lessons", env);
  CHECK_THAT(lessons.out, Catch::Contains("Start one with: scripts/run.sh run ID  (or scripts/run.sh gui --lesson ID)"));
  // Not set, or set to something that is no command, the name is asynclab's own.
  Run plain = run_asynclab("hint 04", grade_env("invoked-as-plain") + " ASYNCLAB_INVOKED_AS=");
  CHECK_THAT(plain.out, Catch::Contains("asynclab hint 04 again"));
}

TEST_CASE("grade, hint and reset name a missing exercise in one line and exit 2", "[cli][grade]") {
  const std::string env = grade_env("missing");
  Run g = run_asynclab("grade 99", env);
  CHECK(g.status == 2);
  CHECK_THAT(g.err, Catch::StartsWith("asynclab grade: no exercise '99' (they are: "));
  Run h = run_asynclab("hint nope", env);
  CHECK(h.status == 2);
  CHECK(h.err == "asynclab hint: no exercise 'nope'\n");
  Run r = run_asynclab("reset nope", env);
  CHECK(r.status == 2);
}

TEST_CASE("a corrupt progress file met by hint is kept aside and said so, not moved without a word", "[cli][grade]") {
  const fs::path dir = scratch() / "grade-state" / "corrupt-hint";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "progress.json") << "{\"exercises\": ";
  Run r = run_asynclab("hint 04", "env ASYNCLAB_STATE_DIR=" + quoted(dir));
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("was not valid JSON; it was kept as") && Catch::Contains("progress.json.corrupt"));
  CHECK(fs::exists(dir / "progress.json.corrupt"));
}

TEST_CASE("a wrong limit is a usage error naming it", "[cli][grade]") {
  const std::string env = grade_env("limits");
  Run r = run_asynclab("grade 04 --memory lots", env);
  CHECK(r.status == 2);
  CHECK(r.err == "asynclab grade: --memory must be a size of at least 64 MiB such as 2G, 512M or 64k, not 'lots'\n");
  Run f = run_asynclab("grade 04 --limits /nonexistent/limits.conf", env);
  CHECK(f.status == 2);
  CHECK_THAT(f.err, Catch::Contains("the limits file /nonexistent/limits.conf is not a file that can be read"));
}

TEST_CASE("asynclab reset asks first, and leaves an exercise as shipped alone", "[cli][grade]") {
  const std::string env = grade_env("reset");
  Run untouched = run_asynclab("reset 04 </dev/null", env);
  INFO(untouched.out << untouched.err);
  CHECK(untouched.status == 0);
  CHECK_THAT(untouched.out, Catch::Contains("is already as shipped"));
}

TEST_CASE("exercises/shipped.txt names every exercise.cpp as it is in the tree, so reset restores this version",
          "[cli][grade]") {
  // A course update that changes an exercise must change its line too: reset restores what the line
  // names, neither HEAD's version (a learner's commit) nor the first one git saw (the old exercise).
  const fs::path root = fs::path(ASYNCLAB_SOURCE_DIR);
  std::map<std::string, std::string> listed;
  std::istringstream lines(slurp(root / "exercises" / "shipped.txt"));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.front() != '#') {
      std::istringstream words(line);
      std::string folder, blob;
      words >> folder >> blob;
      listed[folder] = blob;
    }
  std::size_t exercises = 0;
  for (const auto& entry : fs::directory_iterator(root / "exercises")) {
    const fs::path file = entry.path() / "exercise.cpp";
    if (!fs::exists(file)) continue;
    ++exercises;
    const std::string folder = entry.path().filename().string();
    Run hashed = run_command("git -C " + quoted(root) + " hash-object " + quoted(file));
    REQUIRE(hashed.status == 0);
    INFO(folder << ": update its line in exercises/shipped.txt (the command is at its top)");
    CHECK(listed[folder] == hashed.out.substr(0, hashed.out.find('\n')));
  }
  CHECK(exercises == 16);
  CHECK(listed.size() == exercises);
}

TEST_CASE("progress is honest: a failing grade is never followed by 'well done', and reset takes the done mark away",
          "[cli][grade]") {
  const fs::path dir = scratch() / "grade-state" / "honest";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string env = "env ASYNCLAB_STATE_DIR=" + quoted(dir);
  // Every exercise passed once (a learner who then edits 04 back to its shipped, failing, shape).
  nlohmann::json progress = {{"exercises", nlohmann::json::object()}};
  for (const auto& entry : fs::directory_iterator(fs::path(ASYNCLAB_SOURCE_DIR) / "exercises"))
    if (entry.is_directory() && std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])) &&
        fs::exists(entry.path() / "grade.cpp"))
      progress["exercises"][entry.path().filename().string()] = {{"done", true}, {"attempts", 1}};
  REQUIRE(progress["exercises"].size() == 16);
  std::ofstream(dir / "progress.json") << progress.dump();

  Run graded = run_asynclab("grade 04 --color never </dev/null", env);
  INFO(graded.out << graded.err);
  CHECK(graded.status == 1);
  CHECK_THAT(graded.out, Catch::Contains("16 of 16 exercises done."));
  CHECK_THAT(graded.out, !Catch::Contains("well done"));
  CHECK_THAT(graded.out, Catch::Contains("but 04 fails now"));

  // reset on a file as shipped still starts the exercise over: it is no longer done.
  Run reset = run_asynclab("reset 04 </dev/null", env);
  INFO(reset.out << reset.err);
  CHECK(reset.status == 0);
  CHECK_THAT(reset.out, Catch::Contains("04 is no longer marked done"));
  const auto after = nlohmann::json::parse(slurp(dir / "progress.json"));
  CHECK_FALSE(after.at("exercises").at("04-join-fetches").value("done", false));
  CHECK(after.at("exercises").at("01-lazy").value("done", false));
  Run watch = run_asynclab("grade --watch --color never", "printf 'q' | " + env);
  CHECK_THAT(watch.out, !Catch::Contains("nothing to watch"));
  CHECK_THAT(watch.out, Catch::Contains("── grading 04 "));
}

TEST_CASE("asynclab solution shows the reference only once the exercise is done", "[cli][grade]") {
  const fs::path dir = scratch() / "grade-state" / "solution";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string env = "env ASYNCLAB_STATE_DIR=" + quoted(dir);
  const std::string reference = slurp(fs::path(ASYNCLAB_SOURCE_DIR) / "exercises" / "grading" / "solutions" / "04-join-fetches.cpp");
  REQUIRE_FALSE(reference.empty());

  Run locked = run_asynclab("solution 04", env);
  CHECK(locked.status == 1);
  CHECK_THAT(locked.out, Catch::Contains("Exercise 04 is not done yet") && Catch::Contains("asynclab hint 04"));
  CHECK_THAT(locked.out, !Catch::Contains(reference.substr(0, 200)));

  std::ofstream(dir / "progress.json") << R"({"exercises": {"04-join-fetches": {"done": true, "attempts": 2}}})";
  Run shown = run_asynclab("solution 4", env);
  INFO(shown.err);
  CHECK(shown.status == 0);
  CHECK_THAT(shown.out, Catch::StartsWith("Exercise 04 is done. The reference solution ("));
  CHECK_THAT(shown.out, Catch::Contains(reference));

  Run missing = run_asynclab("solution nope", env);
  CHECK(missing.status == 2);
  CHECK(missing.err == "asynclab solution: no exercise 'nope'\n");
}

TEST_CASE("asynclab grade --watch grades once and stops at q", "[cli][grade]") {
  const std::string env = grade_env("watch");
  // A pipe is not a terminal: the keys are read as they come, and q ends the watch.
  Run r = run_asynclab("grade --watch --color never", "printf 'q' | " + env);
  INFO(r.out << r.err);
  CHECK_THAT(r.out, Catch::Contains("── grading 01 "));
  CHECK_THAT(r.out, Catch::Contains("watching") && Catch::Contains("save it to grade again · h hint · l list · q quit"));
}

TEST_CASE("asynclab grade --watch grades again when the exercise file is saved", "[cli][grade]") {
  const fs::path state = scratch() / "grade-state" / "watch-save";
  fs::remove_all(state);
  fs::create_directories(state);
  InteractiveProcess watch(ASYNCLAB_EXE, {"grade", "--watch", "--color", "never"},
                           {"ASYNCLAB_STATE_DIR=" + state.string()});
  REQUIRE(watch.started());
  const auto limit = std::chrono::milliseconds(120'000);  // a guard against a hang, never waited out
  const std::string prompt = "save it to grade again";
  const auto first = watch.read_until(prompt, 0, limit);
  INFO(watch.output());
  REQUIRE(first != std::string::npos);

  // Saved as an editor saves it: the same text written back (the exercise stays as shipped).
  const fs::path file = fs::path(ASYNCLAB_SOURCE_DIR) / "exercises" / "01-lazy" / "exercise.cpp";
  const std::string text = slurp(file);
  REQUIRE_FALSE(text.empty());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;

  const auto regraded = watch.read_until("── grading 01 ", first, limit);
  REQUIRE(regraded != std::string::npos);
  REQUIRE(watch.read_until(prompt, regraded, limit) != std::string::npos);
  watch.send("q");
  CHECK(watch.finish(limit) == 1);  // 01 still fails as shipped
  CHECK(slurp(file) == text);
}

namespace {

// Every newline the terminal showed came with its carriage return: the lines start at the left
// edge instead of stair-stepping.
bool every_newline_returns(const std::string& shown) {
  for (std::size_t i = shown.find('\n'); i != std::string::npos; i = shown.find('\n', i + 1))
    if (i == 0 || shown[i - 1] != '\r') return false;
  return true;
}

bool same_settings(const termios& a, const termios& b) {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_lflag == b.c_lflag && a.c_cflag == b.c_cflag;
}

}  // namespace

TEST_CASE("asynclab grade --watch in a terminal reads keys without Enter, never stair-steps, and leaves the terminal "
          "as it found it on every way out", "[cli][grade][terminal]") {
  const auto limit = std::chrono::milliseconds(120'000);  // a guard against a hang, never waited out
  struct WayOut {
    const char* name;
    int signal;        // 0: the q key
    int exit_status;   // what wait_exit gives: 1 (01 fails as shipped), or minus the signal
  };
  for (const WayOut& way : {WayOut{"q", 0, 1}, WayOut{"Ctrl-C", SIGINT, -SIGINT}, WayOut{"SIGTERM", SIGTERM, -SIGTERM},
                            WayOut{"the terminal closing", SIGHUP, -SIGHUP}}) {
    CAPTURE(way.name);
    const fs::path state = scratch() / "grade-state" / "watch-terminal";
    fs::remove_all(state);
    fs::create_directories(state);
    PtyProcess watch(ASYNCLAB_EXE, {"grade", "--watch", "--color", "never"}, {"ASYNCLAB_STATE_DIR=" + state.string()});
    REQUIRE(watch.started());
    const auto before = watch.terminal();
    REQUIRE(before);
    REQUIRE((before->c_lflag & ECHO) != 0);
    const std::size_t prompt = watch.read_until("save it to grade again", 0, limit);
    INFO(watch.output());
    REQUIRE(prompt != std::string::npos);
    REQUIRE(watch.read_until("q quit", prompt, limit) != std::string::npos);

    // While it watches: keys arrive one at a time and are not echoed, output keeps its newlines.
    const auto watching = watch.terminal();
    REQUIRE(watching);
    CHECK((watching->c_lflag & (ICANON | ECHO)) == 0);
    CHECK((watching->c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
    watch.send("l");  // the list, printed while the keys are raw
    REQUIRE(watch.read_until("of 16 done", prompt, limit) != std::string::npos);

    if (way.signal == 0) watch.send("q");
    else watch.signal(way.signal);
    const auto status = watch.wait_exit(limit);
    REQUIRE(status);
    CHECK(*status == way.exit_status);
    CHECK(every_newline_returns(watch.output()));
    const auto after = watch.terminal();
    REQUIRE(after);
    CHECK(same_settings(*before, *after));
  }
}
