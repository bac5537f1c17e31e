// `asynclab lessons` and `asynclab run` as a learner types them, and `asynclab` with no arguments and
// no display (over SSH, in CI): the lessons in the terminal, never a hang, every error in one line
// that names the file and line.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

using namespace asynclab::testing;
namespace fs = std::filesystem;

namespace {

// Each test keeps its progress file in its own folder, so done marks start empty.
std::string state_env(std::string_view name) {
  const fs::path dir = scratch() / "state" / std::string(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return "env -u DISPLAY -u WAYLAND_DISPLAY ASYNCLAB_STATE_DIR=" + quoted(dir);
}

}  // namespace

TEST_CASE("asynclab lessons lists every lesson of the syllabus in order, none done yet", "[cli][lessons]") {
  Run r = run_asynclab("lessons", state_env("list"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  for (const char* line : {"01   Why async", "08   join!", "15   Deadlocks", "18   When not to use async"})
    CHECK_THAT(r.out, Catch::Contains(line));
  CHECK(r.out.find("08   join!") < r.out.find("15   Deadlocks"));
  CHECK_THAT(r.out, Catch::Contains("0 of 18 lessons done"));
}

TEST_CASE("asynclab run prints every step with its timeline without waiting when stdin is not a terminal, "
          "and does not mark the lesson done",
          "[cli][lessons]") {
  const std::string env = state_env("run");
  Run r = run_asynclab("run 08 --color never </dev/null", env);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto first = r.out.find("Step 1/3: One after another");
  const auto second = r.out.find("Step 2/3: join!: all three in flight");
  const auto third = r.out.find("Step 3/3");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  REQUIRE(third != std::string::npos);
  CHECK(first < second);
  CHECK(second < third);
  CHECK_THAT(r.out, Catch::Contains("╭─ Rust (the seeds)") && Catch::Contains("╭─ C++ (asynclab)"));
  CHECK_THAT(r.out, Catch::Contains("┃ Notice:"));
  CHECK_THAT(r.out, Catch::Contains("Timeline up to event"));
  CHECK_THAT(r.out, Catch::Contains("one after another: 5160 bytes in all"));
  CHECK_THAT(r.out, Catch::Contains("That was all of lesson 08 (not marked done"));
  CHECK(r.out.find('\x1b') == std::string::npos);
  Run listed = run_asynclab("lessons", env);
  CHECK_THAT(listed.out, Catch::Contains("0 of 18 lessons done"));
}

TEST_CASE("asynclab run --param changes the run, a bad parameter or lesson is a usage error", "[cli][lessons]") {
  const std::string env = state_env("params");
  Run slow = run_asynclab("run join --param latency_posts=1500 --color never </dev/null", env);
  INFO(slow.out << slow.err);
  REQUIRE(slow.status == 0);
  CHECK_THAT(slow.out, Catch::Contains("latency_posts=1500"));
  CHECK_THAT(slow.out, Catch::Contains("2 s of virtual time"));    // one after another: 300 + 1500 + 200
  CHECK_THAT(slow.out, Catch::Contains("1.5 s of virtual time"));  // joined: the slowest

  Run bad_value = run_asynclab("run 08 --param latency_posts=5", env);
  CHECK(bad_value.status == 2);
  CHECK(bad_value.err == "asynclab run: --param latency_posts=5: 5 is outside latency_posts's range 10..2000 ms\n");
  Run bad_name = run_asynclab("run 08 --param speed=3", env);
  CHECK(bad_name.status == 2);
  CHECK_THAT(bad_name.err, Catch::Contains("no parameter 'speed' (this lesson has: concurrent, latency_users"));
  Run no_lesson = run_asynclab("run 99", env);
  CHECK(no_lesson.status == 2);
  CHECK(no_lesson.err == "asynclab run: no lesson '99' (see 'asynclab lessons')\n");
  Run bad_step = run_asynclab("run 08 --step 7", env);
  CHECK(bad_step.status == 2);
  CHECK(bad_step.err == "asynclab run: lesson 08 has steps 1 to 3, not 7\n");
}

TEST_CASE("asynclab run --format writes the lesson's trace: Chrome JSON, JSON Lines, .altrace", "[cli][lessons]") {
  const std::string env = state_env("formats");
  const fs::path chrome = scratch() / "lesson10.json";
  Run r = run_asynclab("run 10 --format chrome -o " + quoted(chrome), env);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::ifstream in(chrome);
  const auto json = nlohmann::json::parse(in, nullptr, false);
  REQUIRE_FALSE(json.is_discarded());
  CHECK(json.contains("traceEvents"));

  Run lines = run_asynclab("run 10 --format json", env);
  REQUIRE(lines.status == 0);
  const auto first_line = lines.out.substr(0, lines.out.find('\n'));
  CHECK_FALSE(nlohmann::json::parse(first_line, nullptr, false).is_discarded());

  const fs::path altrace = scratch() / "lesson15.altrace";
  REQUIRE(run_asynclab("run 15 --step 3 --format altrace -o " + quoted(altrace), env).status == 0);
  Run info = run_asynclab("trace info " + quoted(altrace) + " --no-timeline", env);
  INFO(info.out << info.err);
  REQUIRE(info.status == 0);
  CHECK_THAT(info.out, Catch::Contains("chef 1"));

  Run no_file = run_asynclab("run 10 --format altrace", env);
  CHECK(no_file.status == 2);
  CHECK_THAT(no_file.err, Catch::Contains("give -o FILE.altrace"));
}

TEST_CASE("a broken lesson is listed with its file and line, and running it says why", "[cli][lessons]") {
  const fs::path dir = scratch() / "broken-lessons";
  fs::remove_all(dir);
  fs::create_directories(dir / "08-join");
  std::ofstream(dir / "08-join" / "lesson.md") << "---\nid: 08\ntitle: T\nseeds: C\n---\n## Step\n"
                                                 "<!-- run-until: wkae task=\"main\" -->\n";
  const std::string env = state_env("broken") + " ASYNCLAB_LESSONS_DIR=" + quoted(dir);
  Run listed = run_asynclab("lessons", env);
  CHECK(listed.status == 1);
  CHECK_THAT(listed.out, Catch::Contains("broken") && Catch::Contains("08-join/lesson.md:7: run-until:"));
  CHECK_THAT(listed.err, Catch::Contains("1 lesson could not be loaded"));
  Run run = run_asynclab("run 08", env);
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains("asynclab run: lesson 08-join is broken:") &&
                          Catch::Contains("lesson.md:7: run-until: unknown event kind \"wkae\""));
}

TEST_CASE("asynclab with no arguments and no display lists the lessons and runs the next one, then stops",
          "[cli][lessons]") {
  const std::string env = state_env("main-job");
  Run r = run_asynclab("</dev/null", env);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("0 of 18 lessons done"));
  CHECK_THAT(r.out, Catch::Contains("Starting lesson 01."));
  CHECK_THAT(r.out, Catch::Contains("Step 1/"));
  CHECK_THAT(r.out, Catch::Contains("That was all of lesson 01 (not marked done"));
  CHECK_THAT(r.out, Catch::Contains("asynclab run LESSON"));  // the usage comes last
  // Nobody stepped through it (stdin is not a terminal): the next start offers lesson 01 again.
  Run again = run_asynclab("</dev/null", env);
  CHECK_THAT(again.out, Catch::Contains("Starting lesson 01."));
}

TEST_CASE("asynclab run prints what the step's focused window shows, under the timeline, within 80 columns",
          "[cli][lessons]") {
  const std::string env = state_env("windows") + " COLUMNS=80";
  Run r = run_asynclab("run 15 --color never </dev/null", env);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // Step 2: each mutex's holder and waiter; step 3: the deadlock report with its cycle.
  CHECK_THAT(r.out, Catch::Contains("mutex \"knife\": held by chef 1; waiting: chef 2"));
  CHECK_THAT(r.out, Catch::Contains("mutex \"board\": held by chef 2; waiting: chef 1"));
  CHECK_THAT(r.out, Catch::Contains("the cycle: chef 1 → mutex \"board\" → chef 2 → mutex \"knife\" → chef 1"));
  // Lesson 04: the run queue, front first.
  Run executor = run_asynclab("run 04 --color never </dev/null", env);
  CHECK_THAT(executor.out, Catch::Contains("run queue, front first: blog post, door locked?, landlord"));
  // Every line of those windows fits 80 columns (counted in code points, as a terminal shows them).
  for (const std::string* out : {&r.out, &executor.out}) {
    std::size_t start = 0;
    bool in_window = false;
    while (start < out->size()) {
      std::size_t end = out->find('\n', start);
      if (end == std::string::npos) end = out->size();
      const std::string line = out->substr(start, end - start);
      if (line == "Resources" || line == "Warnings" || line.starts_with("Executor — ")) in_window = true;
      else if (line.empty()) in_window = false;
      if (in_window) {
        CAPTURE(line);
        CHECK(std::count_if(line.begin(), line.end(), [](char c) { return (c & 0xC0) != 0x80; }) <= 80);
      }
      start = end + 1;
    }
  }
}

TEST_CASE("asynclab run --param changes the figures the lesson's text quotes", "[cli][lessons]") {
  const std::string env = state_env("figures");
  Run r = run_asynclab("run 08 --param latency_posts=1500 --color never </dev/null", env);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // The runner wraps lines to the terminal: read the text as one line.
  std::string text = r.out;
  std::ranges::replace(text, '\n', ' ');
  for (const char* bar : {"┃ "}) {
    for (std::size_t at = text.find(bar); at != std::string::npos; at = text.find(bar)) text.erase(at, std::string_view(bar).size());
  }
  CHECK_THAT(text, Catch::Contains("300 + 1500 + 200 = 2000 ms"));
  CHECK_THAT(text, Catch::Contains("is done at 1500 ms"));
  CHECK(r.out.find("{{") == std::string::npos);
}

TEST_CASE("asynclab doc lists the API reference, shows one entry in C++ and Rust names, and says which it means",
          "[cli][doc]") {
  const std::string env = state_env("doc");
  Run list = run_asynclab("doc", env);
  INFO(list.out << list.err);
  REQUIRE(list.status == 0);
  CHECK_THAT(list.out, Catch::Contains("asynclab doc NAME shows one"));
  CHECK_THAT(list.out, Catch::Contains("JoinHandle<T>") && Catch::Contains("tokio::task::JoinHandle<T>"));

  Run one = run_asynclab("doc joinhandle --color never", env);
  INFO(one.out << one.err);
  REQUIRE(one.status == 0);
  CHECK_THAT(one.out, Catch::Contains("JoinHandle<T>") && Catch::Contains("h.abort()") &&
                          Catch::Contains("tokio::task::JoinHandle"));
  CHECK(one.out.find("## ") == std::string::npos);  // rendered, not raw Markdown
  CHECK(one.out.find("sync::mpsc::Sender") == std::string::npos);  // one section only

  Run rust_name = run_asynclab("doc tokio::sync::mpsc::Sender --color never", env);
  CHECK(rust_name.status == 0);
  CHECK_THAT(rust_name.out, Catch::Contains("sync::mpsc::Sender<T>"));

  Run several = run_asynclab("doc Sender", env);
  CHECK(several.status == 0);
  CHECK_THAT(several.out, Catch::Contains("Sender names") && Catch::Contains("asynclab doc sync::mpsc::Sender ") &&
                              Catch::Contains("asynclab doc sync::oneshot::Sender "));
  CHECK(several.out.find("asynclab doc sync::mpsc::Sender<T>") == std::string::npos);  // a shell reads <T> as a redirection
  Run rust_path = run_asynclab("doc tokio::time::sleep_until --color never", env);
  CHECK(rust_path.status == 0);
  CHECK_THAT(rust_path.out, Catch::Contains("tokio::time::sleep"));

  Run unknown = run_asynclab("doc spwan", env);
  CHECK(unknown.status == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no entry called 'spwan'"));
  Run member = run_asynclab("doc abort", env);
  CHECK(member.status == 1);
  CHECK_THAT(member.err, Catch::Contains("It appears in:") && Catch::Contains("JoinHandle<T>"));

  Run all = run_asynclab("doc --all --color never", env);
  CHECK(all.status == 0);
  CHECK_THAT(all.out, Catch::Contains("JoinHandle<T>") && Catch::Contains("sync::mpsc::Sender<T>"));
}

TEST_CASE("asynclab doc with a broken reference file says the file and line", "[cli][doc]") {
  const fs::path dir = scratch() / "broken-api";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "api.md") << "# API\n\n## JoinHandle<T>\n\nno metadata here\n";
  Run r = run_asynclab("doc JoinHandle", state_env("doc-broken") + " ASYNCLAB_LESSONS_DIR=" + quoted(dir));
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("api.md line 5: the line after \"## JoinHandle<T>\" must be its metadata"));
}
