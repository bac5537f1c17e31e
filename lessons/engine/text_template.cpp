// See text_template.hpp. A recursive-descent evaluator over the few forms a lesson's figure needs.
#include "engine/text_template.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "model/describe.hpp"

namespace asynclab::lessons {

namespace {

class Expression {
 public:
  Expression(std::string_view text, const ParamValues& values) : text_(text), values_(values) {}

  // The whole expression's value as text: a number, or a choice's name.
  std::expected<std::string, std::string> evaluate() {
    skip();
    // A choice parameter alone gives its value's name.
    const std::size_t start = at_;
    const std::string_view word = identifier();
    skip();
    if (!word.empty() && at_ == text_.size() && values_.has(word) &&
        std::holds_alternative<std::string>(values_.get(word)))
      return std::get<std::string>(values_.get(word));
    // duration_ms(expr): that many milliseconds as the tool's windows print a duration, so a claim
    // or a sentence matches at 500 ms ("500.000 ms") and at 1500 ms ("1.500 s") alike.
    // short_ms(expr) is the same as the timeline's labels write it ("sleep 1.1 s", "sleep 500 ms").
    if ((word == "duration_ms" || word == "short_ms") && eat('(')) {
      auto ms = sum();
      if (!ms) return std::unexpected(ms.error());
      if (!eat(')')) return std::unexpected(fmt::format("{}( without its ')'", word));
      skip();
      if (at_ != text_.size()) return std::unexpected(fmt::format("{}(...) is a whole figure: nothing may follow it", word));
      if (*ms < 0 || *ms > INT64_MAX / 1'000'000) return std::unexpected(fmt::format("{}({}) is out of range", word, *ms));
      const auto ns = static_cast<std::uint64_t>(*ms) * 1'000'000;
      return word == "short_ms" ? vis::format_duration_short(ns) : vis::format_duration(ns);
    }
    at_ = start;
    auto v = sum();
    if (!v) return std::unexpected(v.error());
    skip();
    if (at_ != text_.size()) return std::unexpected(fmt::format("unexpected '{}'", text_.substr(at_)));
    return fmt::format("{}", *v);
  }

 private:
  void skip() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool eat(char c) {
    skip();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  std::string_view identifier() {
    const std::size_t start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
    if (start < at_ && std::isdigit(static_cast<unsigned char>(text_[start]))) {
      at_ = start;
      return {};
    }
    return text_.substr(start, at_ - start);
  }

  std::expected<std::int64_t, std::string> sum() {
    auto left = product();
    if (!left) return left;
    while (true) {
      if (eat('+')) {
        auto right = product();
        if (!right) return right;
        *left += *right;
      } else if (eat('-')) {
        auto right = product();
        if (!right) return right;
        *left -= *right;
      } else {
        return left;
      }
    }
  }

  std::expected<std::int64_t, std::string> product() {
    auto left = atom();
    if (!left) return left;
    while (true) {
      if (eat('*')) {
        auto right = atom();
        if (!right) return right;
        *left *= *right;
      } else if (eat('/')) {
        auto right = atom();
        if (!right) return right;
        if (*right == 0) return std::unexpected(std::string("division by zero"));
        *left /= *right;
      } else {
        return left;
      }
    }
  }

  std::expected<std::int64_t, std::string> atom() {
    skip();
    if (eat('(')) {
      auto v = sum();
      if (!v) return v;
      if (!eat(')')) return std::unexpected(std::string("a '(' without its ')'"));
      return v;
    }
    if (eat('-')) {
      auto v = atom();
      if (!v) return v;
      return -*v;
    }
    if (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
      std::int64_t n = 0;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        if (n > (INT64_MAX - 9) / 10) return std::unexpected(std::string("a number too large"));
        n = n * 10 + (text_[at_++] - '0');
      }
      return n;
    }
    const std::string_view word = identifier();
    if (word.empty()) return std::unexpected(at_ < text_.size() ? fmt::format("unexpected '{}'", text_.substr(at_))
                                                                : std::string("an expression that ends too soon"));
    if (word == "max" || word == "min") {
      if (!eat('(')) return std::unexpected(fmt::format("{} takes its arguments in ( )", word));
      std::optional<std::int64_t> best;
      do {
        auto v = sum();
        if (!v) return v;
        best = !best ? *v : word == "max" ? std::max(*best, *v) : std::min(*best, *v);
      } while (eat(','));
      if (!eat(')')) return std::unexpected(fmt::format("{}( without its ')'", word));
      return *best;
    }
    if (!values_.has(word)) return std::unexpected(fmt::format("no parameter '{}' (the front matter declares them)", word));
    const ParamValues::Value& v = values_.get(word);
    if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
    return std::unexpected(fmt::format("'{}' is a choice: write it alone, {{{{{}}}}}", word, word));
  }

  std::string_view text_;
  const ParamValues& values_;
  std::size_t at_ = 0;
};

}  // namespace

std::expected<std::string, TemplateError> expand_template(std::string_view text, const ParamValues& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (true) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return std::unexpected(TemplateError{open, "a '{{' without its '}}'"});
    const std::string_view inside = text.substr(open + 2, close - open - 2);
    if (inside.find('\n') != std::string_view::npos)
      return std::unexpected(TemplateError{open, "a '{{' without its '}}' on the same line"});
    auto value = Expression(inside, values).evaluate();
    if (!value) return std::unexpected(TemplateError{open, fmt::format("{{{{{}}}}}: {}", inside, value.error())});
    out.append(text.substr(at, open - at));
    out += *value;
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

std::expected<void, TemplateError> check_template(std::string_view text, const ParamValues& values) {
  auto expanded = expand_template(text, values);
  if (!expanded) return std::unexpected(expanded.error());
  return {};
}

}  // namespace asynclab::lessons
