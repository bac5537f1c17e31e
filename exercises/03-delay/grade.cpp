// Grader of exercise 03 (delay: a timer future that stores the waker and is woken by the timer).
// Each TEST_CASE is one graded point, tagged [task_N].
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "delay.hpp"
#include "grading.hpp"
#include "watched_future.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

constexpr Duration delay_for = 250ms;
// What the Delay answered, poll by poll (see grading/watched_future.hpp: it polls the Delay where it
// stands, as `co_await` does, and past a budget of polls gives up, so a spinning poll fails the grade
// instead of hanging it).
using Watch = grading::PollWatch<void>;
using Watched = grading::WatchedFuture<Delay>;

// Polls a borrowed Delay exactly once, whatever it answers.
struct PollOnce {
  using Output = bool;
  Delay* delay;
  Poll<bool> poll(Context& cx) { return Poll<bool>::ready(delay->poll(cx).is_ready()); }
};

Task<void> await_delay(Watch* watch) {
  Delay delay(delay_for);
  Watched watched(&delay, watch);
  co_await watched;
}

// The Delay is polled once by main, then awaited by another task, "waiter": the waker changes.
Task<void> await_borrowed(Delay* delay, Watch* watch) {
  Watched watched(delay, watch);
  co_await watched;
}
Task<void> hand_over(Watch* watch) {
  Delay delay(delay_for);
  PollOnce first{&delay};
  co_await first;
  auto waiter = spawn(await_borrowed(&delay, watch), "waiter");
  co_await waiter;
}

// The Delay is polled twice by main itself: the waker stays the same.
constexpr const char* second_poll_begins = "second poll by the same task";
constexpr const char* second_poll_ends = "second poll done";
Task<void> poll_twice(Watch* watch) {
  Delay delay(delay_for);
  PollOnce first{&delay};
  co_await first;
  co_await yield_now();
  mark(second_poll_begins);
  PollOnce second{&delay};
  co_await second;
  mark(second_poll_ends);
  Watched rest(&delay, watch);
  co_await rest;
}

std::string at(Duration d) { return grading::GradedRun::at(d); }

std::string task_name(const trace::Trace& t, std::uint32_t id) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::task_spawned && t[i].task == id)
      return fmt::format("\"{}\"", t.string(t.site(t[i].b).name));
  return fmt::format("{}", id);
}

// "Pending at 0 ms, Ready at 250 ms"
std::string answers(const Watch& watch) {
  std::string out;
  for (const auto& p : watch.polls)
    out += fmt::format("{}{} at {}", out.empty() ? "" : ", ", p.ready ? "Ready" : "Pending", at(p.began));
  return out.empty() ? "never polled" : out;
}

// Wakes of `task` by some other task (not itself), at or after `from`.
std::vector<trace::Event> woken_by_others(const trace::TraceQuery& q, std::uint32_t task, Duration from) {
  return q.events_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::wake && e.task == task && !(e.flags & trace::wake_flag::self) &&
           e.a != 0 && e.a != task && trace::TraceQuery::time(e) >= from;
  });
}

void fail_if_no_timer(std::uint64_t seed, const grading::GradedRun& run, const Watch& watch) {
  if (run.stuck && run.query().task_named("delay timer") == 0)
    grading::fail(
        fmt::format("seed {}: the Delay answered {}, but no timer was ever started: nothing could wake "
                    "the task, and the run stopped at {} with it waiting for ever",
                    seed, answers(watch), at(run.end())),
        "the first poll starts the timer (start_timer()), which wakes the task at 250 ms",
        "exercise.cpp: a Pending answer needs someone who will wake the task — here, the timer");
}

// One Delay, one timer: a poll that starts another each time it answers Pending leaves timers that
// fire (and wake) for nothing — a hand-written future's version of a leak.
void fail_if_many_timers(std::uint64_t seed, const grading::GradedRun& run, const Watch& watch) {
  const auto& t = run.trace;
  std::size_t timers = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::task_spawned && t.string(t.site(t[i].b).name) == "delay timer") ++timers;
  if (timers > 1)
    grading::fail(fmt::format("seed {}: the Delay started {} timers (it answered {}): every Pending poll started "
                              "one more \"delay timer\" task",
                              seed, timers, answers(watch)),
                  "one timer, started by the first poll; later polls only leave the current waker",
                  "exercise.cpp: start_timer() once — `timer` is empty until it has been started");
}

void fail_if_spinning(std::uint64_t seed, const Watch& watch) {
  if (watch.gave_up)
    grading::fail(
        fmt::format("busy spin (seed {}): the Delay was polled {} times, all at {}, answering Pending "
                    "every time — while a task keeps waking itself, virtual time cannot move on to "
                    "the deadline",
                    seed, watch.budget, at(watch.polls.back().began)),
        "one Pending poll at 0 ms, then nothing until the timer wakes the task at 250 ms",
        "exercise.cpp: `wake_by_ref` means \"poll me again now\". Store the waker in the shared state "
        "instead, start the timer, and let the timer wake it");
}

}  // namespace

TEST_CASE("a Delay of 250 ms completes at 250 ms", "[ex03][task_1]") {
  for (auto seed : grading::seeds) {
    Watch watch;
    auto run = grading::run_graded("03-delay", seed, [&] { return await_delay(&watch); });
    fail_if_spinning(seed, watch);
    fail_if_no_timer(seed, run, watch);
    fail_if_many_timers(seed, run, watch);
    grading::require_finished(run);
    const bool ready = !watch.polls.empty() && watch.polls.back().ready;
    if (!ready || watch.polls.back().ended != delay_for || run.end() != delay_for)
      grading::fail(
          fmt::format("seed {}: the Delay answered {}{}; the run ended at {}", seed, answers(watch),
                      ready ? fmt::format(" (Ready given at {})", at(watch.polls.back().ended)) : "",
                      at(run.end())),
          "Ready at 250 ms exactly: not before the deadline, not after",
          "exercise.cpp: when poll answers Ready, and whether the timer is started");
  }
}

TEST_CASE("the Delay is polled at most twice: Pending at 0 ms, woken by the timer at 250 ms, then Ready",
          "[ex03][task_2]") {
  for (auto seed : grading::seeds) {
    Watch watch;
    auto run = grading::run_graded("03-delay", seed, [&] { return await_delay(&watch); });
    fail_if_spinning(seed, watch);
    fail_if_no_timer(seed, run, watch);
    fail_if_many_timers(seed, run, watch);
    grading::require_finished(run);
    const auto q = run.query();
    const std::uint32_t main = q.task_named("main");
    if (watch.polls.size() > 2)
      grading::fail(
          fmt::format("seed {}: the Delay was polled {} times: {}", seed, watch.polls.size(), answers(watch)),
          "at most 2 polls: Pending at 0 ms, Ready at 250 ms",
          "exercise.cpp: who wakes the task before the deadline? Only the timer should");
    const auto& last = watch.polls.back();
    if (last.ready && last.ended > last.began)
      grading::fail(
          fmt::format("seed {}: the Delay's poll that began at {} answered Ready at {}: that poll held the "
                      "worker for {} (the runtime's long-poll lint fired {} time{}), so no other task "
                      "could run meanwhile",
                      seed, at(last.began), at(last.ended), at(last.ended - last.began),
                      q.lint_count(trace::LintKind::long_poll),
                      q.lint_count(trace::LintKind::long_poll) == 1 ? "" : "s"),
          "poll returns at once: Pending at 0 ms, and the timer wakes the task at 250 ms",
          "exercise.cpp: never wait inside poll — answer Pending and let the timer wake the task");
    const auto wakes = woken_by_others(q, main, delay_for);
    if (wakes.empty() || trace::TraceQuery::time(wakes.front()) != delay_for)
      grading::fail(
          fmt::format("seed {}: the Delay answered {}, and task \"main\" was {}", seed, answers(watch),
                      wakes.empty()
                          ? std::string("never woken by another task")
                          : fmt::format("first woken by task {} at {}", task_name(run.trace, wakes.front().a),
                                        at(trace::TraceQuery::time(wakes.front())))),
          "the delay timer wakes task \"main\" at 250 ms, through the waker your poll stored",
          "exercise.cpp: the waker you leave in `state` is the one the timer wakes");
  }
}

TEST_CASE("awaited by another task, the Delay wakes that task: the stored waker is replaced",
          "[ex03][task_3]") {
  for (auto seed : grading::seeds) {
    Watch watch;
    auto run = grading::run_graded("03-delay", seed, [&] { return hand_over(&watch); });
    fail_if_spinning(seed, watch);
    fail_if_no_timer(seed, run, watch);
    fail_if_many_timers(seed, run, watch);
    const auto q = run.query();
    const std::uint32_t waiter = q.task_named("waiter");
    const std::uint32_t main = q.task_named("main");
    const auto main_woken = woken_by_others(q, main, delay_for);
    if (run.stuck && woken_by_others(q, waiter, delay_for).empty())
      grading::fail(
          fmt::format("seed {}: task \"main\" polled the Delay first, then task \"waiter\" awaited it ({}). "
                      "{} — but \"waiter\" was never woken, and the run stopped at {} with it waiting "
                      "for ever",
                      seed, answers(watch),
                      main_woken.empty()
                          ? std::string("At 250 ms nobody was woken")
                          : fmt::format("At {} task {} woke \"main\", whose waker was still stored",
                                        at(trace::TraceQuery::time(main_woken.front())),
                                        task_name(run.trace, main_woken.front().a)),
                      at(run.end())),
          "the timer wakes \"waiter\" at 250 ms: the task polling the Delay now",
          "exercise.cpp: a future may be polled by a different task than last time. On every Pending "
          "poll, if `!state->waker.will_wake(cx.waker())`, store the new waker in place of the old");
    grading::require_finished(run);
    const auto waiter_woken = woken_by_others(q, waiter, delay_for);
    const bool ready = !watch.polls.empty() && watch.polls.back().ready;
    if (!ready || watch.polls.back().began != delay_for || waiter_woken.empty())
      grading::fail(
          fmt::format("seed {}: awaited by task \"waiter\" after a first poll by \"main\", the Delay "
                      "answered {}{}",
                      seed, answers(watch), waiter_woken.empty() ? ", and \"waiter\" was never woken" : ""),
          "\"waiter\" is woken by the timer at 250 ms and the Delay answers Ready then",
          "exercise.cpp: the waker stored in `state` when \"waiter\" polls");
  }
}

TEST_CASE("polled again by the same task, the Delay keeps the waker it stored (will_wake): no new clone",
          "[ex03][task_4]") {
  for (auto seed : grading::seeds) {
    Watch watch;
    auto run = grading::run_graded("03-delay", seed, [&] { return poll_twice(&watch); });
    fail_if_spinning(seed, watch);
    fail_if_no_timer(seed, run, watch);
    fail_if_many_timers(seed, run, watch);
    grading::require_finished(run);
    const auto& t = run.trace;
    const std::uint32_t main = run.query().task_named("main");
    std::size_t clones = 0;
    bool inside = false, seen = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const auto e = t[i];
      if (e.kind == trace::EventKind::mark && t.string(e.b) == second_poll_begins) inside = seen = true;
      if (e.kind == trace::EventKind::mark && t.string(e.b) == second_poll_ends) inside = false;
      if (inside && e.kind == trace::EventKind::waker_cloned && e.task == main) ++clones;
    }
    if (!seen) grading::fail("the grader's own mark is missing from the trace", "it is there", "grade.cpp");
    if (clones > 0)
      grading::fail(
          fmt::format("seed {}: polled a second time by task \"main\", whose waker it already kept, the "
                      "Delay cloned that waker again ({} clone{}, and the old one dropped)",
                      seed, clones, clones == 1 ? "" : "s"),
          "no clone: `state->waker.will_wake(cx.waker())` is true, so the stored waker stays",
          "exercise.cpp: replace the stored waker only when will_wake says it would wake another task");
  }
}
