// See declared_test_cases.hpp.
#include "declared_test_cases.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace asynclab::grading {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::expected<std::vector<DeclaredTestCase>, std::string> run() {
    std::vector<DeclaredTestCase> cases;
    while (i_ < s_.size()) {
      if (at_line_start() && at(i_) == '#' && conditional_directive()) {
        if (auto refused = directive()) return std::unexpected(*refused);
        continue;
      }
      if (skipping()) {  // inside #if 0: not compiled, but still read as tokens (see skip_in_skipped_group)
        skip_in_skipped_group();
        continue;
      }
      if (skip_comment_or_literal()) continue;
      if (is_word_start()) {
        // The other ways Catch2 declares a test case: their names are made at compile time or
        // carry a fixture, so the build could not list them. A grader uses TEST_CASE only.
        for (std::string_view other : {"SCENARIO", "TEST_CASE_METHOD", "TEMPLATE_TEST_CASE", "TEMPLATE_PRODUCT_TEST_CASE",
                                       "METHOD_AS_TEST_CASE", "REGISTER_TEST_CASE", "TEMPLATE_LIST_TEST_CASE"})
          if (s_.substr(i_).starts_with(other) && !word_char(at(i_ + other.size()))) {
            std::size_t k = i_ + other.size();
            while (at(k) == ' ' || at(k) == '\t') ++k;
            if (at(k) == '(')
              return std::unexpected(fmt::format("line {}: a grader declares its checks with TEST_CASE only, not {}",
                                                 line_at(i_), other));
          }
      }
      if (is_word_start() && s_.substr(i_).starts_with("TEST_CASE") && !word_char(at(i_ + 9))) {
        const std::size_t line = line_at(i_);
        i_ += 9;
        skip_space();
        if (at(i_) != '(') continue;  // the word in running text, not the macro
        if (conditional_line_)
          return std::unexpected(fmt::format("line {}: a TEST_CASE inside the #if of line {}: whether it "
                                             "is compiled cannot be known from the source, so asynclab could "
                                             "not know that it must report",
                                             line, conditional_line_));
        ++i_;
        auto name = literal();
        if (!name)
          return std::unexpected(fmt::format("line {}: TEST_CASE's name is not a string literal, so asynclab "
                                             "cannot know from the source that it reported",
                                             line));
        DeclaredTestCase c{*name, ""};
        skip_space();
        if (at(i_) == ',') {
          ++i_;
          if (auto tags = literal()) c.tags = *tags;
        }
        // A hidden case ([.] or [!hide]) does not run unless named: it would never report.
        if (c.tags.find("[.") != std::string::npos || c.tags.find("[!hide]") != std::string::npos)
          return std::unexpected(fmt::format("line {}: TEST_CASE \"{}\" is hidden ({}), so it would never run in a "
                                             "grade; a grader's checks all run",
                                             line, c.name, c.tags));
        cases.push_back(std::move(c));
        continue;
      }
      ++i_;
    }
    return cases;
  }

 private:
  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  // Conditional compilation. Lines under `#if 0` are skipped (not compiled); a TEST_CASE under any
  // other #if, #ifdef or #ifndef is refused (see the header). Nested conditionals are followed so
  // that each #endif closes its own.
  enum class Branch : std::uint8_t { never, always, maybe };
  bool skipping() const { return std::ranges::find(open_, Branch::never) != open_.end(); }
  bool at_line_start() const {
    std::size_t k = i_;
    while (k > 0 && (s_[k - 1] == ' ' || s_[k - 1] == '\t')) --k;
    return k == 0 || s_[k - 1] == '\n';
  }
  // The name of the directive whose '#' is at i_ ("if", "define", ...).
  std::string_view directive_name() const {
    std::size_t k = i_ + 1;
    while (at(k) == ' ' || at(k) == '\t') ++k;
    std::size_t e = k;
    while (e < s_.size() && word_char(s_[e])) ++e;
    return s_.substr(std::min(k, s_.size()), e - std::min(k, s_.size()));
  }
  // Whether the directive at i_ opens, switches or closes a conditional group. Every other one
  // (#define, #include, ...) is scanned as code is: a TEST_CASE in a #define is refused there.
  bool conditional_directive() const {
    const std::string_view n = directive_name();
    return n == "if" || n == "ifdef" || n == "ifndef" || n == "elif" || n == "elifdef" || n == "elifndef" ||
           n == "else" || n == "endif";
  }
  // In a group the compiler skips, text is still read as tokens (translation phase 3): comments, and
  // string literals on their line, hide a '#' or a "/*"; a lone quote (an apostrophe in a word) is
  // just a character.
  void skip_in_skipped_group() {
    const char c = s_[i_];
    const bool comment = c == '/' && (at(i_ + 1) == '/' || at(i_ + 1) == '*');
    if (comment || (c == 'R' && at(i_ + 1) == '"' && is_word_start())) {
      skip_comment_or_literal();
      return;
    }
    if (c == '"' || c == '\'') {
      std::size_t k = i_ + 1;
      while (k < s_.size() && s_[k] != c && s_[k] != '\n') k += s_[k] == '\\' ? 2 : 1;
      i_ = k < s_.size() && s_[k] == c ? k + 1 : i_ + 1;
      return;
    }
    ++i_;
  }
  // Reads the directive at i_: to its line's end, with continuation lines (a backslash before \n or
  // \r\n) and a block comment begun on it; a message when it is one the scanner cannot follow.
  std::optional<std::string> directive() {
    const std::size_t line = line_at(i_);
    std::size_t end = i_;
    while (end < s_.size() && s_[end] != '\n') {
      if (s_[end] == '\\' && at(end + 1) == '\n') {
        end += 2;
      } else if (s_[end] == '\\' && at(end + 1) == '\r' && at(end + 2) == '\n') {
        end += 3;
      } else if (s_[end] == '/' && at(end + 1) == '*') {
        const auto close = s_.find("*/", end + 2);
        end = close == std::string_view::npos ? s_.size() : close + 2;
      } else if (s_[end] == '/' && at(end + 1) == '/') {
        while (end < s_.size() && s_[end] != '\n') ++end;
      } else {
        ++end;
      }
    }
    std::string_view d = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end;
    const auto word_end = [&] {
      std::size_t k = d.find_first_not_of(" \t");
      if (k == std::string_view::npos) return std::string_view();
      std::size_t e = k;
      while (e < d.size() && word_char(d[e])) ++e;
      const std::string_view w = d.substr(k, e - k);
      d.remove_prefix(e);
      return w;
    };
    const std::string_view name = word_end();
    if (name == "if" || name == "ifdef" || name == "ifndef") {
      // The condition, without comments and line continuations: only `0` is known not compiled.
      std::string rest(d.substr(0, std::min({d.find("//"), d.find("/*"), d.size()})));
      std::erase_if(rest,
                    [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\\'; });
      open_.push_back(name == "if" && rest == "0" ? Branch::never : Branch::maybe);
      opened_at_.push_back(line);
    } else if (name == "elif" || name == "elifdef" || name == "elifndef" || name == "else") {
      if (open_.empty()) return fmt::format("line {}: #{} without #if", line, name);
      // After `#if 0`, #else is always compiled; any #elif is a condition again.
      open_.back() = open_.back() == Branch::never && name == "else" ? Branch::always : Branch::maybe;
      opened_at_.back() = line;
    } else if (name == "endif") {
      if (open_.empty()) return fmt::format("line {}: #endif without #if", line);
      open_.pop_back();
      opened_at_.pop_back();
    }
    conditional_line_ = 0;
    for (std::size_t k = 0; k < open_.size(); ++k)
      if (open_[k] == Branch::maybe) conditional_line_ = opened_at_[k];
    return std::nullopt;
  }
  static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  bool is_word_start() const { return i_ == 0 || !word_char(s_[i_ - 1]); }
  std::size_t line_at(std::size_t k) const {
    std::size_t n = 1;
    for (std::size_t j = 0; j < k && j < s_.size(); ++j) n += s_[j] == '\n' ? 1 : 0;
    return n;
  }

  void skip_space() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == '/' && (at(i_ + 1) == '/' || at(i_ + 1) == '*')) {
        skip_comment_or_literal();
      } else {
        break;
      }
    }
  }

  // Skips a comment, a string or a character literal at i_; false when there is none.
  bool skip_comment_or_literal() {
    const char c = s_[i_];
    if (c == '/' && at(i_ + 1) == '/') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return true;
    }
    if (c == '/' && at(i_ + 1) == '*') {
      const auto end = s_.find("*/", i_ + 2);
      i_ = end == std::string_view::npos ? s_.size() : end + 2;
      return true;
    }
    if (c == 'R' && at(i_ + 1) == '"' && is_word_start()) {
      const auto open = s_.find('(', i_ + 2);
      if (open == std::string_view::npos) {
        i_ = s_.size();
        return true;
      }
      const std::string close = fmt::format("){}\"", s_.substr(i_ + 2, open - i_ - 2));
      const auto end = s_.find(close, open);
      i_ = end == std::string_view::npos ? s_.size() : end + close.size();
      return true;
    }
    if (c == '"' || (c == '\'' && !(i_ > 0 && word_char(s_[i_ - 1])))) {
      // A quote after a digit or letter is a digit separator (1'000, 0xff'ff), not a character literal.
      ++i_;
      while (i_ < s_.size() && s_[i_] != c) i_ += s_[i_] == '\\' ? 2 : 1;
      ++i_;
      return true;
    }
    return false;
  }

  // One or more adjacent "..." literals, concatenated; nothing when i_ is not at one.
  std::optional<std::string> literal() {
    skip_space();
    if (at(i_) != '"') return std::nullopt;
    std::string out;
    while (at(i_) == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
          const char e = s_[i_ + 1];
          out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e == 'a' ? '\a' : e == 'b' ? '\b'
                 : e == 'f' ? '\f' : e == 'v' ? '\v' : e;  // \\ \" \' \? stand for themselves
          i_ += 2;
        } else {
          out += s_[i_++];
        }
      }
      ++i_;
      skip_space();
    }
    return out;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<Branch> open_;            // the conditionals open at i_, outermost first
  std::vector<std::size_t> opened_at_;  // the line of each one's #if, #elif or #else
  std::size_t conditional_line_ = 0;    // the innermost `maybe` one's line; 0: none
};

}  // namespace

std::expected<std::vector<DeclaredTestCase>, std::string> declared_test_cases(std::string_view source) {
  return Scanner(source).run();
}

}  // namespace asynclab::grading
