// LessonPlayer (lessons/engine/lesson_player.hpp): a learner's walk through a lesson — steps, the
// parameters a step sets, sliders that re-run the scenario, and runs cached per parameter set.
#include "engine/lesson_player.hpp"
#include "lessons/lesson_support.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

lessons::LessonPlayer player_for(std::string_view folder, std::size_t step = 0) {
  const auto& l = lesson(folder);
  return lessons::LessonPlayer(l, lesson_catalog().find(folder)->scenario, lessons::ParamValues(l.params), 1, step);
}

}  // namespace

TEST_CASE("entering a step takes the parameters it sets, and its run", "[lessons][player]") {
  auto player = player_for("08-join");
  REQUIRE(player.step_count() == 3);
  CHECK_FALSE(player.params().flag("concurrent"));  // step 1 sets concurrent=false
  const auto first_generation = player.generation();
  const auto& sequential_run = player.run();
  CHECK(sequential_run.params.to_string() == player.params().to_string());

  CHECK(player.next());  // step 2 sets concurrent=true: another run
  CHECK(player.params().flag("concurrent"));
  CHECK(player.generation() == first_generation + 1);
  CHECK(player.step_view().hit.has_value());

  CHECK_FALSE(player.next());  // step 3 sets nothing: the same run, only the cursor moves
  CHECK(player.step() == 2);
  CHECK(player.at_last_step());
  CHECK(player.step_view().cursor > player.run().steps[1].cursor);

  CHECK(player.go_to(0));  // back to the sequential run, from the cache
  CHECK(&player.run() == &sequential_run);
  CHECK_FALSE(player.go_to(0));
  CHECK(player.go_to(99));  // clamped to the last step
  CHECK(player.step() == 2);
}

TEST_CASE("moving a slider re-runs at once, a bad value changes nothing", "[lessons][player]") {
  auto player = player_for("08-join", 2);
  auto end_of = [](const lessons::LessonRun& run) {
    auto done = find_event(run, "mark label=\"all three fetched\"");
    REQUIRE(done);
    return time_at(run, *done);
  };
  CHECK(end_of(player.run()) == std::chrono::milliseconds(500));
  const auto generation = player.generation();
  auto changed = player.set_param("latency_posts", std::int64_t{900});
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(player.generation() == generation + 1);
  CHECK(end_of(player.run()) == std::chrono::milliseconds(900));
  CHECK(player.params_changed_by_learner());

  auto refused = player.set_param("latency_posts", std::int64_t{5});
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == "5 is outside latency_posts's range 10..2000 ms");
  CHECK(player.params().integer("latency_posts") == 900);

  // The slider's value stays when the learner changes step; a step's own `set:` still wins for the
  // parameter it names.
  player.back();
  CHECK(player.params().integer("latency_posts") == 900);
  CHECK(player.params().flag("concurrent"));
  player.back();
  CHECK_FALSE(player.params().flag("concurrent"));
  CHECK(end_of(player.run()) == std::chrono::milliseconds(300 + 900 + 200));

  CHECK(player.reset_params());
  CHECK(player.params().integer("latency_posts") == 500);
  CHECK_FALSE(player.params_changed_by_learner());
}
