#pragma once
// join and try_join — tokio's `join!` and `try_join!`: run several futures concurrently inside the
// current task and wait for all of them.
//
// Rules:
// * Every poll of the join polls each unfinished branch once, in order, with the task's own Context:
//   the branches share the task's waker, so whichever branch's event fires wakes the whole join.
// * A finished branch's output is kept and the branch itself is dropped at once (Rust's MaybeDone).
// * join's Output is a tuple of every branch's output (void becomes std::monostate).
// * try_join's branches each give std::expected<T, E> with the same E. The first error drops every
//   unfinished branch on the spot and is returned; otherwise the tuple of values.
// * Concurrency, not parallelism: all branches run on the one task, so the total time of three
//   timers of 100, 200 and 300 ms is 300 ms, and a branch that blocks stalls the others.
#include <array>
#include <cstddef>
#include <expected>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "asynclab/detail/future_tree.hpp"
#include "asynclab/future.hpp"

namespace asynclab {

template <Future... Fs>
class [[nodiscard("futures are lazy: a join does nothing until it is awaited")]] Join {
 public:
  using Output = std::tuple<stored_t<output_t<Fs>>...>;

  explicit Join(Fs... fs) : futures_(std::move(fs)...) {}
  // Futures move only before their first poll (see future.hpp); a moved-from Join cancels nothing.
  Join(Join&& o) noexcept
      : futures_(std::move(o.futures_)), outputs_(std::move(o.outputs_)), tree_(o.tree_), polled_(std::exchange(o.polled_, false)) {}
  ~Join() {
    if (polled_) tree_.cancel_remaining(futures_);
  }

  Poll<Output> poll(Context& cx) {
    polled_ = true;
    tree_.open(cx, trace::FutureNode::join, sizeof...(Fs));
    bool all = true;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((all &= poll_branch<I>(cx)), ...);
    }(std::index_sequence_for<Fs...>{});
    if (!all) return Poll<Output>::pending();
    return Poll<Output>::ready([&]<std::size_t... I>(std::index_sequence<I...>) {
      return Output(std::move(*std::get<I>(outputs_))...);
    }(std::index_sequence_for<Fs...>{}));
  }

 private:
  template <std::size_t I>
  bool poll_branch(Context& cx) {
    auto& f = std::get<I>(futures_);
    if (!f) return true;
    detail::FutureTree::BranchScope scope(cx, tree_, I);
    auto r = f->poll(cx);
    tree_.polled(I, r.is_ready());
    if (r.is_pending()) return false;
    if constexpr (std::is_void_v<output_t<std::tuple_element_t<I, std::tuple<Fs...>>>>) {
      std::get<I>(outputs_).emplace();
    } else {
      std::get<I>(outputs_).emplace(r.take());
    }
    f.reset();
    tree_.gone(I, true);
    return true;
  }

  std::tuple<std::optional<Fs>...> futures_;
  std::tuple<std::optional<stored_t<output_t<Fs>>>...> outputs_;
  detail::FutureTree tree_;
  bool polled_ = false;
};

template <class... Fs>
Join<std::remove_cvref_t<Fs>...> join(Fs&&... fs) {
  return Join<std::remove_cvref_t<Fs>...>(std::forward<Fs>(fs)...);
}

namespace detail {
template <class T>
struct is_expected : std::false_type {};
template <class T, class E>
struct is_expected<std::expected<T, E>> : std::true_type {};
}  // namespace detail

template <Future... Fs>
class [[nodiscard("futures are lazy: a try_join does nothing until it is awaited")]] TryJoin {
  static_assert((detail::is_expected<output_t<Fs>>::value && ...),
                "try_join's branches must each give a std::expected<T, E>");
  using First = output_t<std::tuple_element_t<0, std::tuple<Fs...>>>;

 public:
  using Error = typename First::error_type;
  static_assert((std::is_same_v<typename output_t<Fs>::error_type, Error> && ...),
                "try_join's branches must share one error type");
  using Output = std::expected<std::tuple<stored_t<typename output_t<Fs>::value_type>...>, Error>;

  explicit TryJoin(Fs... fs) : futures_(std::move(fs)...) {}
  // Futures move only before their first poll (see future.hpp); a moved-from TryJoin cancels nothing.
  TryJoin(TryJoin&& o) noexcept
      : futures_(std::move(o.futures_)), values_(std::move(o.values_)), error_(std::move(o.error_)), tree_(o.tree_), polled_(std::exchange(o.polled_, false)) {}
  ~TryJoin() {
    if (polled_) tree_.cancel_remaining(futures_);
  }

  Poll<Output> poll(Context& cx) {
    polled_ = true;
    tree_.open(cx, trace::FutureNode::try_join, sizeof...(Fs));
    bool all = true;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((error_ ? void() : void(all &= poll_branch<I>(cx))), ...);
    }(std::index_sequence_for<Fs...>{});
    if (error_) {
      drop_unfinished();
      return Poll<Output>::ready(std::unexpected(std::move(*error_)));
    }
    if (!all) return Poll<Output>::pending();
    return Poll<Output>::ready([&]<std::size_t... I>(std::index_sequence<I...>) {
      return Output(std::in_place, std::move(*std::get<I>(values_))...);
    }(std::index_sequence_for<Fs...>{}));
  }

 private:
  template <std::size_t I>
  bool poll_branch(Context& cx) {
    auto& f = std::get<I>(futures_);
    if (!f) return true;
    detail::FutureTree::BranchScope scope(cx, tree_, I);
    auto r = f->poll(cx);
    tree_.polled(I, r.is_ready());
    if (r.is_pending()) return false;
    auto result = r.take();
    f.reset();
    tree_.gone(I, true);
    if (!result) {
      error_.emplace(std::move(result.error()));
      return true;
    }
    if constexpr (std::is_void_v<typename output_t<std::tuple_element_t<I, std::tuple<Fs...>>>::value_type>) {
      std::get<I>(values_).emplace();
    } else {
      std::get<I>(values_).emplace(std::move(*result));
    }
    return true;
  }
  void drop_unfinished() { tree_.cancel_remaining(futures_); }

  std::tuple<std::optional<Fs>...> futures_;
  std::tuple<std::optional<stored_t<typename output_t<Fs>::value_type>>...> values_;
  std::optional<Error> error_;
  detail::FutureTree tree_;
  bool polled_ = false;
};

template <class... Fs>
TryJoin<std::remove_cvref_t<Fs>...> try_join(Fs&&... fs) {
  return TryJoin<std::remove_cvref_t<Fs>...>(std::forward<Fs>(fs)...);
}

}  // namespace asynclab
