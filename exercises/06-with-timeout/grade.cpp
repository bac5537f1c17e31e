// Grader of exercise 06 (with_timeout via select). Each TEST_CASE is one graded point, tagged [task_N].
//
// The future handed to with_timeout is the grader's own fetch, which leaves marks in the trace: one
// each time it is polled, and one when it goes away (finished, or dropped mid-flight). The grader's
// main marks the moment with_timeout returned, then keeps the program running for two more
// seconds, so an inner future left running behind the timeout's back shows up polled later.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit);

namespace {

const std::string api = "https://slow-api.example.com/data";
constexpr std::size_t body_size = 2048;

constexpr std::string_view polled_mark = "inner future polled";
constexpr std::string_view finished_mark = "inner future finished";
constexpr std::string_view dropped_mark = "inner future dropped mid-flight";
constexpr std::string_view returned_mark = "with_timeout returned";

// A future that marks every poll of the future it wraps.
template <Future F>
class MarkPolls {
 public:
  using Output = output_t<F>;
  explicit MarkPolls(F inner) : inner_(std::move(inner)) {}
  Poll<Output> poll(Context& cx) {
    mark(polled_mark);
    return inner_.poll(cx);
  }

 private:
  F inner_;
};

// The inner future: `fetch_data(url)` from the seed, answering the body. Every poll of this Task
// reaches MarkPolls (the first resumes the body, which awaits it; later ones re-poll it as the leaf).
Task<std::string> fetch_data(std::string url) {
  struct Goodbye {
    bool finished = false;
    ~Goodbye() { mark(finished ? finished_mark : dropped_mark); }
  } goodbye;
  MarkPolls request(sim::http::get(url));
  auto response = co_await request;
  goodbye.finished = true;
  co_return response ? std::move(response->body) : std::string();
}

Task<std::optional<std::string>> call_api(Duration limit) {
  auto result = co_await with_timeout(fetch_data(api), limit);
  mark(returned_mark);
  co_await sleep(2s);  // the program goes on; whatever with_timeout left behind gets its chance to run
  co_return result;
}

std::function<void(Runtime::Builder&)> world(Duration latency) {
  return [latency](Runtime::Builder& builder) {
    sim::Network net;
    net.url(api).latency(latency).body_size(body_size);
    builder.network(net).explore_schedules();
  };
}

struct Called {
  grading::GradedRun run;
  std::optional<std::optional<std::string>> result;  // empty: call_api gave nothing back
};

Called call(std::uint64_t seed, Duration latency, Duration limit) {
  std::optional<std::optional<std::string>> result;
  auto run = grading::run_graded(
      "06-with-timeout", seed, [limit] { return call_api(limit); }, world(latency),
      [&](std::optional<std::string> r) { result = std::move(r); });
  return {std::move(run), std::move(result)};
}

struct Mark {
  std::size_t index = 0;  // position in the trace: what happened first
  std::chrono::nanoseconds at{0};
};

std::vector<Mark> marks(const grading::GradedRun& run, std::string_view label) {
  std::vector<Mark> out;
  for (std::size_t i = 0; i < run.trace.size(); ++i) {
    const auto e = run.trace[i];
    if (e.kind == trace::EventKind::mark && run.trace.string(e.b) == label)
      out.push_back({i, std::chrono::nanoseconds(e.time_ns)});
  }
  return out;
}

std::string at(std::chrono::nanoseconds t) { return grading::GradedRun::at(t); }

std::string times(const std::vector<Mark>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(at(m.at));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

TEST_CASE("a future that finishes in time gives its value, as soon as it is ready", "[ex06][task_1]") {
  for (auto seed : grading::seeds) {
    auto [run, result] = call(seed, 100ms, 300ms);
    grading::require_finished(run);
    const auto returned = marks(run, returned_mark);
    const auto when = returned.empty() ? run.end() : returned.front().at;
    if (!*result)
      grading::fail(
          fmt::format("seed {}: the response came at 100 ms, and with_timeout returned nothing at {} "
                      "(deadline 300 ms)",
                      seed, at(when)),
          fmt::format("the response's body ({} bytes) at 100 ms", body_size),
          "exercise.cpp: what you co_return when the future wins");
    if ((*result)->size() != body_size)
      grading::fail(
          fmt::format("seed {}: with_timeout returned a value of {} bytes", seed, (*result)->size()),
          fmt::format("the inner future's own value: the response's body, {} bytes", body_size),
          "exercise.cpp: the value you take out of the race's result");
    if (when != 100ms)
      grading::fail(fmt::format("seed {}: the response came at 100 ms, and with_timeout returned it at {}",
                                seed, at(when)),
                    "the value at 100 ms: a race ends when its first runner arrives, not at the deadline",
                    "exercise.cpp: are the future and the sleep raced (select), or both awaited (join)?");
  }
}

TEST_CASE("a future slower than the deadline gives nothing, at the deadline", "[ex06][task_2]") {
  for (auto seed : grading::seeds) {
    auto [run, result] = call(seed, 500ms, 200ms);
    grading::require_finished(run);
    const auto returned = marks(run, returned_mark);
    const auto when = returned.empty() ? run.end() : returned.front().at;
    if (*result)
      grading::fail(
          fmt::format("seed {}: the deadline was 200 ms, and with_timeout returned the value at {}, when "
                      "the slow response arrived",
                      seed, at(when)),
          "nothing (std::nullopt) at 200 ms: past the deadline the caller no longer wants the value",
          "exercise.cpp: who decides when with_timeout returns — it must be whichever comes first, the "
          "future or the deadline (select)");
    if (when != 200ms)
      grading::fail(
          fmt::format("seed {}: the deadline was 200 ms, and with_timeout returned nothing at {} (the "
                      "slow response came at 500 ms)",
                      seed, at(when)),
          "nothing at 200 ms: a timeout that waits for the slow future anyway protects no one",
          "exercise.cpp: what with_timeout waits for after the deadline has passed — it must wait for "
          "nothing more");
  }
}

TEST_CASE("at the deadline the inner future is dropped, and it is never polled after", "[ex06][task_3]") {
  for (auto seed : grading::seeds) {
    auto [run, result] = call(seed, 500ms, 200ms);
    grading::require_finished(run);
    const auto polls = marks(run, polled_mark);
    const auto dropped = marks(run, dropped_mark);
    const auto finished = marks(run, finished_mark);
    std::vector<Mark> late_polls;
    for (const auto& p : polls)
      if (p.at > 200ms || (!dropped.empty() && p.index > dropped.front().index)) late_polls.push_back(p);
    if (!finished.empty())
      grading::fail(
          fmt::format("seed {}: the deadline was 200 ms, but the inner future was not dropped: it {}ran "
                      "to the end at {} — a request nobody waits for, holding a connection all along",
                      seed,
                      late_polls.empty() ? "" : fmt::format("was polled again at {} and ", times(late_polls)),
                      at(finished.front().at)),
          "the inner future dropped at 200 ms, the deadline: its destructors run then, its request is "
          "cancelled",
          "exercise.cpp: where the future lives. Raced inside select it is dropped with the losing "
          "branch; spawned, it is a task of its own that keeps running when its JoinHandle is dropped");
    if (dropped.empty())
      grading::fail(
          fmt::format("seed {}: with_timeout gave up at 200 ms, and the inner future was never dropped "
                      "while the program ran (2 s more)",
                      seed),
          "the inner future dropped at 200 ms, the deadline",
          "exercise.cpp: who owns the future after the deadline");
    if (dropped.front().at != 200ms)
      grading::fail(fmt::format("seed {}: the inner future was dropped at {}", seed, at(dropped.front().at)),
                    "dropped at 200 ms, the deadline", "exercise.cpp: when the race ends");
    if (!late_polls.empty())
      grading::fail(
          fmt::format("seed {}: the inner future was polled {} time{} after the deadline (at {})", seed,
                      late_polls.size(), late_polls.size() == 1 ? "" : "s", times(late_polls)),
          "not a single poll after 200 ms: a timed-out future is finished with",
          "exercise.cpp: after the deadline nothing may poll the inner future again");
  }
}
