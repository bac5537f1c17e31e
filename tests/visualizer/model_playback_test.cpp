// Finding events and moving through them (trace/event_filter.hpp, model/playback.hpp): the
// filters behind lesson directives and breakpoints, and the playback cursor the GUI follows.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/event_filter.hpp"
#include "model/playback.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using namespace std::chrono_literals;
using asynclab::testing::showcase_trace;
using asynclab::testing::TraceQuery;
using trace::Event;
using trace::EventKind;
using trace::EventFilter;
using trace::FilterContext;
using trace::find_next;
using trace::parse_event_filter;

namespace {

// Two fetches of different latency, as lesson 3 narrates them: "fetch a" takes 20 ms, "fetch b"
// 50 ms, and main marks when each result is in.
trace::Trace two_fetches() {
  trace::Recorder rec;
  {
    auto rt = asynclab::testing::virtual_runtime(rec);
    rt.block_on([]() -> Task<void> {
      auto fetch = [](Duration latency) -> Task<int> {
        co_await sleep(latency);
        co_return 1;
      };
      auto a = spawn(fetch(20ms), "fetch a");
      auto b = spawn(fetch(50ms), "fetch b");
      (void)co_await a;
      mark("a done");
      (void)co_await b;
      mark("b done");
    }());
  }
  return rec.take();
}

EventFilter parsed(std::string_view text) {
  auto f = parse_event_filter(text);
  INFO(text << ": " << (f ? std::string() : f.error()));
  REQUIRE(f.has_value());
  return *f;
}

std::size_t index_of(const trace::Trace& t, std::string_view filter) {
  auto i = find_next(t, parsed(filter), 0);
  INFO(filter);
  REQUIRE(i.has_value());
  return *i;
}

}  // namespace

// --- parsing -----------------------------------------------------------------------------------

TEST_CASE("a filter reads as an event kind or its alias followed by key=value pairs", "[vis][filter]") {
  struct Row {
    const char* text;
    EventKind kind;
  };
  for (const Row& row : {
           Row{"wake", EventKind::wake},
           Row{"poll", EventKind::poll_begin},
           Row{"poll_begin", EventKind::poll_begin},
           Row{"poll_end result=ready", EventKind::poll_end},
           Row{"spawn task=\"fetch a\"", EventKind::task_spawned},
           Row{"complete outcome=cancelled", EventKind::task_completed},
           Row{"done", EventKind::task_completed},
           Row{"send resource=jobs result=full", EventKind::channel_send},
           Row{"recv", EventKind::channel_recv},
           Row{"lock resource=shared", EventKind::lock_acquired},
           Row{"deadlock", EventKind::stuck_wait},
           Row{"timer_fired", EventKind::timer_fired},
           Row{"blocking_begin", EventKind::blocking_begin},
           Row{"request_end", EventKind::request_end},
           Row{"runtime_stopped", EventKind::runtime_stopped},
           Row{"lint lint=lost_waker", EventKind::lint},
           Row{"  mark label=start  ", EventKind::mark},
       }) {
    CAPTURE(row.text);
    CHECK(parsed(row.text).kind == row.kind);
  }

  const EventFilter f = parsed(R"(  wake task="fetch b" from=main source=timer nth=2 )");
  CHECK(f.text == R"(wake task="fetch b" from=main source=timer nth=2)");
  CHECK(f.task == "fetch b");
  CHECK(f.from == "main");
  CHECK(f.source == trace::WakeSource::timer);
  CHECK(f.nth == 2);
  CHECK(parsed(R"(mark label="say \"hi\" \\ bye")").label == R"(say "hi" \ bye)");
  CHECK(parsed(R"(lint lint="forgotten future")").lint == trace::LintKind::forgotten_future);
  CHECK(parsed("poll_end result=panicked").result == static_cast<std::uint16_t>(trace::PollResult::panicked));
  CHECK(parsed("wake source=self").self_wake);
}

TEST_CASE("a filter that cannot be understood says which word is wrong and what would be valid",
          "[vis][filter]") {
  using Catch::Matchers::Contains;
  struct Row {
    const char* text;
    std::vector<std::string> says;
  };
  const std::vector<Row> rows{
      {"", {"empty filter"}},
      {"   ", {"empty filter"}},
      {"wak task=a",
       {"unknown event kind \"wak\"", "valid kinds: runtime_started, task_spawned", "stuck_wait",
        "aliases poll, spawn"}},
      {"task=a", {"starts with an event kind", "task=a"}},
      {"wake tsk=a", {"unknown key \"tsk\"", "valid keys: task, from, source"}},
      {"wake task", {"expected key=value, got \"task\""}},
      {"wake task=", {"task has no value"}},
      {"wake task=\"fetch b", {"no closing quote"}},
      {"wake task=\"a\"b", {"expected a space after the quoted value of task"}},
      {"wake source=moon", {"bad value \"moon\" for source", "task, timer, channel, io, blocking, runtime"}},
      {"poll_end result=done", {"bad value \"done\" for result", "pending, ready, panicked"}},
      {"poll result=ready", {"key result does not apply to poll_begin events", "poll_end"}},
      {"complete outcome=fine", {"bad value \"fine\" for outcome", "ok, panicked, cancelled"}},
      {"wake label=x", {"key label does not apply to wake events", "mark"}},
      {"lint lint=oops",
       {"bad value \"oops\" for lint", "forgotten_future, lost_waker, self_wake, long_poll"}},
      {"poll resource=jobs", {"key resource does not apply to poll_begin events", "channel_send"}},
      {"wake nth=0", {"bad value \"0\" for nth", "from 1"}},
      {"wake nth=two", {"bad value \"two\" for nth"}},
      {"wake nth=-1", {"bad value \"-1\" for nth"}},
      {"wake task=a task=b", {"key task is given twice"}},
      {"send result=ready", {"bad value \"ready\" for result on channel_send", "sent, full, closed"}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    auto f = parse_event_filter(row.text);
    REQUIRE_FALSE(f.has_value());
    for (const std::string& part : row.says) CHECK_THAT(f.error(), Contains(part));
  }
}

// --- matching ----------------------------------------------------------------------------------

TEST_CASE("a wake filter finds the wake of the named task at its virtual time", "[vis][filter]") {
  const trace::Trace t = two_fetches();
  const std::size_t wake_b = index_of(t, R"(wake task="fetch b")");
  CHECK(t[wake_b].kind == EventKind::wake);
  CHECK(t.task_name(t[wake_b].task) == "fetch b");
  CHECK(t[wake_b].time_ns == 50'000'000);  // its timer fires when its 50 ms sleep is over
  CHECK(static_cast<trace::WakeSource>(t[wake_b].flags & trace::wake_flag::source_mask) ==
        trace::WakeSource::timer);

  CHECK(t[index_of(t, R"(wake task="fetch a")")].time_ns == 20'000'000);
  // main is woken when each fetch finishes: by "fetch a" at 20 ms, then by "fetch b" at 50 ms.
  CHECK(t[index_of(t, R"(wake task=main from="fetch a")")].time_ns == 20'000'000);
  CHECK(t[index_of(t, R"(wake task=main from="fetch b")")].time_ns == 50'000'000);
  CHECK(t[index_of(t, "mark label=\"b done\"")].time_ns == 50'000'000);
  CHECK_FALSE(find_next(t, parsed(R"(wake task="fetch c")"), 0).has_value());
}

TEST_CASE("a filter matches only events with its kind and every field it names", "[vis][filter]") {
  const trace::Trace t = two_fetches();
  const TraceQuery q(t);
  FilterContext context(t);
  const auto count = [&](std::string_view text) {
    const EventFilter f = parsed(text);
    std::size_t n = 0;
    for (std::size_t i = 0; i < t.size(); ++i) n += f.matches(context, t[i]) ? 1 : 0;
    return n;
  };
  const std::uint32_t fetch_a = q.task_named("fetch a");
  CHECK(count("poll") == q.count(EventKind::poll_begin));
  CHECK(count(R"(poll task="fetch a")") == q.count(EventKind::poll_begin, fetch_a));
  CHECK(count(R"(poll_end task="fetch a" result=ready)") == 1);
  CHECK(count(R"(poll_end task="fetch a" result=pending)") == q.count(EventKind::poll_end, fetch_a) - 1);
  CHECK(count("spawn") == 3);  // main and the two fetches
  CHECK(count("spawn from=main") == 2);
  CHECK(count("complete outcome=ok") == 3);
  CHECK(count("complete outcome=panicked") == 0);
  CHECK(count("wake source=timer") == 2);
  CHECK(count("mark") == 2);
  CHECK(count("mark label=\"a done\"") == 1);
  CHECK(count("clock_advanced task=runtime") == q.count(EventKind::clock_advanced, 0));
  // The one-shot form builds its own context.
  CHECK(parsed("mark label=\"a done\"").matches(t, t[index_of(t, "mark")]));
}

TEST_CASE("nth picks the nth match counted from the start of the trace", "[vis][filter]") {
  const trace::Trace t = two_fetches();
  const std::size_t first = index_of(t, "wake source=timer");
  const std::size_t second = index_of(t, "wake source=timer nth=2");
  CHECK(second > first);
  CHECK(t[second].time_ns == 50'000'000);
  CHECK(index_of(t, "wake source=timer nth=1") == first);
  // Counted from the start whatever `from` is: the second match is the same event from anywhere
  // before it, and there is none after it.
  CHECK(find_next(t, parsed("wake source=timer nth=2"), first + 1) == second);
  CHECK_FALSE(find_next(t, parsed("wake source=timer nth=2"), second + 1).has_value());
  CHECK_FALSE(find_next(t, parsed("wake source=timer nth=3"), 0).has_value());
  // Without nth, from is where the search starts.
  CHECK(find_next(t, parsed("wake source=timer"), first + 1) == second);
}

TEST_CASE("a resource filter finds channel and lock events by the resource's name", "[vis][filter]") {
  const trace::Trace t = showcase_trace();
  FilterContext context(t);
  const auto full = find_next(context, parsed("send resource=jobs result=full"), 0);
  REQUIRE(full.has_value());
  CHECK(t[*full].kind == EventKind::channel_send);
  CHECK(t.task_name(t[*full].task) == "producer");  // capacity 1: the producer fills the buffer
  const auto lock = find_next(context, parsed(R"(lock resource=shared task="worker 2")"), 0);
  REQUIRE(lock.has_value());
  CHECK(t[*lock].kind == EventKind::lock_acquired);
  CHECK(context.resource_name(t[*lock].a) == "shared");
  CHECK_FALSE(find_next(context, parsed("send resource=nothing"), 0).has_value());
}

TEST_CASE("a deadlock filter with resource= picks the stuck task waiting on that lock", "[vis][filter]") {
  namespace ev = trace::ev;
  trace::Trace t;
  const std::uint32_t knife = t.add_string("knife"), board = t.add_string("board");
  t.push(ev::TaskSpawned{1, 0, 0}.to_event(0));
  t.push(ev::TaskSpawned{2, 0, 0}.to_event(0));
  t.push(ev::ResourceCreated{1, 1, knife, trace::ResourceKind::mutex}.to_event(0));
  t.push(ev::ResourceCreated{2, 2, board, trace::ResourceKind::mutex}.to_event(0));
  t.push(ev::StuckWait{1, 2, 2, true, false}.to_event(10));  // task 1 waits on the board
  t.push(ev::StuckWait{2, 1, 1, true, false}.to_event(10));  // task 2 waits on the knife
  const auto on_knife = find_next(t, parsed("deadlock resource=knife"), 0);
  REQUIRE(on_knife.has_value());
  CHECK(t[*on_knife].task == 2);
  CHECK(find_next(t, parsed("deadlock resource=board"), 0) == std::optional<std::size_t>(4));
  CHECK_FALSE(find_next(t, parsed("deadlock resource=spoon"), 0).has_value());
}

// --- playback ----------------------------------------------------------------------------------

TEST_CASE("stepping moves the cursor one event at a time and stays inside the trace", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  Playback p(t);
  CHECK(p.cursor() == 0);
  CHECK(p.size() == t.size());
  CHECK(p.at_start());
  CHECK_FALSE(p.step_back());  // already before everything
  CHECK(p.cursor() == 0);
  CHECK(p.step_forward());
  CHECK(p.step_forward());
  CHECK(p.cursor() == 2);
  CHECK(p.step_back());
  CHECK(p.cursor() == 1);
  p.jump_end();
  CHECK(p.at_end());
  CHECK(p.cursor() == t.size());
  CHECK_FALSE(p.step_forward());
  CHECK(p.cursor() == t.size());
  p.jump_start();
  CHECK(p.cursor() == 0);
  p.seek(t.size() + 100);
  CHECK(p.cursor() == t.size());
}

TEST_CASE("playing advances by speed times real seconds, carrying fractions of an event", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  REQUIRE(t.size() > 20);
  Playback p(t);
  p.set_speed(10);
  p.advance(1.0);
  CHECK(p.cursor() == 0);  // paused: nothing moves
  p.play();
  REQUIRE(p.playing());
  p.advance(0.25);  // 2.5 events: two now, half carried
  CHECK(p.cursor() == 2);
  p.advance(0.05);  // 0.5 + 0.5
  CHECK(p.cursor() == 3);
  for (int frame = 0; frame < 7; ++frame) p.advance(1.0 / 70);  // seven frames of 1/7 event
  CHECK(p.cursor() == 4);
  p.advance(-1.0);  // time never runs backwards
  p.advance(0);
  CHECK(p.cursor() == 4);
  p.toggle();
  CHECK_FALSE(p.playing());
  p.advance(10);
  CHECK(p.cursor() == 4);
  p.toggle();
  p.advance(0.09);  // 0.9: the pause dropped what was carried before it
  CHECK(p.cursor() == 4);
}

TEST_CASE("playing to the end pauses there, and play at the end stays paused", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  Playback p(t);
  p.set_speed(1e6);
  p.play();
  CHECK_FALSE(p.advance(1e9).has_value());  // far more events than the trace has
  CHECK(p.at_end());
  CHECK_FALSE(p.playing());
  p.play();
  CHECK_FALSE(p.playing());
  p.set_speed(-5);
  CHECK(p.speed() == Playback::min_speed);
}

TEST_CASE("a breakpoint stops playback just after the event it matches", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  Playback p(t);
  auto b = p.add_breakpoint(R"(wake task="fetch b")");
  REQUIRE(b.has_value());
  REQUIRE(p.add_breakpoint("mark label=\"b done\"").has_value());
  CHECK(p.breakpoints().size() == 2);
  CHECK(p.breakpoints()[0].text == R"(wake task="fetch b")");

  const std::size_t wake_b = index_of(t, R"(wake task="fetch b")");
  p.set_speed(1000);
  p.play();
  std::optional<std::size_t> hit;
  for (int frame = 0; frame < 1000 && !hit; ++frame) hit = p.advance(1.0 / 60);
  REQUIRE(hit == 0u);
  CHECK(p.cursor() == wake_b + 1);  // the wake is the current event
  CHECK_FALSE(p.playing());

  // Resuming goes on to the next breakpoint, not the same one again.
  p.play();
  hit = p.advance(1000);
  CHECK(hit == 1u);
  CHECK(p.cursor() == index_of(t, "mark label=\"b done\"") + 1);

  REQUIRE(p.remove_breakpoint(0));
  CHECK_FALSE(p.remove_breakpoint(5));
  CHECK(p.breakpoints().size() == 1);
  CHECK_FALSE(p.add_breakpoint("wak").has_value());
  p.clear_breakpoints();
  CHECK(p.breakpoints().empty());
}

TEST_CASE("a breakpoint with nth stops only at that occurrence", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  Playback p(t);
  REQUIRE(p.add_breakpoint("wake source=timer nth=2").has_value());
  p.set_speed(1e6);
  p.play();
  CHECK(p.advance(1) == 0u);
  CHECK(p.cursor() == index_of(t, "wake source=timer nth=2") + 1);
}

TEST_CASE("run_until moves to just after the next matching event", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  Playback p(t);
  const auto i = p.run_until(parsed(R"(wake task="fetch b")"));
  REQUIRE(i.has_value());
  CHECK(t[*i].time_ns == 50'000'000);
  CHECK(p.cursor() == *i + 1);
  // Nothing further: the cursor stays where it is.
  CHECK_FALSE(p.run_until(parsed(R"(wake task="fetch b")")).has_value());
  CHECK(p.cursor() == *i + 1);
}

TEST_CASE("stepping by task lands on that task's next and previous events", "[vis][playback]") {
  const trace::Trace t = two_fetches();
  const std::uint32_t fetch_b = TraceQuery(t).task_named("fetch b");
  std::vector<std::size_t> events_of_b;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].task == fetch_b) events_of_b.push_back(i);
  REQUIRE(events_of_b.size() >= 4);

  Playback p(t);
  for (std::size_t i : events_of_b) {
    REQUIRE(p.step_to_next_of_task(fetch_b));
    CHECK(p.cursor() == i + 1);
  }
  CHECK_FALSE(p.step_to_next_of_task(fetch_b));
  CHECK(p.cursor() == events_of_b.back() + 1);

  for (std::size_t k = events_of_b.size() - 1; k-- > 0;) {
    REQUIRE(p.step_to_prev_of_task(fetch_b));
    CHECK(p.cursor() == events_of_b[k] + 1);
  }
  CHECK_FALSE(p.step_to_prev_of_task(fetch_b));
  CHECK(p.cursor() == events_of_b.front() + 1);

  // From the end, "previous" is the task's last event before the current one.
  p.jump_end();
  REQUIRE(p.step_to_prev_of_task(fetch_b));
  CHECK(p.cursor() == events_of_b.back() + 1);
  CHECK_FALSE(p.playing());
}
