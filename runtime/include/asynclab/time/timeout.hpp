#pragma once
// timeout — `tokio::time::timeout`: a future raced against a deadline.
//
// Rules:
// * Output is std::expected<T, Elapsed>: the inner future's value when it finishes first, Elapsed
//   when the deadline passes first.
// * The deadline is `d` after the first poll. Like every future, a timeout does nothing — does not
//   even read the clock — until polled. (Tokio reads the clock when timeout() is called; the two
//   differ only for a timeout created long before it is awaited.)
// * The inner future is polled before the timer on every poll, so a future that is ready at once
//   never reads the clock nor arms a timer (and a ready value wins a tie with the deadline, as in
//   tokio).
// * At the deadline the inner future is dropped on the spot — its destructors run then, and it is
//   never polled again. The trace shows it as a branch dropped mid-flight.
// * Like select, timeout is cancel-safe exactly when its inner future is.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "asynclab/detail/future_tree.hpp"
#include "asynclab/future.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab {

struct Elapsed {
  Duration after{};
  std::string message() const { return "deadline has elapsed"; }
};

template <Future F>
class [[nodiscard("futures are lazy: a timeout does nothing until it is awaited")]] Timeout {
 public:
  using Inner = output_t<F>;
  using Output = std::expected<Inner, Elapsed>;

  Timeout(Duration d, F inner) : duration_(d), inner_(std::move(inner)) {}
  // Futures move only before their first poll (see future.hpp); a moved-from Timeout cancels nothing.
  Timeout(Timeout&& o) noexcept
      : duration_(o.duration_),
        inner_(std::move(o.inner_)),
        sleep_(std::move(o.sleep_)),
        tree_(o.tree_),
        polled_(std::exchange(o.polled_, false)) {}
  ~Timeout() {
    // Dropped mid-flight (an outer select, an aborted task): the inner future is cancelled.
    if (polled_ && inner_) {
      detail::Scheduler::CancellingScope cancelling(detail::Scheduler::current());
      inner_.reset();
      tree_.gone(0, false);
    }
  }

  Poll<Output> poll(Context& cx) {
    polled_ = true;
    tree_.open(cx, trace::FutureNode::timeout, 2);
    if (inner_) {
      detail::FutureTree::BranchScope scope(cx, tree_, 0);
      auto r = inner_->poll(cx);
      tree_.polled(0, r.is_ready());
      if (r.is_ready()) {
        inner_.reset();
        tree_.gone(0, true);
        if constexpr (std::is_void_v<Inner>) {
          return Poll<Output>::ready(Output());
        } else {
          return Poll<Output>::ready(Output(r.take()));
        }
      }
    }
    if (!sleep_) sleep_.emplace(now() + duration_);
    // Without the budget, as tokio's Timeout: an inner future that spent it must not keep the
    // deadline from firing.
    auto t = sleep_->poll_unbudgeted(cx);
    tree_.polled(1, t.is_ready());
    if (t.is_pending()) return Poll<Output>::pending();
    tree_.gone(1, true);
    {
      detail::Scheduler::CancellingScope cancelling(detail::Scheduler::current());
      inner_.reset();
    }
    tree_.gone(0, false);
    return Poll<Output>::ready(std::unexpected(Elapsed{duration_}));
  }

 private:
  Duration duration_;
  std::optional<F> inner_;
  std::optional<Sleep> sleep_;
  detail::FutureTree tree_;
  bool polled_ = false;
};

template <class F>
Timeout<std::remove_cvref_t<F>> timeout(Duration d, F&& inner) {
  return Timeout<std::remove_cvref_t<F>>(d, std::forward<F>(inner));
}

}  // namespace asynclab
