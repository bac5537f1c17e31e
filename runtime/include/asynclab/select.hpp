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
// * Branches may carry tokio's patterns, preconditions and `else` (asynclab/select_branch.hpp):
//   `some(rx.recv())` is `Some(v) = rx.recv()`, `when(cond, f)` is `f, if cond`, `otherwise` as the
//   last argument is `else`. A disabled branch is left out of the race; when every branch is
//   disabled the select gives Otherwise, or panics without it. So the classic loop
//     for (;;) { auto r = co_await select(some(rx.recv()), some(rx2.recv()), otherwise);
//                if (r.index() == 2) break; ... }
//   ends once both channels have closed, instead of spinning on the first one's None.
// * `borrow(fut)` is `&mut fut` (asynclab/borrow.hpp): a losing borrowed branch drops only the
//   borrow, so a sleep made before a loop keeps its deadline, a raced JoinHandle keeps its task.
// * One difference from tokio: a disabled branch's future is dropped when it is disabled (it is never
//   polled again either way), where tokio keeps it until select! returns. Only a destructor with a
//   side effect of its own can tell: it runs a little earlier, in the same poll of the task.
#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "asynclab/detail/future_tree.hpp"
#include "asynclab/future.hpp"
#include "asynclab/select_branch.hpp"
#include "asynclab/unwrap.hpp"

namespace asynclab {

template <bool Biased, bool HasElse, class... Branches>
class [[nodiscard("futures are lazy: a select does nothing until it is awaited")]] Select {
  static constexpr std::size_t N = sizeof...(Branches);
  static_assert(N >= 1, "select needs at least one branch");
  static_assert((is_select_branch<Branches>::value && ...));

  template <std::size_t I>
  using BranchAt = std::tuple_element_t<I, std::tuple<Branches...>>;
  template <class B>
  using FutureOf = decltype(std::declval<B&>().future);

 public:
  using Output = std::conditional_t<HasElse, std::variant<typename select_branch_value<Branches>::type..., Otherwise>,
                                    std::variant<typename select_branch_value<Branches>::type...>>;

  explicit Select(Branches... branches)
      : futures_(std::move(branches.future)...), patterns_(std::move(branches.pattern)...), enabled_{branches.enabled...} {}
  // Futures move only before their first poll (see future.hpp); a moved-from Select cancels nothing.
  Select(Select&& o) noexcept
      : futures_(std::move(o.futures_)),
        patterns_(std::move(o.patterns_)),
        enabled_(o.enabled_),
        tree_(o.tree_),
        polled_(std::exchange(o.polled_, false)) {}
  ~Select() {
    if (polled_) tree_.cancel_remaining(futures_);
  }

  Poll<Output> poll(Context& cx) {
    tree_.open(cx, trace::FutureNode::select, N);
    if (!polled_) {
      polled_ = true;
      if (!std::ranges::all_of(enabled_, [](bool on) { return on; })) [[unlikely]]
        disable_by_precondition();
    }
    std::size_t start = 0;
    if constexpr (!Biased && N > 1) {
      if (auto* s = detail::Scheduler::current()) start = s->random() % N;
    }
    std::optional<Output> winner;
    bool pending = false;
    for (std::size_t k = 0; k < N && !winner; ++k) {
      std::size_t i = (start + k) % N;
      (this->*branch_pollers()[i])(cx, winner, pending);
    }
    if (winner) {
      drop_losers();
      return Poll<Output>::ready(std::move(*winner));
    }
    if (pending) return Poll<Output>::pending();
    // Every branch is disabled (tokio's `Out::Disabled`).
    if constexpr (HasElse) {
      return Poll<Output>::ready(Output(std::in_place_index<N>));
    } else {
      throw Panic("all branches are disabled and there is no else branch");
    }
  }

 private:
  using Poller = void (Select::*)(Context&, std::optional<Output>&, bool&);

  static constexpr std::array<Poller, N> branch_pollers() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<Poller, N>{&Select::poll_branch<I>...};
    }(std::index_sequence_for<Branches...>{});
  }

  // `, if cond` is false: the future is made but never polled. Recorded as disabled at the first poll,
  // when the select's nodes exist.
  void disable_by_precondition() {
    // Dropping a future that was never polled is not the forgotten-future mistake here: select! made
    // it and chose not to race it.
    detail::Scheduler::CancellingScope cancelling(detail::Scheduler::current());
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((enabled_[I] ? void() : (std::get<I>(futures_).reset(), tree_.gone(I, trace::FutureEnd::disabled_by_precondition))),
       ...);
    }(std::index_sequence_for<Branches...>{});
  }

  template <std::size_t I>
  void poll_branch(Context& cx, std::optional<Output>& winner, bool& pending) {
    auto& f = std::get<I>(futures_);
    if (!f) return;  // finished, or disabled
    detail::FutureTree::BranchScope scope(cx, tree_, I);
    auto r = f->poll(cx);
    tree_.polled(I, r.is_ready());
    if (r.is_pending()) {
      pending = true;
      return;
    }
    if constexpr (std::is_void_v<output_t<FutureOf<BranchAt<I>>>>) {
      f.reset();
      winner.emplace(std::in_place_index<I>);
    } else {
      // Bound before the future is dropped: a test that throws leaves the branch to be cancelled with
      // the select, recorded like the others.
      auto bound = std::get<I>(patterns_).bind(r.take());
      f.reset();
      if (!bound) {
        // It finished, but not the way its pattern asks: the output is dropped, the branch disabled.
        tree_.gone(I, trace::FutureEnd::disabled_by_pattern);
        return;
      }
      winner.emplace(std::in_place_index<I>, std::move(*bound));
    }
    tree_.gone(I, trace::FutureEnd::completed);
  }

  // The winner's slot is already empty, so "every branch still held" is exactly the losers.
  void drop_losers() { tree_.cancel_remaining(futures_); }

  std::tuple<std::optional<FutureOf<Branches>>...> futures_;
  std::tuple<decltype(std::declval<Branches&>().pattern)...> patterns_;
  std::array<bool, N> enabled_;
  detail::FutureTree tree_;
  bool polled_ = false;
};

namespace select_detail {

template <bool Biased, class... Args>
auto make_select(Args&&... args) {
  constexpr std::size_t count = sizeof...(Args);
  static_assert(count >= 1, "select needs at least one branch");
  using Last = std::remove_cvref_t<std::tuple_element_t<count - 1, std::tuple<Args...>>>;
  constexpr std::size_t elses = (std::size_t{std::is_same_v<std::remove_cvref_t<Args>, Otherwise>} + ...);
  static_assert(elses == 0 || (elses == 1 && std::is_same_v<Last, Otherwise>),
                "`otherwise` is select's else branch: pass it once, as the last argument");
  if constexpr (std::is_same_v<Last, Otherwise>) {
    static_assert(count >= 2, "select needs at least one branch before otherwise");
    auto all = std::forward_as_tuple(std::forward<Args>(args)...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      using S = Select<Biased, true, as_select_branch_t<std::tuple_element_t<I, std::tuple<Args...>>>...>;
      return S(make_select_branch(std::forward<std::tuple_element_t<I, std::tuple<Args...>>>(std::get<I>(all)))...);
    }(std::make_index_sequence<count - 1>{});
  } else {
    return Select<Biased, false, as_select_branch_t<Args>...>(make_select_branch(std::forward<Args>(args))...);
  }
}

}  // namespace select_detail

// Each argument is a future or a branch of select_branch.hpp; `otherwise` may come last.
template <class... Args>
auto select(Args&&... args) {
  return select_detail::make_select<false>(std::forward<Args>(args)...);
}

template <class... Args>
auto select_biased(Args&&... args) {
  return select_detail::make_select<true>(std::forward<Args>(args)...);
}

}  // namespace asynclab
