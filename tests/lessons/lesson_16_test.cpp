// Lesson 16, errors: a failed request comes back up through co_await as a value — the handler task
// ends ok, nothing panics, an early return skips the rest, and the error carries its context — while
// unwrapping the same error makes the task panic, which its awaiter receives as a JoinError.
#include <string>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

bool said_contains(const lessons::LessonRun& run, std::string_view text) {
  for (const auto& line : run.said)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

std::size_t panicked_polls(const TraceQuery& q) {
  return q.count_if([](const trace::Event& e) {
    return (e.kind == trace::EventKind::poll_end &&
            e.flags == static_cast<std::uint16_t>(trace::PollResult::panicked)) ||
           (e.kind == trace::EventKind::task_completed &&
            e.flags == static_cast<std::uint16_t>(trace::Outcome::panicked));
  });
}

}  // namespace

TEST_CASE("lesson 16: an error returned as a value ends the task normally, with its context, and no panic",
          "[lessons][lesson16]") {
  for (std::string failing : {"users", "posts"}) {
    for (std::uint64_t seed : {1u, 2u, 17u}) {
      INFO(fmt::format("failing {} seed {}", failing, seed));
      auto run = run_lesson_with("16-errors", {{"failing", failing}, {"unwrap", "false"}}, seed);
      TraceQuery q(run.trace);
      const auto handler = q.task_named("request user 42");
      REQUIRE(handler != 0);
      CHECK(q.outcome(handler) == trace::Outcome::ok);
      CHECK(panicked_polls(q) == 0);
      CHECK(find_event(run, "mark label=\"error handled\""));
      CHECK_FALSE(find_event(run, "mark label=\"panic caught\""));
      CHECK(said_contains(run,
                          fmt::format("main: request failed: loading the dashboard of user 42: fetching /{}: "
                                      "connection refused: https://api.example/{}",
                                      failing, failing)));
      // The `?`: a refused /users returns before /posts is ever requested.
      CHECK(q.count(trace::EventKind::request_begin) == (failing == "users" ? 1u : 2u));
    }
  }
  auto fine = run_lesson_with("16-errors", {{"failing", "none"}});
  CHECK(find_event(fine, "mark label=\"dashboard served\""));
  CHECK(said_contains(fine, "main: dashboard served, 4600 bytes"));
}

TEST_CASE("lesson 16: unwrapping the error makes the task panic, and its awaiter gets a panic JoinError",
          "[lessons][lesson16]") {
  for (std::uint64_t seed : {1u, 4242u}) {
    INFO(fmt::format("seed {}", seed));
    auto run = run_lesson_with("16-errors", {{"failing", "posts"}, {"unwrap", "true"}}, seed);
    TraceQuery q(run.trace);
    const auto handler = q.task_named("request user 42");
    REQUIRE(handler != 0);
    CHECK(q.outcome(handler) == trace::Outcome::panicked);
    CHECK(q.poll_results(handler).back() == trace::PollResult::panicked);
    // main survives the panic: it completes normally, having seen the JoinError.
    CHECK(q.outcome(q.task_named("main")) == trace::Outcome::ok);
    CHECK(find_event(run, "mark label=\"panic caught\""));
    CHECK_FALSE(find_event(run, "mark label=\"error handled\""));
    CHECK(said_contains(
        run, "main: the handler panicked: called `Result::unwrap()` on an `Err` value: fetching /posts"));
  }
  // With nothing failing, the same unwrap is harmless.
  auto fine = run_lesson_with("16-errors", {{"failing", "none"}, {"unwrap", "true"}});
  TraceQuery q(fine.trace);
  CHECK(panicked_polls(q) == 0);
  CHECK(find_event(fine, "mark label=\"dashboard served\""));
}
