// Grader of exercise 02 (countdown: a chunk per poll, and step aside in between). Each TEST_CASE is
// one graded point, tagged [task_N].
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunked_sum.hpp"
#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

// One poll of the learner's ChunkedSum: how far it got, and what it answered.
struct PollRecord {
  std::size_t next_before = 0, next_after = 0;
  std::optional<std::uint64_t> ready;  // empty: Pending
};

struct Watch {
  std::vector<PollRecord> polls;
  std::size_t budget = 0;  // past it the watcher stops polling: a busy spin fails instead of hanging
  bool gave_up = false;
};

// A number no list holds: what a poll finds outside the chunk it may read.
constexpr std::uint32_t poison = 0xFFFFFFFFu;

// Polls the learner's future, once per poll of the task awaiting it (as co_await does), and writes
// each poll down. The future stays where the awaiting task put it. Before each poll the list it
// reads holds the real numbers only in the chunk that poll may add, numbers[next, next + chunk),
// and `poison` everywhere else: a poll that adds more than its chunk (or adds the whole list up
// again) gets a wrong total, whatever it does with `next`.
struct WatchedSum {
  using Output = std::optional<std::uint64_t>;
  ChunkedSum* sum;
  Watch* watch;
  const std::vector<std::uint32_t>* real;  // the list's true numbers
  std::vector<std::uint32_t>* shown;       // what `sum->numbers` points at
  Poll<Output> poll(Context& cx) {
    if (watch->polls.size() >= watch->budget) {
      watch->gave_up = true;
      return Poll<Output>::ready(std::nullopt);
    }
    std::fill(shown->begin(), shown->end(), poison);
    for (std::size_t i = sum->next; i < std::min(real->size(), sum->next + ChunkedSum::chunk); ++i)
      (*shown)[i] = (*real)[i];
    PollRecord record;
    record.next_before = sum->next;
    auto answer = sum->poll(cx);
    record.next_after = sum->next;
    if (answer.is_ready()) record.ready = answer.value();
    watch->polls.push_back(record);
    if (answer.is_pending()) return Poll<Output>::pending();
    return Poll<Output>::ready(*record.ready);
  }
};

// The task beside the sum: a tick each turn it gets, noting how many polls the sum had by then.
struct Ticker {
  bool done = false;
  std::vector<std::size_t> ticks;  // per tick: the sum's polls so far
};

Task<void> tick(Ticker* ticker, const Watch* watch, std::size_t most) {
  while (!ticker->done && ticker->ticks.size() < most) {
    ticker->ticks.push_back(watch->polls.size());
    co_await yield_now();
  }
}

Task<std::optional<std::uint64_t>> sum_beside_a_ticker(const std::vector<std::uint32_t>* numbers, Watch* watch,
                                                       Ticker* ticker) {
  auto ticking = spawn(tick(ticker, watch, 4 * watch->budget), "ticker");
  std::vector<std::uint32_t> shown(numbers->size(), poison);
  ChunkedSum sum;
  sum.numbers = &shown;
  auto total = co_await WatchedSum{&sum, watch, numbers, &shown};
  ticker->done = true;
  (void)co_await ticking;
  co_return total;
}

const std::vector<std::size_t> sizes{0, 7, 1000, 1001, 25000};

std::size_t expected_polls(std::size_t n) { return n == 0 ? 1 : (n + ChunkedSum::chunk - 1) / ChunkedSum::chunk; }

struct Observed {
  std::size_t n = 0;
  std::vector<std::uint32_t> numbers;
  std::uint64_t right_total = 0;
  Watch watch;
  Ticker ticker;
  std::optional<std::uint64_t> total;
  grading::GradedRun run;
};

Observed observe(std::uint64_t seed, std::size_t n) {
  Observed o;
  o.n = n;
  for (std::size_t i = 0; i < n; ++i) {
    o.numbers.push_back(static_cast<std::uint32_t>((i * 2654435761u + seed * 7919u) % 100000u));
    o.right_total += o.numbers.back();
  }
  o.watch.budget = expected_polls(n) + 20;
  o.run = grading::run_graded(
      "02-countdown", seed, [&] { return sum_beside_a_ticker(&o.numbers, &o.watch, &o.ticker); }, {},
      [&](std::optional<std::uint64_t> v) { o.total = v; });
  return o;
}

std::string where(std::uint64_t seed, const Observed& o) {
  return fmt::format("seed {}, {} number{}", seed, o.n, o.n == 1 ? "" : "s");
}

// A Pending that nobody followed with a wake: the run stopped with the task parked for ever.
void require_no_lost_waker(std::uint64_t seed, const Observed& o) {
  if (o.run.stuck && !o.watch.polls.empty() && !o.watch.polls.back().ready)
    grading::fail(fmt::format("lost waker ({}): ChunkedSum answered Pending at its poll {} (with {} of {} numbers "
                              "added) and nothing woke the task again — it never got another poll",
                              where(seed, o), o.watch.polls.size(), o.watch.polls.back().next_after, o.n),
                  "each Pending is followed by a wake of the task, so it is polled again",
                  "exercise.cpp: Pending promises a wake, and no timer or socket will keep that promise for "
                  "ChunkedSum: it must wake its task itself, through the waker `cx` lends it");
  grading::require_finished(o.run);
}

}  // namespace

TEST_CASE("the total is right, for an empty list, a short one and long ones", "[ex02][task_1]") {
  for (auto seed : grading::seeds) {
    for (auto n : sizes) {
      auto o = observe(seed, n);
      require_no_lost_waker(seed, o);
      if (o.watch.gave_up)
        grading::fail(fmt::format("busy spin ({}): ChunkedSum was polled {} times and still answered Pending (it "
                                  "had added {} of the numbers)",
                                  where(seed, o), o.watch.budget, o.watch.polls.back().next_after),
                      fmt::format("Ready after {} polls", expected_polls(n)),
                      "exercise.cpp: does every poll move `next` forward, and is Ready answered once it reaches "
                      "the end?");
      if (o.total != o.right_total)
        grading::fail(fmt::format("{}: ChunkedSum answered Ready({})", where(seed, o),
                                  o.total ? std::to_string(*o.total) : std::string("nothing")),
                      fmt::format("Ready({}), the sum of all {} numbers", o.right_total, n),
                      "exercise.cpp: `total` must keep the sum across polls (it is a member: a poll adds its "
                      "chunk to it), every number is added once, and a poll reads only the numbers it adds — "
                      "numbers[next] up to numbers[next + chunk - 1] (the grader shows the others as 4294967295)");
    }
  }
}

TEST_CASE("a chunk per poll: at most 1000 numbers each, progress on every poll, Ready on the last",
          "[ex02][task_2]") {
  for (auto seed : grading::seeds) {
    for (auto n : sizes) {
      auto o = observe(seed, n);
      require_no_lost_waker(seed, o);
      const auto& polls = o.watch.polls;
      for (std::size_t k = 0; k < polls.size(); ++k) {
        const std::size_t added = polls[k].next_after - polls[k].next_before;
        if (polls[k].next_after < polls[k].next_before || added > ChunkedSum::chunk)
          grading::fail(fmt::format("{}: poll {} moved `next` from {} to {}: {} numbers in one turn of the "
                                    "executor, while the ticker waited",
                                    where(seed, o), k + 1, polls[k].next_before, polls[k].next_after,
                                    static_cast<long long>(polls[k].next_after) -
                                        static_cast<long long>(polls[k].next_before)),
                        fmt::format("at most ChunkedSum::chunk ({}) numbers per poll", ChunkedSum::chunk),
                        "exercise.cpp: where the loop of one poll stops");
        if (added == 0 && n > 0)
          grading::fail(fmt::format("{}: poll {} added nothing (`next` stayed at {}) and answered {}", where(seed, o),
                                    k + 1, polls[k].next_before, polls[k].ready ? "Ready" : "Pending"),
                        "every poll adds a chunk: a poll that does nothing is a wasted turn",
                        "exercise.cpp: add first, then decide between Ready and Pending");
      }
      if (polls.size() != expected_polls(n))
        grading::fail(fmt::format("{}: ChunkedSum was polled {} time{}", where(seed, o), polls.size(),
                                  polls.size() == 1 ? "" : "s"),
                      fmt::format("{} poll{}: ⌈{} / {}⌉{}, the last one Ready", expected_polls(n),
                                  expected_polls(n) == 1 ? "" : "s", n, ChunkedSum::chunk,
                                  n == 0 ? " — and one for the empty list" : ""),
                      "exercise.cpp: a chunk per poll, and Ready as soon as the last number is added");
    }
  }
}

TEST_CASE("step aside honestly: one wake per Pending, none with Ready, and the ticker ticks between polls",
          "[ex02][task_3]") {
  for (auto seed : grading::seeds) {
    for (auto n : sizes) {
      auto o = observe(seed, n);
      require_no_lost_waker(seed, o);
      const auto q = o.run.query();
      const std::uint32_t main = q.task_named("main");
      // The wakes the sum gave its own task (the ticker ending wakes main too, once, after the sum).
      const auto self_wakes = q.events_if([&](const trace::Event& e) {
                                 return e.kind == trace::EventKind::wake && e.task == main && e.a == main;
                               }).size();
      const std::size_t pendings = o.watch.polls.empty() ? 0 : o.watch.polls.size() - 1;
      if (self_wakes != pendings)
        grading::fail(fmt::format("{}: ChunkedSum woke its task {} time{} for {} Pending answer{}", where(seed, o),
                                  self_wakes, self_wakes == 1 ? "" : "s", pendings, pendings == 1 ? "" : "s"),
                      "one wake per Pending, and none with Ready — each extra wake is one more poll that finds "
                      "nothing to do",
                      "exercise.cpp: wake once, only on the path that answers Pending");
      for (std::size_t k = 1; k < o.watch.polls.size(); ++k)
        if (std::find(o.ticker.ticks.begin(), o.ticker.ticks.end(), k) == o.ticker.ticks.end())
          grading::fail(fmt::format("{}: the ticker did not tick between polls {} and {} of the sum", where(seed, o), k,
                                    k + 1),
                        "every other ready task gets its turn between two polls (the woken task goes to the back "
                        "of the run queue)",
                        "exercise.cpp: step aside by answering Pending after waking — never by polling on inside "
                        "poll");
    }
  }
}
