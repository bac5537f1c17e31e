#pragma once
// select — tokio's `select!`: race several futures inside the current task; the first to finish
// wins and every other branch is dropped.
//
// Rules:
// * Output is std::variant<...> whose index() is the winning branch (void becomes std::monostate).
// * Losers are dropped (cancelled) the moment the winner is known — before select returns the
//   winner's value — so their destructors have run by the time the caller sees the result. Whatever
//   a loser had half-done is lost: a branch is cancel-safe only if dropping it loses nothing.
// * Fairness: each poll starts at a branch picked by the runtime's seeded generator, as select!
//   picks at random, so no branch starves; the same seed picks the same way. select_biased polls in
//   the order written (select!'s `biased;`).
// * A select whose every branch is pending is pending; its branches share the task's waker.
//
// Not yet Tokio's (issue "Tokio fidelity, round two"; a learner meets these in real Tokio code):
// * No branch patterns, preconditions or `else`. In Tokio, `Some(v) = rx.recv() => ...` disables
//   its branch when the pattern does not match (a closed channel's None) and the select goes on
//   with the others; `else` runs when every branch is disabled. Here the branch that finishes first
//   wins whatever it gave: a closed channel's std::nullopt wins at once, so
//   `for (;;) select(rx.recv(), sleep(..))` spins on a closed channel: test the value, and leave the
//   loop on std::nullopt.
// * A branch takes its future by value: it cannot borrow one the caller keeps across iterations
//   (`&mut sleep` pinned outside a loop keeps its deadline in Tokio). Keep the deadline instead and
//   make a new sleep_until(deadline) each time round.
#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "asynclab/detail/future_tree.hpp"
#include "asynclab/future.hpp"

namespace asynclab {

template <bool Biased, Future... Fs>
class [[nodiscard("futures are lazy: a select does nothing until it is awaited")]] Select {
  static constexpr std::size_t N = sizeof...(Fs);
  static_assert(N >= 1, "select needs at least one branch");

 public:
  using Output = std::variant<stored_t<output_t<Fs>>...>;

  explicit Select(Fs... fs) : futures_(std::move(fs)...) {}
  // Futures move only before their first poll (see future.hpp); a moved-from Select cancels nothing.
  Select(Select&& o) noexcept
      : futures_(std::move(o.futures_)), tree_(o.tree_), polled_(std::exchange(o.polled_, false)) {}
  ~Select() {
    if (polled_) tree_.cancel_remaining(futures_);
  }

  Poll<Output> poll(Context& cx) {
    polled_ = true;
    tree_.open(cx, trace::FutureNode::select, N);
    std::size_t start = 0;
    if constexpr (!Biased && N > 1) {
      if (auto* s = detail::Scheduler::current()) start = s->random() % N;
    }
    std::optional<Output> winner;
    for (std::size_t k = 0; k < N && !winner; ++k) {
      std::size_t i = (start + k) % N;
      (this->*branch_pollers()[i])(cx, winner);
    }
    if (!winner) return Poll<Output>::pending();
    drop_losers();
    return Poll<Output>::ready(std::move(*winner));
  }

 private:
  using Poller = void (Select::*)(Context&, std::optional<Output>&);

  static constexpr std::array<Poller, N> branch_pollers() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<Poller, N>{&Select::poll_branch<I>...};
    }(std::index_sequence_for<Fs...>{});
  }

  template <std::size_t I>
  void poll_branch(Context& cx, std::optional<Output>& winner) {
    auto& f = std::get<I>(futures_);
    if (!f) return;
    detail::FutureTree::BranchScope scope(cx, tree_, I);
    auto r = f->poll(cx);
    tree_.polled(I, r.is_ready());
    if (r.is_pending()) return;
    if constexpr (std::is_void_v<output_t<std::tuple_element_t<I, std::tuple<Fs...>>>>) {
      winner.emplace(std::in_place_index<I>);
    } else {
      winner.emplace(std::in_place_index<I>, r.take());
    }
    f.reset();
    tree_.gone(I, true);
  }

  // The winner's slot is already empty, so "every branch still held" is exactly the losers.
  void drop_losers() { tree_.cancel_remaining(futures_); }

  std::tuple<std::optional<Fs>...> futures_;
  detail::FutureTree tree_;
  bool polled_ = false;
};

template <class... Fs>
Select<false, std::remove_cvref_t<Fs>...> select(Fs&&... fs) {
  return Select<false, std::remove_cvref_t<Fs>...>(std::forward<Fs>(fs)...);
}

template <class... Fs>
Select<true, std::remove_cvref_t<Fs>...> select_biased(Fs&&... fs) {
  return Select<true, std::remove_cvref_t<Fs>...>(std::forward<Fs>(fs)...);
}

}  // namespace asynclab
