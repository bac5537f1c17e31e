// Every Notice is checked against what the tool shows at its step: the `expect:` lines under each
// step (engine/step_claims.hpp) hold at the step's cursor, under several seeds. And the claims can
// fail: a wrong time, a wrong state, a text the window does not show are each caught and explained.
#include <set>

#include <fmt/format.h>

#include "engine/lesson_player.hpp"
#include "engine/step_claims.hpp"
#include "lessons/lesson_support.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 2, 3, 17, 4242};

// The claims checked in the player's current run at its current step's cursor.
std::vector<std::string> failed_claims(const lessons::LessonPlayer& player, std::span<const std::string> texts) {
  const vis::TraceIndex index(player.run().trace);
  const vis::LaneIndex lanes(index);
  const vis::StateTimeline states(index);
  const std::size_t cursor = player.step_view().cursor;
  const vis::WorldState state = states.state_at(cursor);
  const std::string& highlight = player.step_view().highlight;
  const std::uint32_t task = highlight.empty() ? 0 : index.find_task(highlight);
  const lessons::ClaimContext context{lanes, state, cursor, task == vis::npos ? 0 : task, player.run().said};
  return lessons::check_claims(texts, player.params(), context);
}

}  // namespace

TEST_CASE("every step's Notice holds at its cursor: its expect: lines, under several seeds", "[lessons][claims]") {
  std::size_t steps_with_claims = 0, steps_with_notice = 0;
  for (const auto& entry : lesson_catalog().entries()) {
    REQUIRE(entry.lesson);
    const auto& lesson = *entry.lesson;
    for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
      if (lesson.steps[k].markdown.find("**Notice:**") != std::string::npos) ++steps_with_notice;
      if (!lesson.steps[k].claims().empty()) ++steps_with_claims;
    }
    for (auto seed : seeds) {
      lessons::LessonPlayer player(lesson, entry.scenario, lessons::ParamValues(lesson.params), seed);
      for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
        const std::vector<std::string> texts = lesson.steps[k].claims();
        if (texts.empty()) continue;
        player.go_to(k);
        for (const std::string& failure : failed_claims(player, texts))
          FAIL_CHECK(fmt::format("{}: step {} ({}), seed {}: {}", lesson.path.string(), k + 1, lesson.steps[k].title, seed,
                                 failure));
      }
    }
  }
  // Every step with a Notice says, checkably, what it claims.
  CHECK(steps_with_claims == steps_with_notice);
}

TEST_CASE("a claim that does not hold is caught and says what the tool shows instead", "[lessons][claims]") {
  const auto& l = lesson("10-select");
  lessons::LessonPlayer player(l, lesson_catalog().find("10")->scenario, lessons::ParamValues(l.params));
  player.go_to(1);  // the loser is dropped mid-flight
  const auto check = [&](std::string text) {
    const std::vector<std::string> texts{std::move(text)};
    const auto failed = failed_claims(player, texts);
    return failed.empty() ? std::string() : failed.front();
  };
  // What holds.
  CHECK(check("span \"GET *b.mirror*\" cancelled at {{latency_a}} ms").empty());
  CHECK(check("task \"main\" is running").empty() != check("task \"main\" is parked").empty());
  CHECK(check("happened mark label=\"loser dropped\"").empty());
  // What does not, each with the picture's own words.
  const std::string wrong_time = check("span \"GET *b.mirror*\" cancelled at {{latency_b}} ms");
  CHECK_THAT(wrong_time, Catch::Contains("should be cancelled at 500 ms") && Catch::Contains("to 300 ms, cancelled"));
  CHECK_THAT(check("span \"GET *b.mirror*\" done"), Catch::Contains("should be done"));
  CHECK_THAT(check("task \"main\" is done"), Catch::Contains("task \"main\" should be done; it is"));
  CHECK_THAT(check("task \"nobody\" is done"), Catch::Contains("no task named \"nobody\""));
  CHECK_THAT(check("shows Warnings \"deadlock\""), Catch::Contains("the Warnings window should show \"deadlock\""));
  CHECK_THAT(check("not-happened mark label=\"loser dropped\""), Catch::Contains("no event"));
  CHECK_THAT(check("spans \"GET *\" one-after-another"), Catch::Contains("should run one after another"));
  CHECK(check("spans \"GET *\" overlap").empty());
  // A sequence holds in its order only.
  CHECK(check("happened mark label=\"loser dropped\" then mark label=\"winner used\"").empty());
  CHECK_THAT(check("happened mark label=\"winner used\" then mark label=\"loser dropped\""),
             Catch::Contains("event 2 of the sequence should come after event #"));
  // Nothing after the cursor counts: at step 1, the race has not been decided.
  player.go_to(0);
  CHECK_THAT(check("happened mark label=\"loser dropped\""), Catch::Contains("should have happened"));
  CHECK_THAT(check("span \"GET *b.mirror*\" cancelled"), Catch::Contains("should be cancelled"));
}

TEST_CASE("a malformed claim is an error at its line when the lesson is read", "[lessons][claims]") {
  const auto parse = [](std::string claim) {
    const std::string text = "---\nid: 99\ntitle: t\nseeds: A\nparam: delay int 1..100 ms = 5 | d\n---\n\n## Step\n\ntext\n\n<!-- expect: " +
                             claim + " -->\n";
    auto lesson = lessons::parse_lesson(text, "lessons/99-test/lesson.md");
    return lesson ? std::string() : lesson.error().to_string();
  };
  CHECK(parse("span \"x\" done at {{delay}} ms").empty());
  CHECK(parse("happened wake task=\"a\"").empty());
  CHECK_THAT(parse("span \"x\" finished"), Catch::Contains("lesson.md:12") && Catch::Contains("done, cancelled, failed, disabled, released or running"));
  CHECK_THAT(parse("shows Timeline \"x\""), Catch::Contains("takes a window"));
  CHECK_THAT(parse("task \"main\" is sleeping"), Catch::Contains("not 'sleeping'"));
  CHECK_THAT(parse("span \"x\" done at {{dely}} ms"), Catch::Contains("dely"));
  CHECK_THAT(parse("happened wakee"), Catch::Contains("wakee"));
  CHECK_THAT(parse("spans \"x\" together"), Catch::Contains("one-after-another or overlap"));
  CHECK_THAT(parse("shows Warnings \"unclosed"), Catch::Contains("no closing quote"));
  CHECK_THAT(parse("guess what"), Catch::Contains("unknown claim 'guess'"));
  CHECK_THAT(parse("span \"x\" done at nan ms"), Catch::Contains("takes a time in ms"));
  CHECK_THAT(parse("span \"x\" done at -5 ms"), Catch::Contains("takes a time in ms"));
  CHECK_THAT(parse("shows Warnings \"\""), Catch::Contains("empty"));
  CHECK_THAT(parse("span \"\" running"), Catch::Contains("empty"));
  CHECK(parse("happened mark label=\"a then b\" then mark label=\"c\"").empty());  // "then" in quotes is a word
  CHECK_THAT(parse("happened mark label=\"a\" then wakee"), Catch::Contains("wakee"));
  CHECK_THAT(parse("not-happened mark label=\"a\" then mark label=\"b\""), Catch::Contains("one event"));
}

TEST_CASE("a label pattern's * matches any run of characters", "[lessons][claims]") {
  CHECK(lessons::label_matches("GET *b.mirror*", "GET https://b.mirror.example/big.iso"));
  CHECK(lessons::label_matches("*", ""));
  CHECK(lessons::label_matches("join: *", "join: api.example/users"));
  CHECK_FALSE(lessons::label_matches("GET *a.mirror*", "GET https://b.mirror.example/big.iso"));
  CHECK_FALSE(lessons::label_matches("lock board", "lock board2"));
  CHECK(lessons::label_matches("a*b*c", "aXXbYYc"));
  CHECK_FALSE(lessons::label_matches("a*b*c", "aXXbYY"));
}

namespace {

// The claims of every step that quote a parameter ({{...}}), checked under `values`; returns how
// many were checked.
std::size_t check_templated_claims(const lessons::CatalogEntry& entry, const lessons::ParamValues& values,
                                   std::string_view moved) {
  const auto& lesson = *entry.lesson;
  lessons::LessonPlayer player(lesson, entry.scenario, values);
  std::size_t checked = 0;
  for (std::size_t k = 0; k < lesson.steps.size(); ++k) {
    std::vector<std::string> texts;
    for (const std::string& claim : lesson.steps[k].claims())
      if (claim.find("{{") != std::string::npos) texts.push_back(claim);
    if (texts.empty()) continue;
    player.go_to(k);
    checked += texts.size();
    for (const std::string& failure : failed_claims(player, texts))
      FAIL_CHECK(fmt::format("{}: step {} ({}), {}: {}", lesson.path.string(), k + 1, lesson.steps[k].title, moved, failure));
  }
  return checked;
}

}  // namespace

TEST_CASE("claims with {{figures}} follow the sliders: they hold with each number parameter moved", "[lessons][claims]") {
  // Each integer parameter a fifth above its default (at least one step, within its range), one at a
  // time; only the claims that quote a parameter ({{...}}) are checked — a literal figure is a claim
  // about the defaults.
  std::size_t checked = 0;
  for (const auto& entry : lesson_catalog().entries()) {
    REQUIRE(entry.lesson);
    const auto& lesson = *entry.lesson;
    for (const auto& spec : lesson.params) {
      if (spec.kind != lessons::ParamKind::integer) continue;
      const std::int64_t base = std::get<std::int64_t>(spec.default_value);
      const std::int64_t moved = std::min(spec.max, base + std::max<std::int64_t>(1, base / 5));
      if (moved == base) continue;
      lessons::ParamValues values(lesson.params);
      REQUIRE(values.set(spec.name, std::to_string(moved)));
      checked += check_templated_claims(entry, values, fmt::format("{}={}", spec.name, moved));
    }
  }
  CHECK(checked > 50);
}

TEST_CASE("claims with {{figures}} hold past a second, where the windows print \"1.100 s\"", "[lessons][claims]") {
  // Every duration parameter of a lesson scaled by one factor, so the story keeps its order (the
  // faster mirror stays faster, the deadline stays before the answer): the smallest reaches 1100 ms
  // if every one stays in its range, else the largest does (or 1000 ms, where that is the range's top).
  std::size_t checked = 0, lessons_moved = 0;
  for (const auto& entry : lesson_catalog().entries()) {
    REQUIRE(entry.lesson);
    const auto& lesson = *entry.lesson;
    std::vector<const lessons::ParamSpec*> durations;
    for (const auto& spec : lesson.params)
      if (spec.kind == lessons::ParamKind::integer && spec.unit == "ms") durations.push_back(&spec);
    if (durations.empty()) continue;
    auto base = [](const lessons::ParamSpec* s) { return std::get<std::int64_t>(s->default_value); };
    const auto [smallest, largest] = std::ranges::minmax(durations, {}, base);
    if (base(smallest) <= 0) continue;
    auto fits = [&](double factor) {
      return std::ranges::all_of(durations, [&](const lessons::ParamSpec* s) {
        return static_cast<double>(base(s)) * factor <= static_cast<double>(s->max);
      });
    };
    double factor = 0;
    for (const double target : {1100.0, 1000.0}) {
      for (const lessons::ParamSpec* reaching : {smallest, largest}) {
        const double f = target / static_cast<double>(base(reaching));
        if (factor == 0 && f > 1 && fits(f)) factor = f;
      }
    }
    if (factor == 0) continue;  // no duration of this lesson can reach a second
    lessons::ParamValues values(lesson.params);
    std::string moved;
    for (const lessons::ParamSpec* s : durations) {
      const auto v = static_cast<std::int64_t>(std::llround(static_cast<double>(base(s)) * factor));
      REQUIRE(values.set(s->name, std::to_string(v)));
      moved += fmt::format("{}{}={}", moved.empty() ? "" : " ", s->name, v);
    }
    ++lessons_moved;
    checked += check_templated_claims(entry, values, moved);
  }
  CHECK(lessons_moved >= 8);
  CHECK(checked > 30);
}
