#pragma once
// unwrap and expect: Rust's `result.unwrap()` / `result.expect("why")` for std::expected and
// std::optional, keeping the error's own words.
//
// Rules:
// * `unwrap(r)` gives r's value; if r holds an error it throws asynclab::Panic whose what() is
//   "called unwrap() on an error: " followed by the error's message() (or to_string()), e.g.
//   "called unwrap() on an error: task 3 panicked: connection reset". std::expected's own
//   value() throws std::bad_expected_access instead, whose what() says nothing about the error.
// * `expect(r, "why")` is the same with the learner's words first: "why: deadline has elapsed".
// * For std::optional the message is "called unwrap() on None"; expect's is just "why", as Rust's.
// * A Panic escaping a task makes it panic, as in Rust: awaiting its JoinHandle gives a
//   JoinError whose panic_message() is that text.
// * An rvalue gives its value by value (moved out); an lvalue gives a reference to it.
#include <concepts>
#include <expected>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace asynclab {

// What unwrap() and expect() throw.
class Panic : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace unwrap_detail {

template <class E>
std::string describe(const E& e) {
  if constexpr (requires { { e.message() } -> std::convertible_to<std::string>; }) {
    return std::string(e.message());
  } else if constexpr (requires { { e.to_string() } -> std::convertible_to<std::string>; }) {
    return std::string(e.to_string());
  } else if constexpr (requires { { e.message } -> std::convertible_to<std::string>; }) {
    return std::string(e.message);
  } else if constexpr (requires { { e.what() } -> std::convertible_to<std::string>; }) {
    return std::string(e.what());
  } else if constexpr (requires { { message(e) } -> std::convertible_to<std::string>; }) {
    return std::string(message(e));  // an enum's message, found next to it
  } else if constexpr (std::convertible_to<const E&, std::string_view>) {
    return std::string(std::string_view(e));
  } else {
    return "an error with no message";
  }
}

template <class T>
struct is_expected : std::false_type {};
template <class T, class E>
struct is_expected<std::expected<T, E>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class R>
concept Unwrappable = is_expected<std::remove_cvref_t<R>>::value || is_optional<std::remove_cvref_t<R>>::value;

// `why` empty: unwrap(); otherwise expect(why).
template <class R>
[[noreturn]] void fail(const R& r, std::string_view why) {
  std::string text;
  if constexpr (is_optional<std::remove_cvref_t<R>>::value) {
    text = why.empty() ? std::string("called unwrap() on None") : std::string(why);
  } else {
    text = why.empty() ? std::string("called unwrap() on an error") : std::string(why);
    text += ": " + describe(r.error());
  }
  throw Panic(text);
}

template <class R>
decltype(auto) take(R&& r, std::string_view why) {
  if (!r.has_value()) fail(r, why);
  using Value = typename std::remove_cvref_t<R>::value_type;
  if constexpr (std::is_void_v<Value>) {
    return;
  } else if constexpr (std::is_lvalue_reference_v<R>) {
    return *r;  // decltype(auto) of `*r` on an lvalue: a reference into r
  } else {
    return Value(std::move(*r));
  }
}

}  // namespace unwrap_detail

// Rust's `unwrap()`: the value, or a Panic naming the error.
template <unwrap_detail::Unwrappable R>
decltype(auto) unwrap(R&& r) {
  return unwrap_detail::take(std::forward<R>(r), {});
}

// Rust's `expect(why)`: the value, or a Panic saying `why` and then the error.
template <unwrap_detail::Unwrappable R>
decltype(auto) expect(R&& r, std::string_view why) {
  return unwrap_detail::take(std::forward<R>(r), why.empty() ? std::string_view("expect()") : why);
}

}  // namespace asynclab
