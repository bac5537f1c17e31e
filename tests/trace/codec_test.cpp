// The trace codec (trace/codec.hpp): one typed view per kind, decode and encode agree, and `check`
// accepts exactly the values the typed views can hold.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "asynclab/trace/codec.hpp"
#include "trace/trace_fixture.hpp"

using namespace asynclab;
using trace::EventKind;
namespace ev = trace::ev;

namespace {

bool same_event(const trace::Event& x, const trace::Event& y) {
  return x.time_ns == y.time_ns && x.kind == y.kind && x.worker == y.worker && x.flags == y.flags &&
         x.task == y.task && x.a == y.a && x.b == y.b;
}

template <class F>
void for_each_kind(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::tuple_element_t<I, trace::AllKinds>{}, I), ...);
  }(std::make_index_sequence<std::tuple_size_v<trace::AllKinds>>{});
}

trace::Event reencoded(const trace::Event& e) {
  return trace::visit(e, [&](const auto& view) { return view.to_event(e.time_ns, e.worker); });
}

// Sizes large enough that only flags can be refused.
constexpr trace::TableSizes roomy{100, 100, 100, 100, 0};

}  // namespace

TEST_CASE("every event kind has one typed view, listed in kind order", "[trace][codec]") {
  std::set<EventKind> seen;
  for_each_kind([&](const auto& view, std::size_t i) {
    using View = std::decay_t<decltype(view)>;
    INFO(trace::kind_name(View::kind));
    CHECK(static_cast<std::size_t>(View::kind) == i + 1);
    CHECK(trace::kind_name(View::kind) != "unknown");
    seen.insert(View::kind);
  });
  CHECK(seen.size() == static_cast<std::size_t>(EventKind::kind_count_) - 1);
}

TEST_CASE("every event a runtime records passes check and encodes back to the same bytes", "[trace][codec]") {
  std::set<EventKind> kinds;
  for (const trace::Trace& t : {trace_test::record_program(), trace_test::record_values()}) {
    trace::TableSizes sizes{0, t.strings().size(), t.locations().size(), t.sites().size(), 0};
    for (std::size_t i = 0; i < t.size(); ++i) {
      sizes.tasks += t[i].kind == EventKind::task_spawned;
      sizes.blocking_jobs += t[i].kind == EventKind::blocking_begin;
    }
    REQUIRE(t.size() > 10);
    for (std::size_t i = 0; i < t.size(); ++i) {
      INFO("event " << i << " (" << trace::kind_name(t[i].kind) << ")");
      const auto problem = trace::check(t[i], sizes);
      CHECK_FALSE(problem.has_value());
      CHECK(same_event(reencoded(t[i]), t[i]));
      kinds.insert(t[i].kind);
    }
  }
  CHECK(kinds.size() >= 18);  // the fixture programs touch most of the runtime: tasks, futures, timers, channels
}

TEST_CASE("check accepts exactly the flags a kind's typed view can hold, and those flags encode back unchanged",
          "[trace][codec]") {
  for_each_kind([&](const auto& view, std::size_t) {
    using View = std::decay_t<decltype(view)>;
    INFO(trace::kind_name(View::kind));
    std::size_t accepted = 0;
    for (std::uint32_t flags = 0; flags <= 0xffff; ++flags) {
      const trace::Event e{5'000, View::kind, 0, static_cast<std::uint16_t>(flags), 1, 1, 1};
      const auto problem = trace::check(e, roomy);
      if (problem) {
        CHECK(problem->field == trace::EventField::flags);
        CHECK_THAT(problem->message, Catch::StartsWith("has an unknown "));
        continue;
      }
      ++accepted;
      const View decoded = View::decode(e);
      CHECK(View::decode(decoded.to_event(e.time_ns, e.worker)) == decoded);
      CHECK(decoded.to_event(e.time_ns, e.worker).flags == e.flags);
    }
    // The values each kind's flags may take (trace/event.hpp).
    static const std::pair<EventKind, std::size_t> expected[] = {
        {EventKind::runtime_started, 256},  // bit 0: virtual time; bits 1-7: the flavor
        {EventKind::poll_end, 3},           {EventKind::wake, 7 * 4},
        {EventKind::task_completed, 3},     {EventKind::future_created, 5 * 256},  // node kind, branch
        {EventKind::future_polled, 2},      {EventKind::future_dropped, 5},
        {EventKind::lint, 4},               {EventKind::runtime_stopped, 3},
        {EventKind::resource_created, 8},   {EventKind::channel_send, 3},
        {EventKind::channel_recv, 4},       {EventKind::channel_closed, 3},
        {EventKind::notified, 2},           {EventKind::request_end, 5},
        {EventKind::stuck_wait, 4},         {EventKind::pin, 6},
        {EventKind::channel_value, 3},
    };
    std::size_t want = 1;  // a kind without flags: only 0
    for (const auto& [kind, count] : expected)
      if (kind == View::kind) want = count;
    CHECK(accepted == want);
  });
}

TEST_CASE("typed views name what the packed fields mean", "[trace][codec]") {
  SECTION("a wake: who woke whom, from where, and how") {
    const ev::Wake w{7, 3, trace::WakeSource::channel, false, true};
    const trace::Event e = w.to_event(1'000, 2);
    CHECK(e.task == 7);
    CHECK(e.a == 3);
    CHECK(e.worker == 2);
    CHECK((e.flags & trace::wake_flag::source_mask) == static_cast<std::uint16_t>(trace::WakeSource::channel));
    CHECK((e.flags & trace::wake_flag::by_ref) != 0);
    CHECK(trace::as<ev::Wake>(e) == w);
    CHECK_FALSE(trace::as<ev::PollBegin>(e).has_value());
  }
  SECTION("a poll's end shows the learner's own line when the runtime recorded one") {
    CHECK(ev::PollEnd{1, trace::PollResult::pending, 4, 0}.shown_at() == 4);
    CHECK(ev::PollEnd{1, trace::PollResult::pending, 4, 9}.shown_at() == 9);
  }
  SECTION("the start of a run: 64-bit seed, flavor and worker count") {
    const ev::RuntimeStarted s{true, 1, 4, 0x1234'5678'9abc'def0ull};
    const trace::Event e = s.to_event(0);
    CHECK(e.worker == 3);
    CHECK(ev::RuntimeStarted::decode(e) == s);
    CHECK(ev::RuntimeStarted::decode(e).multi_thread());
  }
  SECTION("a future's end newer than this reader keeps its low bit: answered Ready or not") {
    CHECK(ev::FutureDropped::decode(trace::Event{0, EventKind::future_dropped, 0, 7, 1, 2, 0}).end ==
          trace::FutureEnd::completed);
    CHECK(ev::FutureDropped::decode(trace::Event{0, EventKind::future_dropped, 0, 8, 1, 2, 0}).end ==
          trace::FutureEnd::cancelled);
  }
  SECTION("a clock moved by a task's sim::block_for keeps that task") {
    const trace::Event e{40'000'000, EventKind::clock_advanced, 0, 0, 3, 10'000'000, 0};
    CHECK(ev::ClockAdvanced::decode(e).task == 3);
    CHECK(same_event(ev::ClockAdvanced::decode(e).to_event(0), e));
  }
  SECTION("a branch whose pattern refused its Ready output answered Ready, but did not complete") {
    const auto refused = ev::FutureDropped{1, 2, trace::FutureEnd::disabled_by_pattern};
    CHECK(refused.answered_ready());
    CHECK_FALSE(refused.completed());
    CHECK_FALSE(ev::FutureDropped{1, 2, trace::FutureEnd::released}.answered_ready());
  }
  SECTION("only resource events name a resource") {
    CHECK(trace::resource_of(ev::LockWaiting{1, 5, 1}.to_event(0)) == 5u);
    CHECK_FALSE(trace::resource_of(ev::StuckWait{1, 5, 2, true, false}.to_event(0)).has_value());
  }
}

TEST_CASE("check names the field and the table an event refers past", "[trace][codec]") {
  const trace::TableSizes sizes{3, 4, 5, 2, 1};
  auto problem = [&](const trace::Event& e) {
    auto p = trace::check(e, sizes);
    REQUIRE(p.has_value());
    return *p;
  };
  CHECK(problem(ev::Mark{1, 4}.to_event(0)).message == "refers to string 4 but the table has 4");
  CHECK(problem(ev::PollEnd{1, trace::PollResult::ready, 0, 5}.to_event(0)).field == trace::EventField::a);
  CHECK(problem(ev::PollEnd{1, trace::PollResult::ready, 0, 5}.to_event(0)).message ==
        "refers to location 5 but the table has 5");
  CHECK(problem(ev::TaskSpawned{1, 0, 2}.to_event(0)).message == "refers to spawn site 2 but the table has 2");
  CHECK(problem(ev::Wake{1, 4, trace::WakeSource::task, false, false}.to_event(0)).message ==
        "refers to task 4 but the trace spawns only 3 tasks");
  CHECK(problem(ev::StuckWait{2, 0, 9, false, true}.to_event(0)).field == trace::EventField::b);
  CHECK(problem(ev::BlockingBegin{1, 65, 1}.to_event(0)).message ==
        "runs on blocking lane 65, but a trace with 1 blocking job uses lanes up to 64 at most");
  CHECK_FALSE(trace::check(ev::BlockingBegin{1, 64, 1}.to_event(0), sizes).has_value());
  CHECK(problem(trace::Event{0, EventKind::poll_begin, 0, 0, 4, 0, 0}).field == trace::EventField::task);
}

TEST_CASE("visit refuses an event whose kind is not one", "[trace][codec]") {
  const trace::Event bad{0, EventKind::kind_count_, 0, 0, 0, 0, 0};
  CHECK_THROWS_AS(trace::visit(bad, [](const auto&) { return 0; }), std::invalid_argument);
}
