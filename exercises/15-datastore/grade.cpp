// Grader of exercise 15 (DataStore: async methods behind an interface). Each TEST_CASE is one graded
// point, tagged [task_N].
//
// Each check runs a script of get and set calls on a store — RedisStore itself, or a DynStore handle
// holding a MemoryStore or a RedisStore — and writes down every answer and how long the call took
// on the virtual clock; the answers are then compared with what a map would have said.
#include <algorithm>
#include <cstddef>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datastore.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

constexpr Duration round_trip = 40ms;

struct Step {
  std::string call;    // get("user:1")
  std::string answer;  // "ada", (none), ok, error "..."
  Duration took{0};
};
using Steps = std::vector<Step>;

std::string show(const std::optional<std::string>& v) { return v ? fmt::format("\"{}\"", *v) : "(none)"; }
std::string show(const std::expected<void, StoreError>& r) {
  return r ? "ok" : fmt::format("error \"{}\"", r.error().message);
}

template <DataStore S>
Task<void> timed_get(S& store, std::string key, Steps& steps) {
  const Instant start = now();
  auto value = co_await store.get(key);
  steps.push_back({fmt::format("get(\"{}\")", key), show(value), now() - start});
}

template <DataStore S>
Task<void> timed_set(S& store, std::string key, std::string value, Steps& steps) {
  const Instant start = now();
  auto done = co_await store.set(key, value);
  steps.push_back({fmt::format("set(\"{}\", \"{}\")", key, value), show(done), now() - start});
}

// A map's answers to this script: (none), ok, "ada", ok, "grace", an error.
template <DataStore S>
Task<void> basics(S& store, Steps& steps) {
  co_await timed_get(store, "user:1", steps);
  co_await timed_set(store, "user:1", "ada", steps);
  co_await timed_get(store, "user:1", steps);
  co_await timed_set(store, "user:1", "grace", steps);
  co_await timed_get(store, "user:1", steps);
  co_await timed_set(store, "", "nobody", steps);
}
const std::vector<std::string> basics_answers = {"(none)", "ok", "\"ada\"", "ok", "\"grace\"", "error"};

const std::vector<std::string> keys = {"key:1", "key:2", "key:3", "key:4", "key:5"};
std::string value_of(const std::string& key) { return "value of " + key; }

// One copy of the handle per task, as Arc<dyn DataStore> clones are handed to spawned tasks.
Task<void> writer(DynStore store, std::string key) { (void)co_await store.set(key, value_of(key)); }

// Compares the steps with the answers a map gives and the time each call should take; fails on the
// first difference, telling the calls that led to it.
void check(const Steps& steps, const std::vector<std::string>& answers, Duration per_call, std::uint64_t seed,
           std::string_view where, std::string_view look_at) {
  std::vector<std::string> before;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (i >= steps.size())
      grading::fail(fmt::format("seed {}: {}: the script stopped after {} calls", seed, where, steps.size()),
                    fmt::format("{} calls answered", answers.size()), look_at);
    const Step& s = steps[i];
    const bool error_expected = answers[i] == "error";
    const bool right = error_expected ? s.answer.starts_with("error") : s.answer == answers[i];
    if (!right)
      grading::fail(fmt::format("seed {}: {}: {}{} gave {}", seed, where,
                                before.empty() ? "" : fmt::format("after {}, ", fmt::join(before, ", ")),
                                s.call, s.answer),
                    fmt::format("{} → {}", s.call,
                                error_expected ? "a StoreError (an empty key is refused)" : answers[i]),
                    look_at);
    if (!error_expected && s.took != per_call)
      grading::fail(
          fmt::format("seed {}: {}: {} took {}", seed, where, s.call, grading::GradedRun::at(s.took)),
          per_call == Duration(0) ? std::string("an answer at once: a MemoryStore never waits")
                                  : fmt::format("one round trip, {}: each call goes over the network once "
                                                "(co_await sleep(round_trip_))",
                                                grading::GradedRun::at(per_call)),
          look_at);
    before.push_back(fmt::format("{} → {}", s.call, s.answer));
  }
}

Steps run_script(std::uint64_t seed, std::function<Task<Steps>()> script) {
  Steps steps;
  auto run = grading::run_graded(
      "15-datastore", seed, script, [](Runtime::Builder& b) { b.explore_schedules(); },
      [&](Steps s) { steps = std::move(s); });
  grading::require_finished(run);
  return steps;
}

}  // namespace

TEST_CASE("RedisStore reads back what was set, answers nothing for a missing key, refuses an empty key",
          "[ex15][task_1]") {
  for (auto seed : grading::seeds) {
    auto steps = run_script(seed, []() -> Task<Steps> {
      RedisStore store(round_trip);
      Steps s;
      co_await basics(store, s);
      co_return s;
    });
    check(steps, basics_answers, round_trip, seed, "on a RedisStore",
          "exercise.cpp: RedisStore::get and RedisStore::set");
  }
}

TEST_CASE("RedisStore keeps every write when several sets wait for their reply at once", "[ex15][task_2]") {
  for (auto seed : grading::seeds) {
    auto steps = run_script(seed, []() -> Task<Steps> {
      RedisStore store(round_trip);
      Steps s;
      // Five sets in flight together, as five requests of a server would send them.
      co_await join(
          timed_set(store, keys[0], value_of(keys[0]), s), timed_set(store, keys[1], value_of(keys[1]), s),
          timed_set(store, keys[2], value_of(keys[2]), s), timed_set(store, keys[3], value_of(keys[3]), s),
          timed_set(store, keys[4], value_of(keys[4]), s));
      for (const auto& key : keys) co_await timed_get(store, key, s);
      co_return s;
    });
    std::vector<std::string> read_back, lost;
    for (std::size_t i = keys.size(); i < steps.size(); ++i) {
      read_back.push_back(fmt::format("{} → {}", steps[i].call, steps[i].answer));
      if (steps[i].answer == "(none)") lost.push_back(keys[i - keys.size()]);
    }
    std::vector<std::string> answers(keys.size(), "ok");
    for (const auto& key : keys) answers.push_back(fmt::format("\"{}\"", value_of(key)));
    if (!lost.empty())
      grading::fail(
          fmt::format("seed {}: five sets (key:1 to key:5) sent together at 0 ms, each answered ok; read "
                      "back afterwards: {}",
                      seed, fmt::join(read_back, ", ")),
          "every value read back: a set must not undo another that finished while it was waiting",
          "exercise.cpp, RedisStore::set: what it reads of data_ before its co_await and writes after "
          "it — the other sets ran in between");
    check(steps, answers, round_trip, seed, "five overlapping sets on a RedisStore, then five gets",
          "exercise.cpp: RedisStore::set");
  }
}

TEST_CASE("a DynStore holding a MemoryStore answers from that store, as the store itself would",
          "[ex15][task_3]") {
  for (auto seed : grading::seeds) {
    auto steps = run_script(seed, []() -> Task<Steps> {
      MemoryStore memory;
      (void)co_await memory.set("motd", "hello");  // the store has data before it goes behind the handle
      DynStore store(std::move(memory));
      Steps s;
      co_await timed_get(store, "motd", s);
      co_await basics(store, s);
      co_return s;
    });
    std::vector<std::string> answers = {"\"hello\""};
    answers.insert(answers.end(), basics_answers.begin(), basics_answers.end());
    check(steps, answers, Duration(0), seed,
          "through a DynStore holding a MemoryStore (with \"motd\" set before)",
          "exercise.cpp: DynStore — its constructor and DynStore::Impl: every get and set through the handle "
          "must "
          "reach the one store it was given (not a copy of it per method)");
  }
}

TEST_CASE(
    "a DynStore holding a RedisStore forwards every call, also from copies of the handle in other tasks",
    "[ex15][task_4]") {
  for (auto seed : grading::seeds) {
    auto steps = run_script(seed, []() -> Task<Steps> {
      DynStore store(RedisStore{round_trip});
      Steps s;
      co_await basics(store, s);
      std::vector<JoinHandle<void>> writers;
      for (const auto& key : keys) writers.push_back(spawn(writer(store, key), "writer " + key));
      for (auto& w : writers) (void)co_await w;
      for (const auto& key : keys) co_await timed_get(store, key, s);
      co_return s;
    });
    const Steps own(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(
                                                       std::min(steps.size(), basics_answers.size())));
    check(own, basics_answers, round_trip, seed, "through a DynStore holding a RedisStore",
          "exercise.cpp: DynStore — its constructor, DynStore::Impl, DynStore::get and DynStore::set: the "
          "handle "
          "forwards each call to the store it holds");
    const Steps shared(steps.begin() + static_cast<std::ptrdiff_t>(own.size()), steps.end());
    std::vector<std::string> answers;
    for (const auto& key : keys) answers.push_back(fmt::format("\"{}\"", value_of(key)));
    check(shared, answers, round_trip, seed,
          "through a DynStore holding a RedisStore, once five tasks, each with a copy of the handle, had set "
          "key:1 "
          "to key:5",
          "exercise.cpp: DynStore — copies of the handle must share one store (Arc<dyn DataStore>); and "
          "RedisStore::set, if task 2 fails too");
  }
}
