// lesson.md's format: what parses, and what a broken lesson file is told (with file and line).
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "engine/catalog.hpp"
#include "engine/lesson_file.hpp"
#include "engine/markdown.hpp"
#include "engine/progress.hpp"
#include "engine/text_template.hpp"

using namespace asynclab::lessons;

namespace {

// This process's own folder for the files a test writes, removed when the process exits so test
// runs leave nothing behind in /tmp.
const std::filesystem::path& process_scratch() {
  struct Scratch {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("asynclab-lesson-test-" + std::to_string(::getpid()));
    ~Scratch() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.path;
}

std::filesystem::path scratch(std::string_view name) {
  auto dir = process_scratch() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

const std::filesystem::path here = "lessons/42-example/lesson.md";

const char* const good = R"(---
id: 42
title: An example
seeds: A, C
summary: one line
param: tasks  int 1..100 tasks = 10 | how many tasks
param: fast   bool = true           | skip the slow path
param: order  choice same,opposite = same | lock order
---

## First
Some *text* with `code`.
<!-- run-until: wake task="fetch b" -->
<!-- highlight: task="timer" -->

## Second
<!-- set: tasks=20 order=opposite -->
<!-- focus: window="Resources" -->
<!-- axis: time -->
```cpp
// ## not a heading inside code
```
)";

std::string error_of(std::string_view text) {
  auto parsed = parse_lesson(text, here);
  REQUIRE_FALSE(parsed);
  return parsed.error().to_string();
}

std::string with_front(std::string_view front, std::string_view body = "## Step\ntext\n") {
  return "---\nid: 42\ntitle: T\nseeds: A\n" + std::string(front) + "---\n" + std::string(body);
}

}  // namespace

TEST_CASE("a well-formed lesson parses into front matter, parameters, steps and directives", "[lessons][format]") {
  auto parsed = parse_lesson(good, here);
  if (!parsed) FAIL(parsed.error().to_string());
  const auto& l = *parsed;
  CHECK(l.id == "42");
  CHECK(l.slug == "example");
  CHECK(l.title == "An example");
  CHECK(l.seeds == "A, C");
  CHECK(l.scenario_symbol() == "scenario_42_example");
  REQUIRE(l.params.size() == 3);
  CHECK(l.params[0].kind == ParamKind::integer);
  CHECK(l.params[0].min == 1);
  CHECK(l.params[0].max == 100);
  CHECK(l.params[0].unit == "tasks");
  CHECK(std::get<std::int64_t>(l.params[0].default_value) == 10);
  CHECK(l.params[1].kind == ParamKind::flag);
  CHECK(l.params[2].choices == std::vector<std::string>{"same", "opposite"});
  REQUIRE(l.steps.size() == 2);  // the "## " inside the code block is code, not a step
  CHECK(l.steps[0].title == "First");
  CHECK(l.steps[0].line == 11);
  REQUIRE(l.steps[0].directives.size() == 2);
  CHECK(l.steps[0].run_until() != nullptr);
  CHECK(l.steps[0].directives[1].name == "timer");
  REQUIRE(l.steps[1].directives.size() == 3);
  CHECK(l.steps[1].directives[0].line == 17);

  ParamValues defaults(l.params);
  CHECK(l.values_at(0, defaults).integer("tasks") == 10);
  CHECK(l.values_at(1, defaults).integer("tasks") == 20);
  CHECK(l.values_at(1, defaults).choice("order") == "opposite");
}

TEST_CASE("a broken lesson file is told what is wrong, with the file and the line", "[lessons][format]") {
  CHECK(error_of("no front matter\n") == "lessons/42-example/lesson.md:1: lesson.md starts with front matter: a "
                                         "line '---', `key: value` lines, '---'");
  CHECK_THAT(error_of("---\nid: 42\ntitle: T\n"), Catch::Contains("lesson.md:4: the front matter is never closed"));
  CHECK_THAT(error_of("---\nid: 42\ntitle: T\n---\n## S\n"), Catch::Contains("no 'seeds:' line"));
  CHECK_THAT(error_of("---\nid: 07\ntitle: T\nseeds: A\n---\n## S\n"),
             Catch::Contains("lesson.md:2: id '07' does not match the folder '42-example'"));
  CHECK_THAT(error_of(with_front("colour: blue\n")),
             Catch::Contains("lesson.md:5: unknown front-matter key 'colour'"));
  CHECK_THAT(error_of(with_front("param: n int 1..10 = 11 | n\n")),
             Catch::Contains("lesson.md:5: default: 11 is outside n's range 1..10"));
  CHECK_THAT(error_of(with_front("param: n float = 1 | n\n")), Catch::Contains("unknown parameter kind 'float'"));
  CHECK_THAT(error_of(with_front("param: n int 1..10 = 2\n")), Catch::Contains("ends with '| label'"));
  CHECK_THAT(error_of(with_front("param: o choice a = a | o\n")), Catch::Contains("two or more names"));
  CHECK_THAT(error_of(with_front("", "intro text\n## S\n")),
             Catch::Contains("lesson.md:6: text before the first step"));
  CHECK_THAT(error_of(with_front("", "## S\n<!-- run-untill: wake -->\n")),
             Catch::Contains("lesson.md:7: unknown directive 'run-untill' (known: run-until, highlight"));
  CHECK_THAT(error_of(with_front("", "## S\n<!-- run-until: wkae task=\"a\" -->\n")),
             Catch::Contains("lesson.md:7: run-until:"));
  CHECK_THAT(error_of(with_front("", "## S\n<!-- focus: window=\"Nowhere\" -->\n")),
             Catch::Contains("focus takes window=\"NAME\", one of: Timeline"));
  CHECK_THAT(error_of(with_front("", "## S\n<!-- set: speed=3 -->\n")),
             Catch::Contains("lesson.md:7: set: the front matter declares no parameter 'speed'"));
  CHECK_THAT(error_of(with_front("param: n int 1..10 = 2 | n\n", "## S\n<!-- set: n=99 -->\n")),
             Catch::Contains("lesson.md:8: set: 99 is outside n's range 1..10"));
  CHECK_THAT(error_of(with_front("", "## S\n```cpp\nint x;\n")), Catch::Contains("never closed with ```"));
  CHECK_THAT(error_of(with_front("param: n int 1..10 = 2 | n\n", "## S\ntext\nit takes {{n + m}} ms\n")),
             Catch::Contains("lesson.md:9: {{n + m}}: no parameter 'm'"));
  CHECK_THAT(error_of(with_front("param: n int 1..10 = 2 | n\n", "## S\nit takes {{n ms\n")),
             Catch::Contains("lesson.md:8: a '{{' without its '}}'"));
  CHECK_THAT(error_of(with_front("", "\n")), Catch::Contains("no steps"));

  auto bad_folder = parse_lesson(good, "lessons/example/lesson.md");
  REQUIRE_FALSE(bad_folder);
  CHECK_THAT(bad_folder.error().to_string(), Catch::Contains("not named NN-slug"));
}

TEST_CASE("a lesson folder without lesson.md, or without a compiled scenario, is listed with its error",
          "[lessons][format]") {
  auto dir = scratch("lesson-catalog");
  std::filesystem::create_directories(dir / "42-example");
  std::ofstream(dir / "42-example" / "lesson.md") << good;
  std::filesystem::create_directories(dir / "43-missing");
  auto catalog = Catalog::load(dir);
  REQUIRE(catalog);
  REQUIRE(catalog->entries().size() == 2);
  const auto* example = catalog->find("42");
  REQUIRE(example != nullptr);
  REQUIRE_FALSE(example->lesson);
  CHECK_THAT(example->lesson.error().to_string(),
             Catch::Contains("42-example/scenario.cpp: no scenario compiled in for '42-example'") &&
                 Catch::Contains("asynclab::lessons::scenario_42_example"));
  const auto* missing = catalog->find("missing");
  REQUIRE(missing != nullptr);
  CHECK_THAT(missing->lesson.error().to_string(), Catch::Contains("43-missing/lesson.md: cannot read the file"));

  auto nowhere = Catalog::load(dir / "nope");
  REQUIRE_FALSE(nowhere);
  CHECK_THAT(nowhere.error(), Catch::Contains("no lessons folder at"));
}

TEST_CASE("parameters take values in range and say what they accept", "[lessons][format]") {
  auto parsed = parse_lesson(good, here);
  REQUIRE(parsed);
  ParamValues v(parsed->params);
  CHECK(v.set("tasks", "100"));
  CHECK(v.integer("tasks") == 100);
  CHECK(v.set("tasks", "0").error() == "0 is outside tasks's range 1..100 tasks");
  CHECK(v.set("tasks", "ten").error() == "'ten' is not a whole number; tasks takes 1..100 tasks");
  CHECK(v.set("fast", "off"));
  CHECK_FALSE(v.flag("fast"));
  CHECK(v.set("fast", "maybe").error() == "'maybe' is not true or false (for fast)");
  CHECK(v.set("order", "sideways").error() == "'sideways' is not one of order's choices: same | opposite");
  CHECK(v.set("speed", "1").error() == "no parameter 'speed' (this lesson has: tasks, fast, order)");
  CHECK(v.integer("tasks") == 100);  // a rejected value changes nothing
  CHECK_THROWS_WITH(v.flag("tasks"), "parameter 'tasks' is an integer, not a flag");
  CHECK_THROWS_WITH(v.integer("nope"), Catch::Contains("declares no parameter 'nope'"));
  CHECK(v.to_string() == "tasks=100 fast=false order=same");
}

TEST_CASE("Markdown becomes blocks: headings, emphasis, code, lists, call-outs, tables, side by side",
          "[lessons][markdown]") {
  auto doc = parse_markdown(R"(### Heading
Some *emphasis*, **strong** and `code`,
joined [a link](https://tokio.rs).

- one
- two
  1. nested

> **Notice:** look at the lane.

> just a quote

```rust
let x = 1;
```
```cpp
int x = 1;
```

| a | b |
| --- | --- |
| 1 | 2 |

<!-- run-until: wake -->
)");
  using K = BlockKind;
  std::vector<K> kinds;
  for (const auto& b : doc.blocks) kinds.push_back(b.kind);
  CHECK(kinds == std::vector<K>{K::heading, K::paragraph, K::list_item, K::list_item, K::list_item, K::paragraph,
                                K::paragraph, K::code, K::code, K::table_row, K::table_row});
  CHECK(doc.blocks[0].level == 3);
  const auto& p = doc.blocks[1];
  CHECK(p.plain_text() == "Some emphasis, strong and code, joined a link.");
  REQUIRE(p.spans.size() >= 7);
  CHECK(p.spans[1].emphasis);
  CHECK(p.spans[3].strong);
  CHECK(p.spans[5].code);
  CHECK(p.spans[7].link == "https://tokio.rs");
  CHECK(doc.blocks[4].level == 2);
  CHECK(doc.blocks[4].number == 1);
  CHECK(doc.blocks[5].callout == Callout::notice);
  CHECK(doc.blocks[6].callout == Callout::quote);
  CHECK(doc.blocks[7].language == "rust");
  CHECK(doc.blocks[8].code == "int x = 1;\n");
  CHECK(side_by_side_pairs(doc) == std::vector<std::size_t>{7});
  CHECK(doc.blocks[9].header_row);
  CHECK(doc.blocks[10].plain_text() == "1\t2");
}

TEST_CASE("progress survives in its file, and a corrupt file is kept aside, not lost", "[lessons][progress]") {
  auto dir = scratch("lesson-progress");
  auto path = dir / "state" / "progress.json";
  {
    auto p = Progress::load(path);
    CHECK(p.warning().empty());
    CHECK_FALSE(p.lesson_done("08-join"));
    p.saw_lesson_step("08-join", 1, 3);
    REQUIRE(p.save());
  }
  {
    auto p = Progress::load(path);
    CHECK(p.lesson_step("08-join") == 1);
    CHECK_FALSE(p.lesson_done("08-join"));
    p.saw_lesson_step("08-join", 2, 3);
    REQUIRE(p.save());
    CHECK(Progress::load(path).lesson_done("08-join"));
  }
  std::ofstream(path) << "{ not json";
  auto p = Progress::load(path);
  CHECK_THAT(p.warning(), Catch::Contains("was not valid JSON; it was kept as"));
  CHECK(std::filesystem::exists(dir / "state" / "progress.json.corrupt"));
  CHECK_FALSE(p.lesson_done("08-join"));
}

TEST_CASE("a progress file broken after it was loaded is kept aside by the save, which says so and goes on",
          "[lessons][progress]") {
  auto dir = scratch("progress-broken-between");
  auto path = dir / "progress.json";
  auto p = Progress::load(path);
  p.saw_lesson_step("08-join", 1, 3);
  REQUIRE(p.save());
  CHECK(p.warning().empty());
  std::ofstream(path) << "{ broken by hand";  // while this process runs
  p.record_grade("04-join-fetches", true, "done");
  p.set_hints_shown("04-join-fetches", 2);
  REQUIRE(p.save());
  CHECK_THAT(p.warning(), Catch::Contains("was not valid JSON; it was kept as"));
  CHECK_THAT(p.warning(), Catch::Contains("progress.json.corrupt"));
  std::ifstream kept(dir / "progress.json.corrupt");
  CHECK(std::string((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>()) == "{ broken by hand");
  // The save went on from what this process knew: the lesson step it saved before, and its new grade.
  const auto again = Progress::load(path);
  CHECK(again.warning().empty());
  CHECK(again.exercise_done("04-join-fetches"));
  CHECK(again.hints_shown("04-join-fetches") == 2);
  CHECK(again.lesson_step("08-join") == 1);
  std::ifstream saved(path);
  CHECK_THAT(std::string((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>()),
             Catch::Contains("\"attempts\": 1"));  // the grade's change applied once, not twice
}

TEST_CASE("a progress file edited by hand never stops asynclab: wrong types and huge numbers read as missing",
          "[lessons][progress]") {
  auto dir = scratch("progress-types");
  auto path = dir / "progress.json";
  std::ofstream(path) << R"({"lessons": {"08-join": {"done": "yes", "step": 100000000000000000000},
                             "09-select": {"done": 1, "step": -4}, "10-x": "done"},
                             "exercises": {"04-join-fetches": {"done": "yes", "attempts": "3", "hints": 1e300},
                                           "05-scraper": {"done": true, "attempts": 18446744073709551615}},
                             "extra": {"kept": true}})";
  auto p = Progress::load(path);
  CHECK(p.warning().empty());
  CHECK_FALSE(p.lesson_done("08-join"));
  CHECK(p.lesson_step("08-join") == 0);
  CHECK_FALSE(p.lesson_done("09-select"));
  CHECK(p.lesson_step("09-select") == 0);
  CHECK_FALSE(p.lesson_done("10-x"));
  CHECK_FALSE(p.exercise_done("04-join-fetches"));
  CHECK(p.hints_shown("04-join-fetches") == 0);
  CHECK(p.exercise_done("05-scraper"));
  // Counting on from a nonsense count starts again instead of overflowing; unknown keys are kept.
  p.record_grade("05-scraper", false, "failed");
  p.record_grade("04-join-fetches", true, "done");
  REQUIRE(p.save());
  const auto again = Progress::load(path);
  CHECK(again.exercise_done("04-join-fetches"));
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("\"kept\": true"));
  CHECK_THAT(text, Catch::Contains("\"attempts\": 1"));
}

TEST_CASE("a second corrupt progress file is kept beside the first, and a dead writer's temporary file is removed",
          "[lessons][progress]") {
  auto dir = scratch("progress-corrupt");
  auto path = dir / "progress.json";
  std::ofstream(path) << "{ first";
  CHECK_THAT(Progress::load(path).warning(), Catch::Contains("progress.json.corrupt"));
  std::ofstream(path) << "{ second";
  CHECK_THAT(Progress::load(path).warning(), Catch::Contains("progress.json.corrupt-2"));
  std::ifstream first(dir / "progress.json.corrupt");
  std::string text;
  std::getline(first, text);
  CHECK(text == "{ first");
  // A writer killed mid-save (a pid that cannot be running: above the kernel's pid_max) left its file.
  // Its name is what trace::write_output_file makes: .tmp-PID-ATTEMPT.
  std::ofstream(dir / "progress.json.tmp-999999999-0") << "{";
  std::ofstream(dir / fmt::format("progress.json.tmp-{}-0", ::getpid())) << "{";  // this process: alive
  std::ofstream(path) << "{}";
  (void)Progress::load(path);
  CHECK_FALSE(std::filesystem::exists(dir / "progress.json.tmp-999999999-0"));
  CHECK(std::filesystem::exists(dir / fmt::format("progress.json.tmp-{}-0", ::getpid())));
}

TEST_CASE("two asynclab processes saving progress in turn lose neither's update", "[lessons][progress]") {
  auto dir = scratch("progress-merge");
  auto path = dir / "progress.json";
  // Both loaded the same file (the GUI, and a grade in another terminal) ...
  auto gui = Progress::load(path);
  auto grade = Progress::load(path);
  for (int round = 0; round < 20; ++round) {
    gui.saw_lesson_step(fmt::format("lesson-{:02}", round), 0, 1);  // a finished one-step lesson
    grade.record_grade(fmt::format("exercise-{:02}", round), true, "done");
    grade.set_hints_shown("04-join-fetches", static_cast<std::size_t>(round % 3));
    // ... and each saves in turn, never having reloaded the other's.
    REQUIRE(gui.save());
    REQUIRE(grade.save());
  }
  const auto merged = Progress::load(path);
  for (int round = 0; round < 20; ++round) {
    CHECK(merged.lesson_done(fmt::format("lesson-{:02}", round)));
    CHECK(merged.exercise_done(fmt::format("exercise-{:02}", round)));
  }
  CHECK(merged.hints_shown("04-join-fetches") == 2);  // hints shown only grow
}

TEST_CASE("figures in a lesson's text follow the parameters", "[lessons][format]") {
  ParamSpec a{.name = "a", .label = "a", .kind = ParamKind::integer, .min = 0, .max = 5000, .unit = "ms", .choices = {},
              .default_value = std::int64_t{300}};
  ParamSpec b = a;
  b.name = "b";
  b.default_value = std::int64_t{500};
  ParamSpec on{.name = "on", .label = "on", .kind = ParamKind::flag, .min = 0, .max = 0, .unit = "", .choices = {},
               .default_value = true};
  ParamSpec order{.name = "order", .label = "order", .kind = ParamKind::choice, .min = 0, .max = 0, .unit = "",
                  .choices = {"same", "opposite"}, .default_value = std::string("same")};
  ParamValues values({a, b, on, order});
  CHECK(expand_template("= **{{a + b}} ms**", values).value() == "= **800 ms**");
  CHECK(expand_template("{{max(a, b, 100)}}/{{min(a, b)}}/{{(a + b) * 2 - a / 3}}/{{-a + b}}", values).value() ==
        "500/300/1500/200");
  CHECK(expand_template("{{on * a}} {{order}} and no braces", values).value() == "300 same and no braces");
  REQUIRE(values.set("b", "1500"));
  CHECK(expand_template("300 + {{b}} = {{a+b}}", values).value() == "300 + 1500 = 1800");
  // A duration as the windows print it, on both sides of a second.
  CHECK(expand_template("clock {{duration_ms(a)}} / {{duration_ms(b)}} / {{duration_ms(a - a)}}", values).value() ==
        "clock 300.000 ms / 1.500 s / 0 ns");
  CHECK(expand_template("sleep {{short_ms(a)}}, sleep {{short_ms(b)}}", values).value() == "sleep 300 ms, sleep 1.5 s");
  for (const char* bad : {"{{c}}", "{{a +}}", "{{max a}}", "{{(a}}", "{{a / 0}}", "{{order + 1}}", "{{a", "{{}}",
                          "{{a b}}", "{{99999999999999999999}}", "{{duration_ms(a) + 1}}", "{{duration_ms(-a)}}",
                          "{{duration_ms(a}}", "{{2 * duration_ms(a)}}"}) {
    CAPTURE(bad);
    CHECK_FALSE(expand_template(bad, values));
  }
}
