// Lesson 05, pinning: the self-referential future is placed at home 1, may move before its first
// poll (recorded as a plain move), is pinned where the first poll finds it and from then on points
// into itself; a move after that is recorded as moved_after_pin, leaves its pointer aimed at the old
// home, and the next poll is refused (the holder task panics) — while a moved Task, whose frame
// never moves, still reads through its pointer.
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using trace::PinAction;

namespace {

bool said(const lessons::LessonRun& run, std::string_view text) {
  for (const auto& line : run.said)
    if (line.text.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("lesson 05: a move before the first poll is fine, the first poll pins, a move after it is refused",
          "[lessons][lesson05]") {
  for (bool before : {false, true}) {
    for (bool after : {false, true}) {
      for (std::uint64_t seed : {1u, 17u}) {
        INFO(fmt::format("move_before_poll {}, move_after_poll {}, seed {}", before, after, seed));
        auto run = run_lesson_with(
            "05-pinning",
            {{"move_before_poll", before ? "true" : "false"}, {"move_after_poll", after ? "true" : "false"}},
            seed);
        TraceQuery q(run.trace);
        const auto holder = q.task_named("holder");
        REQUIRE(holder != 0);

        std::vector<std::pair<PinAction, std::uint32_t>> pins;  // (action, home), in order
        for (const auto& e : q.events(trace::EventKind::pin)) {
          CHECK(e.task == holder);
          pins.emplace_back(static_cast<PinAction>(e.flags), e.b);
        }
        const std::uint32_t pinned_at = before ? 2 : 1;
        std::vector<std::pair<PinAction, std::uint32_t>> expected{{PinAction::placed, 1}};
        if (before) expected.emplace_back(PinAction::moved, 2);
        expected.emplace_back(PinAction::pinned, pinned_at);
        expected.emplace_back(PinAction::self_ref, pinned_at);  // its pointer aims into itself
        if (after) {
          expected.emplace_back(PinAction::moved_after_pin, pinned_at + 1);
          expected.emplace_back(PinAction::self_ref, pinned_at);  // still at the old home: dangling
        }
        expected.emplace_back(PinAction::dropped, pinned_at + (after ? 1 : 0));
        CHECK(pins == expected);

        const auto last_poll = q.poll_results(holder).back();
        if (after) {
          // Refused: the poll after the move throws, the holder panics, and nothing was read.
          CHECK(last_poll == trace::PollResult::panicked);
          CHECK(q.outcome(holder) == trace::Outcome::panicked);
          CHECK_FALSE(find_event(run, "mark label=\"read through its own pointer\""));
          CHECK(said(run, "polled after it was moved"));
        } else {
          CHECK(last_poll == trace::PollResult::ready);
          CHECK(q.outcome(holder) == trace::Outcome::ok);
          CHECK(said(run, "main: the holder read 6 through its future's own pointer"));
        }
        // The coroutine moved after its first poll works every time: its frame never moved.
        CHECK(find_event(run, "mark label=\"moved Task still works\""));
        CHECK(said(run, "main: the moved Task read 6 through its pointer"));
        CHECK(q.outcome(q.task_named("main")) == trace::Outcome::ok);
      }
    }
  }
}
