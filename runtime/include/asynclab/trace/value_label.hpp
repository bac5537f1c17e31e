#pragma once
// value_label(v): the short text a traced channel records for a value it is sent (channel_value), so
// the visualizer can draw WHICH values sit in a channel ("order 1", 42) instead of blank tokens.
//
// Rules:
// * A type has a label when one of these applies, first match wins:
//   1. the user wrote `std::string asynclab_label(const T&)` where ADL finds it (the namespace of T):
//      the customization point, also the way to override the rules below for one's own enums;
//   2. bool: true / false;  char: quoted, 'x';  other integers: decimal;  floating point: the
//      shortest text that reads back the same (std::to_chars), 0.1 not 0.100000;
//   3. std::string, std::string_view, const char* (and char arrays): quoted, "order 1";
//   4. enums: their number (the names of enumerators are not known to C++23);
//   5. std::pair and std::tuple whose every element has a label: (1, "a").
//   Every other type has no label: its channel_value is never recorded and its token stays blank.
//   `Labelled<T>` tells which; value_label<T> only compiles for those.
// * A label is at most `max_label_chars` characters (UTF-8 code points): a longer one keeps its first
//   max_label_chars − 1 and ends in "…". Cut at a code point, never inside one.
// * Cost: nothing is formatted unless the runtime records a trace — the channels test the recorder
//   first (sync/detail/channel_state.hpp) — and a trace interns at most a fixed number of distinct
//   labels (trace::Recorder::max_distinct_labels); values labelled beyond that record nothing.
// * Integers need no text at all: an integer (or an enum without its own asynclab_label) that fits
//   in 32 bits travels in the channel_value event itself (inline_value, trace::ValueForm), and
//   whoever reads the trace writes it out (Trace::value_label) — the same decimal text value_label
//   gives. A counter sent a million times then costs one event per send, no formatting, no string.
// * A user's asynclab_label must not touch the channel it labels: it runs under the channel's lock.
#include <charconv>
#include <cstdint>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "asynclab/trace/event.hpp"

namespace asynclab::trace {

inline constexpr std::size_t max_label_chars = 32;

// Cuts `s` to max_label_chars code points, the last one an ellipsis when something was cut.
inline std::string shorten_label(std::string s) {
  std::size_t chars = 0;
  std::size_t keep = 0;  // bytes of the first max_label_chars - 1 code points
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // inside a code point
    if (chars == max_label_chars - 1) keep = i;
    if (++chars > max_label_chars) {
      s.resize(keep);
      s += "…";
      break;
    }
  }
  return s;
}

namespace label_detail {

// A poison pill, as std::ranges uses: only ADL finds the user's asynclab_label, never something
// this namespace happens to see.
void asynclab_label() = delete;

template <class T>
concept HasCustomLabel = requires(const T& v) {
  { asynclab_label(v) } -> std::convertible_to<std::string>;
};

template <class T>
concept CharacterType = std::same_as<T, char> || std::same_as<T, wchar_t> || std::same_as<T, char8_t> ||
                        std::same_as<T, char16_t> || std::same_as<T, char32_t>;

template <class T>
concept Text = std::convertible_to<const T&, std::string_view> && !std::is_arithmetic_v<T>;

template <class T>
constexpr bool has_label();

// pair and tuple: labelled when every element is.
template <class T>
struct Product {
  static constexpr bool is = false;
};
template <class A, class B>
struct Product<std::pair<A, B>> {
  static constexpr bool is = true;
  static constexpr bool labelled = has_label<A>() && has_label<B>();
};
template <class... Ts>
struct Product<std::tuple<Ts...>> {
  static constexpr bool is = true;
  static constexpr bool labelled = (has_label<Ts>() && ...);
};

template <class T>
constexpr bool has_label() {
  if constexpr (HasCustomLabel<T> || std::is_arithmetic_v<T> || std::is_enum_v<T> || Text<T>) {
    return true;
  } else if constexpr (Product<T>::is) {
    return Product<T>::labelled;
  } else {
    return false;
  }
}

template <class T>
std::string number(T v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// Only as much of `s` as a label can show is copied: a long string costs no more than a short one
// (max_label_chars code points are at most 4 bytes each).
inline std::string quoted(std::string_view s, char quote) {
  std::string out(1, quote);
  out.append(s.substr(0, max_label_chars * 4));
  out += quote;
  return out;
}

// The label before shortening (elements of a pair or tuple are shortened as a whole).
template <class T>
std::string full_label(const T& v) {
  if constexpr (HasCustomLabel<T>) {
    return std::string(asynclab_label(v));
  } else if constexpr (std::same_as<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::same_as<T, char>) {
    return quoted(std::string_view(&v, 1), '\'');
  } else if constexpr (CharacterType<T>) {
    return number(static_cast<std::uint32_t>(v));
  } else if constexpr (std::is_arithmetic_v<T>) {
    return number(v);
  } else if constexpr (std::is_enum_v<T>) {
    return number(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (Text<T>) {
    if constexpr (std::is_pointer_v<T>) {
      if (v == nullptr) return "null";
    }
    return quoted(std::string_view(v), '"');
  } else {
    static_assert(Product<T>::is, "full_label is only called for labelled types");
    std::string out = "(";
    std::apply(
        [&out](const auto&... element) {
          bool first = true;
          ((out += first ? "" : ", ", out += full_label(element), first = false), ...);
        },
        v);
    out += ")";
    return out;
  }
}

}  // namespace label_detail

template <class T>
concept Labelled = label_detail::has_label<std::remove_cvref_t<T>>();

// The label of v (see the rules), at most max_label_chars characters.
template <Labelled T>
std::string value_label(const T& v) {
  return shorten_label(label_detail::full_label<std::remove_cvref_t<T>>(v));
}

// A value a channel_value event can carry itself instead of a string id (see the rules).
struct InlineValue {
  std::uint32_t bits;
  ValueForm form;
};

// v as an InlineValue when it is an integer or enum that fits in 32 bits and has no custom label.
template <class T>
std::optional<InlineValue> inline_value(const T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (label_detail::HasCustomLabel<U>) {
    return std::nullopt;
  } else if constexpr (std::is_enum_v<U>) {
    return inline_value(static_cast<std::underlying_type_t<U>>(v));
  } else if constexpr (std::is_integral_v<U> && !std::same_as<U, bool> && !label_detail::CharacterType<U>) {
    if constexpr (std::is_signed_v<U>) {
      if constexpr (sizeof(U) > sizeof(std::int32_t)) {
        if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
          return std::nullopt;
      }
      return InlineValue{static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), ValueForm::signed_int};
    } else {
      if constexpr (sizeof(U) > sizeof(std::uint32_t)) {
        if (v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
      }
      return InlineValue{static_cast<std::uint32_t>(v), ValueForm::unsigned_int};
    }
  } else {
    return std::nullopt;
  }
}

}  // namespace asynclab::trace
