// Lesson 12, channels: mpsc delivers every message in the order sent and ends (recv gives None) only
// once the last sender is dropped, so a main that keeps its own sender waits for ever; oneshot carries
// one answer; a slow broadcast subscriber is told it lagged and misses exactly what it was told; a
// watch receiver only ever sees the newest value.
#include <string>
#include <vector>

#include "asynclab/trace/value_label.hpp"
#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;

namespace {

// Every event a directive-language filter picks, by index.
std::vector<std::size_t> all_events(const lessons::LessonRun& run, std::string_view filter) {
  std::vector<std::size_t> out;
  for (auto at = find_event(run, filter); at; at = find_event(run, filter, *at + 1)) out.push_back(*at);
  return out;
}

// The said lines that start with `prefix`, with the prefix cut off.
std::vector<std::string> said_after(const lessons::LessonRun& run, std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& line : run.said)
    if (line.text.starts_with(prefix)) out.push_back(line.text.substr(prefix.size()));
  return out;
}

// The channel_closed events of channel "messages" for one reason (the sending side ending, the
// receiver dropped, ...).
std::vector<std::size_t> closings(const lessons::LessonRun& run, trace::CloseReason why) {
  std::vector<std::size_t> out;
  for (auto at : all_events(run, "channel_closed resource=\"messages\""))
    if (run.trace[at].flags == static_cast<std::uint16_t>(why)) out.push_back(at);
  return out;
}

lessons::LessonRun run_12(std::initializer_list<std::pair<std::string, std::string>> params,
                          std::uint64_t seed) {
  return run_lesson_with("12-channels", params, seed);
}

}  // namespace

TEST_CASE(
    "lesson 12: every mpsc message is received once, in the order sent, and recv gives None after the "
    "last sender drops",
    "[lessons][lesson12]") {
  for (auto [producers, messages] : {std::pair{1, 1}, {2, 3}, {4, 5}, {3, 2}}) {
    for (std::uint64_t seed : {1u, 17u}) {
      INFO(fmt::format("producers {} messages {} seed {}", producers, messages, seed));
      auto run =
          run_12({{"producers", std::to_string(producers)}, {"messages", std::to_string(messages)}}, seed);
      REQUIRE_FALSE(run.stuck);
      const auto sent = said_after(run, "sent: ");
      const auto received = said_after(run, "received: ");
      CHECK(sent.size() == static_cast<std::size_t>(producers * messages + 1));
      CHECK(received == sent);  // all of them, first in first out

      // None comes once, after every producer (each holding a clone) has ended and the senders are
      // all gone; and only then.
      const auto closed = all_events(run, "recv task=\"main\" resource=\"messages\" result=closed");
      REQUIRE(closed.size() == 1);
      const auto senders_gone = closings(run, trace::CloseReason::senders_dropped);
      REQUIRE(senders_gone.size() == 1);
      CHECK(senders_gone[0] < closed[0]);
      for (int id = 1; id <= producers; ++id) {
        auto done = find_event(run, fmt::format("task_completed task=\"producer {}\"", id));
        REQUIRE(done);
        CHECK(*done < closed[0]);
      }
      const auto received_events = all_events(run, "recv resource=\"messages\" result=received");
      CHECK(received_events.size() == sent.size());
      CHECK(received_events.back() < closed[0]);

      // The trace names the value each send put in the channel (what the Resources window's tokens
      // show): the values main received, in the order it received them.
      std::vector<std::string> labels;
      for (auto at : all_events(run, "channel_value resource=\"messages\""))
        labels.emplace_back(run.trace.value_label(run.trace[at]));
      std::vector<std::string> received_labels;
      for (const auto& value : received) received_labels.push_back(trace::value_label(value));
      CHECK(labels == received_labels);
    }
  }
}

TEST_CASE("lesson 12: a main that keeps its own sender waits on the channel for ever: the run is stuck",
          "[lessons][lesson12]") {
  for (auto producers : {1, 3}) {
    INFO(fmt::format("producers {}", producers));
    auto run = run_12({{"drop_sender", "false"}, {"producers", std::to_string(producers)}}, 1);
    REQUIRE(run.stuck);
    TraceQuery q(run.trace);
    const auto main = q.task_named("main");
    REQUIRE(run.stuck->tasks.size() == 1);  // the producers all finished
    CHECK(run.stuck->tasks[0].id == main);
    CHECK(run.stuck->tasks[0].waits_on == "mpsc channel \"messages\"");
    CHECK_THAT(run.stuck->tasks[0].resource_state, Catch::Contains("1 sender alive"));  // main's own
    // Every message was received; only the end never came.
    CHECK(said_after(run, "received: ") == said_after(run, "sent: "));
    CHECK(all_events(run, "recv resource=\"messages\" result=closed").empty());
    // The sending side never ended while the program ran (main's sender only goes when the stuck
    // runtime drops main, after it stopped).
    auto stopped = find_event(run, "runtime_stopped");
    REQUIRE(stopped);
    for (auto at : closings(run, trace::CloseReason::senders_dropped)) CHECK(at > *stopped);
    CHECK_FALSE(find_event(run, "mark label=\"mpsc: recv gave None\""));
  }
}

TEST_CASE("lesson 12: a oneshot carries exactly one answer from the worker to main", "[lessons][lesson12]") {
  auto run = run_12({}, 1);
  CHECK(said_after(run, "oneshot: the worker answered ") == std::vector<std::string>{"42"});
  CHECK(all_events(run, "send resource=\"answer\" result=sent").size() == 1);
  const auto got = all_events(run, "recv task=\"main\" resource=\"answer\" result=received");
  REQUIRE(got.size() == 1);
  auto asked = find_event(run, "spawn task=\"worker\"");
  REQUIRE(asked);
  CHECK(time_at(run, got[0]) - time_at(run, *asked) == 20ms);  // the worker's thinking time
}

TEST_CASE(
    "lesson 12: a slow broadcast subscriber gets Lagged and misses exactly what it is told, a fast one "
    "gets every value",
    "[lessons][lesson12]") {
  struct Case {
    int capacity;
    int slow_ms;
    bool lags;
  };
  for (auto c : {Case{2, 25, true}, Case{1, 15, true}, Case{3, 60, true}, Case{6, 60, false},
                 Case{1, 0, false}, Case{2, 10, false}}) {
    INFO(fmt::format("capacity {} slow reader {} ms", c.capacity, c.slow_ms));
    auto run = run_12(
        {{"news_capacity", std::to_string(c.capacity)}, {"slow_reader_ms", std::to_string(c.slow_ms)}}, 1);
    CHECK(said_after(run, "fast reader got news ") == std::vector<std::string>{"1", "2", "3", "4", "5", "6"});
    const auto slow_got = said_after(run, "slow reader got news ");
    const auto lagged = all_events(run, "recv task=\"slow reader\" resource=\"news\" result=lagged");
    CHECK(lagged.empty() != c.lags);
    // Every value is either read or counted in a Lagged report, and what is read comes in order.
    std::uint64_t skipped = 0;
    for (auto at : lagged) skipped += run.trace[at].b;
    CHECK(slow_got.size() + skipped == 6);
    CHECK(std::is_sorted(slow_got.begin(), slow_got.end()));
    CHECK(slow_got.back() == "6");  // a lagging reader still ends on the newest value
    // The publisher never waited for anybody: one send every 10 ms.
    const auto sends = all_events(run, "send task=\"main\" resource=\"news\" result=sent");
    REQUIRE(sends.size() == 6);
    for (std::size_t k = 1; k < sends.size(); ++k)
      CHECK(time_at(run, sends[k]) - time_at(run, sends[k - 1]) == 10ms);
  }
}

TEST_CASE("lesson 12: a watch receiver only ever sees the latest value", "[lessons][lesson12]") {
  for (int busy : {0, 5, 15, 25, 60}) {
    INFO(fmt::format("watcher busy {} ms", busy));
    auto run = run_12({{"watcher_busy_ms", std::to_string(busy)}}, 1);
    // Walk the printed lines in order: each look must find the newest version published so far.
    int latest = 1;
    std::vector<int> seen;
    for (const auto& line : run.said) {
      if (line.text.starts_with("config is now version ")) latest = std::stoi(line.text.substr(22));
      if (line.text.starts_with("config watcher sees version ")) {
        seen.push_back(std::stoi(line.text.substr(28)));
        CHECK(seen.back() == latest);
      }
    }
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back() == 6);
    if (busy < 10) {
      CHECK(seen == std::vector<int>{2, 3, 4, 5, 6});
    } else {
      CHECK(seen.size() < 5);  // versions replaced while it was busy were never shown to it
    }
    CHECK(all_events(run, "recv task=\"config watcher\" resource=\"config\" result=received").size() ==
          seen.size());
  }
}
