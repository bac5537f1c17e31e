#pragma once
// WatchedFuture: a grader's window on a hand-written future (a learner's `poll`, exercises 02 and 03).
//
//   grading::PollWatch<std::uint32_t> watch;            // what MyFuture answered, poll by poll
//   MyFuture future;
//   grading::WatchedFuture watched(&future, &watch);
//   auto value = co_await watched;                      // std::optional<std::uint32_t>
//
// Rules:
// * It polls a *borrowed* future, once for each poll of the task awaiting it, exactly as `co_await`
//   would: the future stays where the learner's code put it (a future that was polled must not move).
// * Each poll is written down with the virtual time it began and ended (a poll that holds the worker,
//   sim::block_for, ends later than it began) and its answer: the Ready value, or Pending.
// * Past `watch.budget` polls it stops polling and answers Ready with nothing (`gave_up`). In virtual
//   time a future that keeps waking itself keeps the clock still, so it would spin for ever; with the
//   budget the grade fails with "busy spin" instead of hanging until the process time limit.
#include <chrono>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace asynclab::grading {

// What a watched future answered, poll by poll. T is the future's Output (void allowed).
template <class T>
struct PollWatch {
  using Value = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  struct Answer {
    std::optional<Value> ready;  // the Ready value; empty: Pending
    std::chrono::nanoseconds began{0}, ended{0};
  };
  static constexpr std::size_t default_budget = 50;

  std::vector<Answer> polls;
  std::size_t budget = default_budget;
  bool gave_up = false;  // the budget ran out: the future was never allowed to finish
};

template <Future F>
class WatchedFuture {
 public:
  using Watch = PollWatch<output_t<F>>;
  using Output = std::optional<typename Watch::Value>;

  WatchedFuture(F* future, Watch* watch) : future_(future), watch_(watch) {}

  Poll<Output> poll(Context& cx) {
    if (watch_->polls.size() >= watch_->budget) {
      watch_->gave_up = true;
      return Poll<Output>::ready(std::nullopt);
    }
    const auto began = now().time_since_epoch();
    auto answer = future_->poll(cx);
    if (answer.is_pending()) {
      watch_->polls.push_back({std::nullopt, began, now().time_since_epoch()});
      return Poll<Output>::pending();
    }
    typename Watch::Value value = ready_value(std::move(answer));
    watch_->polls.push_back({value, began, now().time_since_epoch()});
    return Poll<Output>::ready(std::move(value));
  }

 private:
  template <class P>
  static typename Watch::Value ready_value(P&& answer) {
    if constexpr (std::is_void_v<output_t<F>>) {
      return std::monostate{};
    } else {
      return std::move(answer).value();
    }
  }

  F* future_;
  Watch* watch_;
};

}  // namespace asynclab::grading
