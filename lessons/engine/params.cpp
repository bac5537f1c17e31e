// Lesson parameters. See params.hpp.
#include "engine/params.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace asynclab::lessons {

namespace {

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

const char* kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::integer: return "an integer";
    case ParamKind::flag: return "a flag";
    case ParamKind::choice: return "a choice";
  }
  return "?";
}

}  // namespace

std::string ParamSpec::describe_range() const {
  switch (kind) {
    case ParamKind::integer: return fmt::format("{}..{}{}{}", min, max, unit.empty() ? "" : " ", unit);
    case ParamKind::flag: return "true or false";
    case ParamKind::choice: return join(choices, " | ");
  }
  return {};
}

std::string ParamSpec::format_value(const std::variant<std::int64_t, bool, std::string>& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

std::expected<std::variant<std::int64_t, bool, std::string>, std::string> ParamSpec::parse_value(
    std::string_view text) const {
  switch (kind) {
    case ParamKind::integer: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc{} || end != text.data() + text.size())
        return std::unexpected(fmt::format("'{}' is not a whole number; {} takes {}", text, name, describe_range()));
      if (v < min || v > max)
        return std::unexpected(fmt::format("{} is outside {}'s range {}", v, name, describe_range()));
      return v;
    }
    case ParamKind::flag:
      if (text == "true" || text == "on" || text == "yes" || text == "1") return true;
      if (text == "false" || text == "off" || text == "no" || text == "0") return false;
      return std::unexpected(fmt::format("'{}' is not true or false (for {})", text, name));
    case ParamKind::choice:
      if (std::ranges::find(choices, text) != choices.end()) return std::string(text);
      return std::unexpected(fmt::format("'{}' is not one of {}'s choices: {}", text, name, describe_range()));
  }
  return std::unexpected("unknown parameter kind");
}

ParamValues::ParamValues(const std::vector<ParamSpec>& specs) : specs_(specs) {
  for (const auto& s : specs_) values_[s.name] = s.default_value;
}

const ParamSpec* ParamValues::spec(std::string_view name) const {
  auto it = std::ranges::find(specs_, name, &ParamSpec::name);
  return it == specs_.end() ? nullptr : &*it;
}

const ParamValues::Value& ParamValues::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(fmt::format("the lesson declares no parameter '{}' (add a `param:` line to lesson.md)", name));
  return it->second;
}

std::int64_t ParamValues::integer(std::string_view name) const {
  const auto& v = get(name);
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw std::logic_error(fmt::format("parameter '{}' is {}, not an integer", name, kind_name(spec(name)->kind)));
}

bool ParamValues::flag(std::string_view name) const {
  const auto& v = get(name);
  if (auto* b = std::get_if<bool>(&v)) return *b;
  throw std::logic_error(fmt::format("parameter '{}' is {}, not a flag", name, kind_name(spec(name)->kind)));
}

const std::string& ParamValues::choice(std::string_view name) const {
  const auto& v = get(name);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  throw std::logic_error(fmt::format("parameter '{}' is {}, not a choice", name, kind_name(spec(name)->kind)));
}

std::chrono::milliseconds ParamValues::millis(std::string_view name) const {
  const auto* s = spec(name);
  if (s != nullptr && s->unit != "ms")
    throw std::logic_error(fmt::format("parameter '{}' is not in ms (its unit is '{}')", name, s->unit));
  return std::chrono::milliseconds(integer(name));
}

std::expected<void, std::string> ParamValues::set(std::string_view name, std::string_view text) {
  const auto* s = spec(name);
  if (s == nullptr) {
    std::vector<std::string> names;
    for (const auto& p : specs_) names.push_back(p.name);
    return std::unexpected(fmt::format("no parameter '{}' (this lesson has: {})", name,
                                       names.empty() ? "none" : join(names, ", ")));
  }
  auto v = s->parse_value(text);
  if (!v) return std::unexpected(v.error());
  values_[s->name] = std::move(*v);
  return {};
}

std::expected<void, std::string> ParamValues::set_value(std::string_view name, const Value& value) {
  const auto* s = spec(name);
  if (s == nullptr) return std::unexpected(fmt::format("no parameter '{}'", name));
  return set(name, ParamSpec::format_value(value));
}

std::string ParamValues::to_string() const {
  std::string out;
  for (const auto& s : specs_) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", s.name, ParamSpec::format_value(values_.at(s.name)));
  }
  return out;
}

}  // namespace asynclab::lessons
