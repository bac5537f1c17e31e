// See declared_test_cases.hpp.
#include "declared_test_cases.hpp"

#include <optional>

#include <fmt/format.h>

namespace asynclab::grading {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::expected<std::vector<DeclaredTestCase>, std::string> run() {
    std::vector<DeclaredTestCase> cases;
    while (i_ < s_.size()) {
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
};

}  // namespace

std::expected<std::vector<DeclaredTestCase>, std::string> declared_test_cases(std::string_view source) {
  return Scanner(source).run();
}

}  // namespace asynclab::grading
