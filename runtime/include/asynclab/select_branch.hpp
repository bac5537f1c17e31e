#pragma once
// A select branch with what tokio's `select!` writes around a branch's future:
//
//   tokio::select! {                            co_await select(
//       Some(v) = rx.recv() => ..,                  some(rx.recv()),
//       Ok(v) = fetch() => ..,                      ok(fetch()),
//       Err(e) = fetch() => ..,                     err(fetch()),
//       v = f, if !done => ..,                      when(!done, std::move(f)),
//       Some(v) = rx.recv(), if open => ..,         when(open, some(rx.recv())),
//       _ = &mut sleep => ..,                       borrow(sleep),          (asynclab/borrow.hpp)
//       else => ..,                                 otherwise);
//   }
//
// Rules (tokio's, see select.hpp for the race itself):
// * A branch is disabled when its precondition is false — its future is made but never polled — or
//   when its future finishes with an output its pattern does not match (a closed channel's None for
//   some(), an Err for ok()). The output is dropped and the select goes on racing the others.
// * When every branch is disabled the select gives `Otherwise` (the last index) if `otherwise` was
//   passed as its last argument; without it, it panics: asynclab::Panic("all branches are disabled
//   and there is no else branch"), tokio's message.
// * A branch's value in the select's variant is what its pattern binds: some → the T inside the
//   optional, ok → the expected's value (void becomes std::monostate), err → its error, matching →
//   the output itself, a plain future → its output.
// * A disabled branch is not raced again by that select. A new select (the next time round a loop)
//   starts with every branch enabled again, as a new select! does.
#include <expected>
#include <optional>
#include <type_traits>
#include <utility>

#include "asynclab/future.hpp"

namespace asynclab {

// `else` in select!: passed last to select, it is what the select gives when every branch is disabled.
struct Otherwise {
  friend bool operator==(Otherwise, Otherwise) = default;
};
inline constexpr Otherwise otherwise{};

namespace select_patterns {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_expected : std::false_type {};
template <class T, class E>
struct is_expected<std::expected<T, E>> : std::true_type {};

// Every pattern is `bind(output&&) -> std::optional<bound value>`: nullopt when it does not match.
// A plain branch: `v = fut` matches whatever fut gives.
struct Any {
  template <class T>
  std::optional<T> bind(T&& output) const {
    return std::optional<T>(std::move(output));
  }
};

// `Some(v) = fut`.
struct Some {
  template <class T>
  std::optional<T> bind(std::optional<T>&& output) const {
    return std::move(output);
  }
};

// `Ok(v) = fut`.
struct Ok {
  template <class T, class E>
  std::optional<stored_t<T>> bind(std::expected<T, E>&& output) const {
    if (!output) return std::nullopt;
    if constexpr (std::is_void_v<T>) {
      return std::monostate{};
    } else {
      return std::move(*output);
    }
  }
};

// `Err(e) = fut`.
struct Err {
  template <class T, class E>
  std::optional<E> bind(std::expected<T, E>&& output) const {
    if (output) return std::nullopt;
    return std::move(output).error();
  }
};

// A test of your own on the output (a pattern such as `Message::Data(d)`, or `n` where n > 0).
template <class Predicate>
struct Matching {
  Predicate test;
  template <class T>
  std::optional<T> bind(T&& output) const {
    if (!test(std::as_const(output))) return std::nullopt;
    return std::optional<T>(std::move(output));
  }
};

}  // namespace select_patterns

template <Future F, class Pattern>
struct SelectBranch {
  F future;
  Pattern pattern;
  bool enabled = true;  // the precondition (`, if cond`)
};

template <class B>
struct is_select_branch : std::false_type {};
template <class F, class P>
struct is_select_branch<SelectBranch<F, P>> : std::true_type {};

// What select makes of each argument: a SelectBranch stays itself, a plain future matches anything.
template <class A>
struct as_select_branch {
  using type = SelectBranch<std::remove_cvref_t<A>, select_patterns::Any>;
};
template <class F, class P>
struct as_select_branch<SelectBranch<F, P>> {
  using type = SelectBranch<F, P>;
};
template <class A>
using as_select_branch_t = typename as_select_branch<std::remove_cvref_t<A>>::type;

// The factories below return `auto` on purpose: a body whose return type must be deduced is
// instantiated at the call, so a future passed by copy is reported with "requested here" at the
// learner's own line, not at the end of the file.
template <class A>
auto make_select_branch(A&& a) {
  if constexpr (is_select_branch<std::remove_cvref_t<A>>::value) {
    return as_select_branch_t<A>(std::forward<A>(a));
  } else {
    return as_select_branch_t<A>{std::forward<A>(a), {}, true};
  }
}

// The value a branch contributes to the select's variant (see the rules).
template <class B>
struct select_branch_value;
template <class F, class P>
struct select_branch_value<SelectBranch<F, P>> {
  using type = std::conditional_t<std::is_void_v<output_t<F>>, std::monostate,
                                  typename decltype(std::declval<const P&>().bind(
                                      std::declval<stored_t<output_t<F>>&&>()))::value_type>;
};

template <class F>
auto some(F&& future) {
  static_assert(select_patterns::is_optional<output_t<F>>::value,
                "some(fut) is `Some(v) = fut`: fut must give a std::optional (rx.recv() does)");
  return SelectBranch<std::remove_cvref_t<F>, select_patterns::Some>{std::forward<F>(future), {}, true};
}

template <class F>
auto ok(F&& future) {
  static_assert(select_patterns::is_expected<output_t<F>>::value,
                "ok(fut) is `Ok(v) = fut`: fut must give a std::expected");
  return SelectBranch<std::remove_cvref_t<F>, select_patterns::Ok>{std::forward<F>(future), {}, true};
}

template <class F>
auto err(F&& future) {
  static_assert(select_patterns::is_expected<output_t<F>>::value,
                "err(fut) is `Err(e) = fut`: fut must give a std::expected");
  return SelectBranch<std::remove_cvref_t<F>, select_patterns::Err>{std::forward<F>(future), {}, true};
}

template <class F, class Predicate>
auto matching(F&& future, Predicate&& test) {
  static_assert(!std::is_void_v<output_t<F>>, "matching(fut, test): fut gives nothing to test");
  static_assert(std::is_invocable_r_v<bool, const std::decay_t<Predicate>&, const output_t<F>&>,
                "matching(fut, test): test must take fut's output (const&) and return bool");
  return SelectBranch<std::remove_cvref_t<F>, select_patterns::Matching<std::decay_t<Predicate>>>{
      std::forward<F>(future), {std::forward<Predicate>(test)}, true};
}

// `<pattern> = fut, if precondition`: when `precondition` is false the branch is disabled before the
// race starts and its future is never polled.
template <class A>
auto when(bool precondition, A&& branch) {
  as_select_branch_t<A> b = make_select_branch(std::forward<A>(branch));
  b.enabled = b.enabled && precondition;
  return b;
}

}  // namespace asynclab
