// Lesson 08, join!: awaited one after another the fetches make a staircase and the total is the sum
// of the latencies; joined, all three are in flight at once and the total is the slowest.
#include "lessons/lesson_support.hpp"

using namespace std::chrono_literals;
using namespace asynclab::testing;

TEST_CASE("lesson 08: sequential awaits take the sum, join takes the slowest", "[lessons][lesson08]") {
  for (auto [a, b, c] : {std::tuple{300, 500, 200}, {100, 100, 900}, {700, 20, 40}}) {
    const std::initializer_list<std::pair<std::string, std::string>> latencies = {
        {"latency_users", std::to_string(a)}, {"latency_posts", std::to_string(b)},
        {"latency_comments", std::to_string(c)}};
    std::vector<std::pair<std::string, std::string>> sequential(latencies), concurrent(latencies);
    sequential.emplace_back("concurrent", "false");
    concurrent.emplace_back("concurrent", "true");
    for (auto [params, expected] : {std::pair{sequential, a + b + c}, {concurrent, std::max({a, b, c})}}) {
      INFO(fmt::format("latencies {} {} {}, {}", a, b, c, params.back().second));
      const auto& l = lesson("08-join");
      asynclab::lessons::ParamValues values(l.params);
      for (auto& [k, v] : params) REQUIRE(values.set(k, v));
      auto run = asynclab::lessons::run_lesson(l, lesson_catalog().find("08")->scenario, values, 1, values);
      REQUIRE(run.error.empty());
      auto done = find_event(run, "mark label=\"all three fetched\"");
      REQUIRE(done);
      CHECK(time_at(run, *done) == std::chrono::milliseconds(expected));
      // Joined, the three requests are all in flight before the first answer comes back.
      auto third_begin = find_event(run, "request_begin nth=3");
      auto first_end = find_event(run, "request_end nth=1");
      REQUIRE(third_begin);
      REQUIRE(first_end);
      if (params.back().second == "true") {
        CHECK(*third_begin < *first_end);
      } else {
        CHECK(*third_begin > *first_end);
      }
    }
  }
}
