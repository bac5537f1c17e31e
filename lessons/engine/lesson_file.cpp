// lesson.md parsing. See lesson_file.hpp.
#include "engine/lesson_file.hpp"

#include "engine/step_claims.hpp"

#include "engine/text_template.hpp"
#include "model/view_windows.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

namespace asynclab::lessons {

namespace {


std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.emplace_back(trim(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::ranges::all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Reads `key="value"` or `key=value` from a directive argument.
std::optional<std::string> quoted_arg(std::string_view text, std::string_view key) {
  text = trim(text);
  if (!text.starts_with(key) || text.size() <= key.size() || text[key.size()] != '=') return std::nullopt;
  auto value = trim(text.substr(key.size() + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (value.empty()) return std::nullopt;
  return std::string(value);
}

// NAME KIND [RANGE] [UNIT] = DEFAULT | LABEL
std::expected<ParamSpec, std::string> parse_param(std::string_view text) {
  ParamSpec spec;
  auto bar = text.find('|');
  if (bar == std::string_view::npos)
    return std::unexpected("a param line ends with '| label' (e.g. `param: tasks int 1..100 = 10 | number of tasks`)");
  spec.label = std::string(trim(text.substr(bar + 1)));
  if (spec.label.empty()) return std::unexpected("the param's label after '|' is empty");
  auto head = trim(text.substr(0, bar));
  auto eq = head.find('=');
  if (eq == std::string_view::npos) return std::unexpected("a param needs a default: `= VALUE` before the '|'");
  auto default_text = trim(head.substr(eq + 1));
  std::istringstream words{std::string(trim(head.substr(0, eq)))};
  std::string kind, range;
  words >> spec.name >> kind;
  if (!is_identifier(spec.name))
    return std::unexpected(fmt::format("'{}' is not a parameter name (letters, digits, _)", spec.name));
  if (kind == "int") {
    spec.kind = ParamKind::integer;
    words >> range >> spec.unit;
    auto dots = range.find("..");
    if (dots == std::string::npos)
      return std::unexpected(fmt::format("int parameter '{}' needs a range MIN..MAX, got '{}'", spec.name, range));
    auto lo = range.substr(0, dots), hi = range.substr(dots + 2);
    auto a = std::from_chars(lo.data(), lo.data() + lo.size(), spec.min);
    auto b = std::from_chars(hi.data(), hi.data() + hi.size(), spec.max);
    if (a.ec != std::errc{} || a.ptr != lo.data() + lo.size() || b.ec != std::errc{} ||
        b.ptr != hi.data() + hi.size() || spec.min > spec.max)
      return std::unexpected(fmt::format("'{}' is not a range MIN..MAX of whole numbers", range));
    spec.default_value = std::int64_t{0};
  } else if (kind == "bool") {
    spec.kind = ParamKind::flag;
    spec.default_value = false;
  } else if (kind == "choice") {
    spec.kind = ParamKind::choice;
    words >> range;
    spec.choices = split(range, ',');
    if (spec.choices.size() < 2 || std::ranges::any_of(spec.choices, [](auto& c) { return !is_identifier(c); }))
      return std::unexpected(fmt::format("choice parameter '{}' needs two or more names: choice a,b,c", spec.name));
    spec.default_value = std::string();
  } else {
    return std::unexpected(fmt::format("unknown parameter kind '{}' (int, bool or choice)", kind));
  }
  std::string extra;
  if (words >> extra) return std::unexpected(fmt::format("unexpected '{}' in parameter '{}'", extra, spec.name));
  auto value = spec.parse_value(default_text);
  if (!value) return std::unexpected(fmt::format("default: {}", value.error()));
  spec.default_value = *value;
  return spec;
}

class Parser {
 public:
  Parser(std::string_view text, const std::filesystem::path& path) : text_(text), path_(path) {}

  std::expected<Lesson, LessonError> run() {
    lesson_.path = path_;
    lesson_.folder = path_.parent_path().filename().string();
    if (auto ok = folder_name(); !ok) return std::unexpected(ok.error());
    split_lines();
    std::size_t i = 0;
    if (auto ok = front_matter(i); !ok) return std::unexpected(ok.error());
    if (auto ok = body(i); !ok) return std::unexpected(ok.error());
    return std::move(lesson_);
  }

 private:
  LessonError error(std::size_t line, std::string message) const { return {path_, line, std::move(message)}; }

  std::expected<void, LessonError> folder_name() {
    static const std::regex pattern(R"(^([0-9]{2})-([a-z0-9][a-z0-9-]*)$)");
    std::smatch m;
    if (!std::regex_match(lesson_.folder, m, pattern))
      return std::unexpected(error(0, fmt::format("the lesson's folder '{}' is not named NN-slug (e.g. 08-join)",
                                                  lesson_.folder)));
    lesson_.slug = m[2];
    return {};
  }

  void split_lines() {
    std::size_t start = 0;
    while (start <= text_.size()) {
      auto end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      auto line = text_.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines_.push_back(line);
      start = end + 1;
    }
  }

  std::expected<void, LessonError> front_matter(std::size_t& i) {
    if (lines_.empty() || trim(lines_[0]) != "---")
      return std::unexpected(error(1, "lesson.md starts with front matter: a line '---', `key: value` lines, '---'"));
    std::string folder_id = lesson_.folder.substr(0, 2);
    bool closed = false;
    for (i = 1; i < lines_.size(); ++i) {
      auto line = trim(lines_[i]);
      const std::size_t number = i + 1;
      if (line == "---") {
        closed = true;
        ++i;
        break;
      }
      if (line.empty() || line.starts_with('#')) continue;
      auto colon = line.find(':');
      if (colon == std::string_view::npos)
        return std::unexpected(error(number, fmt::format("'{}' is not a `key: value` line", line)));
      auto key = trim(line.substr(0, colon));
      auto value = std::string(trim(line.substr(colon + 1)));
      if (key == "id") {
        if (value != folder_id)
          return std::unexpected(error(number, fmt::format("id '{}' does not match the folder '{}' (id {})", value,
                                                           lesson_.folder, folder_id)));
        lesson_.id = value;
      } else if (key == "title") {
        lesson_.title = value;
      } else if (key == "seeds") {
        lesson_.seeds = value;
      } else if (key == "summary") {
        lesson_.summary = value;
      } else if (key == "param") {
        auto spec = parse_param(value);
        if (!spec) return std::unexpected(error(number, spec.error()));
        if (std::ranges::any_of(lesson_.params, [&](auto& p) { return p.name == spec->name; }))
          return std::unexpected(error(number, fmt::format("parameter '{}' is declared twice", spec->name)));
        lesson_.params.push_back(std::move(*spec));
      } else {
        return std::unexpected(error(
            number, fmt::format("unknown front-matter key '{}' (known: id, title, seeds, summary, param)", key)));
      }
    }
    if (!closed) return std::unexpected(error(lines_.size(), "the front matter is never closed with '---'"));
    for (auto [key, value] : {std::pair{"id", &lesson_.id}, {"title", &lesson_.title}, {"seeds", &lesson_.seeds}})
      if (value->empty())
        return std::unexpected(error(i, fmt::format("the front matter has no '{}:' line", key)));
    return {};
  }

  std::expected<void, LessonError> body(std::size_t i) {
    bool in_code = false;
    std::string fence;
    for (; i < lines_.size(); ++i) {
      auto raw = lines_[i];
      auto line = trim(raw);
      const std::size_t number = i + 1;
      if (line.starts_with("```") || line.starts_with("~~~")) {
        if (!in_code) {
          in_code = true;
          fence = std::string(line.substr(0, 3));
        } else if (line.starts_with(fence)) {
          in_code = false;
        }
      } else if (!in_code && raw.starts_with("## ")) {
        Step step;
        step.title = std::string(trim(raw.substr(3)));
        step.line = number;
        lesson_.steps.push_back(std::move(step));
        continue;
      } else if (!in_code && line.starts_with("<!--")) {
        if (lesson_.steps.empty())
          return std::unexpected(error(number, "a directive before the first step; start each step with '## '"));
        auto d = directive(line, number);
        if (!d) return std::unexpected(d.error());
        lesson_.steps.back().directives.push_back(std::move(*d));
      }
      if (lesson_.steps.empty()) {
        if (line.empty()) continue;
        return std::unexpected(error(number, "text before the first step; start each step with a '## ' heading"));
      }
      auto& md = lesson_.steps.back().markdown;
      md.append(raw);
      md.push_back('\n');
    }
    if (in_code) return std::unexpected(error(lines_.size(), "a code block is never closed with ```"));
    if (lesson_.steps.empty()) return std::unexpected(error(lines_.size(), "the lesson has no steps ('## ' headings)"));
    const ParamValues defaults(lesson_.params);
    for (auto& step : lesson_.steps) {
      while (!step.markdown.empty() && std::isspace(static_cast<unsigned char>(step.markdown.back())))
        step.markdown.pop_back();
      step.markdown.push_back('\n');
      // Figures that follow the sliders ({{latency_posts}}): checked here, so a learner never sees one
      // that does not work.
      if (auto ok = check_template(step.markdown, defaults); !ok) {
        const auto before = std::string_view(step.markdown).substr(0, ok.error().offset);
        return std::unexpected(error(step.line + 1 + static_cast<std::size_t>(std::ranges::count(before, '\n')),
                                     ok.error().message));
      }
    }
    return {};
  }

  std::expected<Directive, LessonError> directive(std::string_view line, std::size_t number) {
    if (!line.ends_with("-->"))
      return std::unexpected(error(number, "a directive is one line: <!-- name: argument -->"));
    auto inner = trim(line.substr(4, line.size() - 7));
    auto colon = inner.find(':');
    auto name = trim(inner.substr(0, colon));
    Directive d;
    d.line = number;
    d.text = colon == std::string_view::npos ? "" : std::string(trim(inner.substr(colon + 1)));
    if (name == "run-until") {
      d.kind = DirectiveKind::run_until;
      auto filter = trace::parse_event_filter(d.text);
      if (!filter) return std::unexpected(error(number, fmt::format("run-until: {}", filter.error())));
      d.filter = std::move(*filter);
    } else if (name == "highlight") {
      d.kind = DirectiveKind::highlight;
      auto task = quoted_arg(d.text, "task");
      if (!task) return std::unexpected(error(number, "highlight takes task=\"NAME\""));
      d.name = *task;
    } else if (name == "focus") {
      d.kind = DirectiveKind::focus;
      auto window = quoted_arg(d.text, "window");
      const auto focused = window ? vis::view_window_titled(*window) : std::nullopt;
      if (!focused || !vis::names_of(*focused).focusable)
        return std::unexpected(error(
            number, fmt::format("focus takes window=\"NAME\", one of: {}", vis::view_window_titles(vis::WindowList::focusable))));
      d.name = *window;
    } else if (name == "set") {
      d.kind = DirectiveKind::set;
      std::istringstream words(d.text);
      std::string word;
      while (words >> word) {
        auto eq = word.find('=');
        if (eq == std::string::npos)
          return std::unexpected(error(number, fmt::format("set takes NAME=VALUE pairs, got '{}'", word)));
        auto pname = word.substr(0, eq), value = word.substr(eq + 1);
        auto spec = std::ranges::find(lesson_.params, pname, &ParamSpec::name);
        if (spec == lesson_.params.end())
          return std::unexpected(error(number, fmt::format("set: the front matter declares no parameter '{}'", pname)));
        if (auto v = spec->parse_value(value); !v) return std::unexpected(error(number, fmt::format("set: {}", v.error())));
        d.assigns.emplace_back(pname, value);
      }
      if (d.assigns.empty()) return std::unexpected(error(number, "set takes at least one NAME=VALUE"));
    } else if (name == "axis") {
      d.kind = DirectiveKind::axis;
      if (d.text != "steps" && d.text != "time")
        return std::unexpected(error(number, fmt::format("axis is 'steps' or 'time', not '{}'", d.text)));
      d.name = d.text;
    } else if (name == "frame") {
      d.kind = DirectiveKind::frame;
      if (d.text != "step" && d.text != "run" && d.text != "since-start" && d.text != "previous")
        return std::unexpected(
            error(number, fmt::format("frame is 'step', 'run', 'since-start' or 'previous', not '{}'", d.text)));
      d.name = d.text;
    } else if (name == "expect") {
      d.kind = DirectiveKind::expect;
      // Checked with the defaults here; the tests check it again with each run's parameters.
      auto expanded = expand_template(d.text, ParamValues(lesson_.params));
      if (!expanded) return std::unexpected(error(number, fmt::format("expect: {}", expanded.error().message)));
      if (auto claim = parse_claim(*expanded); !claim) return std::unexpected(error(number, claim.error()));
    } else {
      return std::unexpected(error(
          number, fmt::format("unknown directive '{}' (known: run-until, highlight, focus, set, axis, frame, expect)", name)));
    }
    return d;
  }

  std::string_view text_;
  std::filesystem::path path_;
  std::vector<std::string_view> lines_;
  Lesson lesson_;
};

}  // namespace

std::vector<std::string> Step::claims() const {
  std::vector<std::string> out;
  for (const Directive& d : directives)
    if (d.kind == DirectiveKind::expect) out.push_back(d.text);
  return out;
}

const Directive* Step::run_until() const {
  auto it = std::ranges::find(directives, DirectiveKind::run_until, &Directive::kind);
  return it == directives.end() ? nullptr : &*it;
}

ParamValues Lesson::values_at(std::size_t step, const ParamValues& overrides) const {
  ParamValues values = overrides.specs().empty() ? ParamValues(params) : overrides;
  for (std::size_t s = 0; s <= step && s < steps.size(); ++s)
    for (const auto& d : steps[s].directives)
      if (d.kind == DirectiveKind::set)
        for (const auto& [name, value] : d.assigns) (void)values.set(name, value);  // checked when parsed
  return values;
}

std::string Lesson::scenario_symbol() const {
  std::string symbol = "scenario_" + folder;
  std::ranges::replace(symbol, '-', '_');
  return symbol;
}

std::string LessonError::to_string() const {
  if (line == 0) return fmt::format("{}: {}", path.string(), message);
  return fmt::format("{}:{}: {}", path.string(), line, message);
}

std::expected<Lesson, LessonError> parse_lesson(std::string_view text, const std::filesystem::path& path) {
  return Parser(text, path).run();
}

std::expected<Lesson, LessonError> load_lesson(const std::filesystem::path& lesson_md) {
  std::ifstream in(lesson_md, std::ios::binary);
  if (!in) return std::unexpected(LessonError{lesson_md, 0, "cannot read the file (missing or not readable)"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_lesson(text.str(), lesson_md);
}

}  // namespace asynclab::lessons
