// Parsing and matching event filters. See event_filter.hpp for the grammar and the rules.
#include "asynclab/trace/event_filter.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"

namespace asynclab::trace {

using trace::Event;
using trace::EventKind;

namespace {

// --- words -------------------------------------------------------------------------------------

struct Alias {
  std::string_view word;
  EventKind kind;
};
constexpr std::array<Alias, 8> aliases{{
    {"poll", EventKind::poll_begin},
    {"spawn", EventKind::task_spawned},
    {"complete", EventKind::task_completed},
    {"done", EventKind::task_completed},
    {"send", EventKind::channel_send},
    {"recv", EventKind::channel_recv},
    {"lock", EventKind::lock_acquired},
    {"deadlock", EventKind::stuck_wait},
}};

constexpr std::array<std::string_view, 9> key_names{"task",  "from", "source",   "result", "outcome",
                                                    "label", "lint", "resource", "nth"};

constexpr std::array<EventKind, 12> resource_kinds{
    EventKind::resource_created, EventKind::resource_limits, EventKind::resource_dropped,
    EventKind::channel_send,     EventKind::channel_recv,    EventKind::channel_closed,
    EventKind::lock_waiting,     EventKind::lock_acquired,   EventKind::lock_released,
    EventKind::notified,         EventKind::stuck_wait,      EventKind::channel_value,
};

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::vector<std::string_view> all_kind_names() {
  std::vector<std::string_view> names;
  for (auto k = static_cast<std::uint8_t>(EventKind::runtime_started);
       k < static_cast<std::uint8_t>(EventKind::kind_count_); ++k)
    names.push_back(trace::kind_name(static_cast<EventKind>(k)));
  return names;
}

std::expected<EventKind, std::string> kind_named(std::string_view word) {
  for (auto k = static_cast<std::uint8_t>(EventKind::runtime_started);
       k < static_cast<std::uint8_t>(EventKind::kind_count_); ++k)
    if (trace::kind_name(static_cast<EventKind>(k)) == word) return static_cast<EventKind>(k);
  for (const Alias& a : aliases)
    if (a.word == word) return a.kind;
  std::vector<std::string_view> alias_words;
  for (const Alias& a : aliases) alias_words.push_back(a.word);
  return std::unexpected(fmt::format("unknown event kind \"{}\"; valid kinds: {} (or the aliases {})", word,
                                     joined(all_kind_names()), joined(alias_words)));
}

// A value from a fixed list: its index in `names`, or an error naming the value and the list.
std::expected<std::size_t, std::string> one_of(std::string_view key, std::string_view value,
                                               std::initializer_list<std::string_view> names,
                                               EventKind kind) {
  std::size_t i = 0;
  for (std::string_view n : names) {
    if (n == value) return i;
    ++i;
  }
  return std::unexpected(fmt::format("bad value \"{}\" for {} on {} events; valid values: {}", value, key,
                                     trace::kind_name(kind), joined(std::vector<std::string_view>(names))));
}

// --- the text ----------------------------------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

struct Pair {
  std::string_view key;
  std::string value;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::string_view word() {
    skip_space();
    std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool done() {
    skip_space();
    return pos_ >= text_.size();
  }

  std::expected<Pair, std::string> pair() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_]) && text_[pos_] != '=') ++pos_;
    const std::string_view key = text_.substr(start, pos_ - start);
    if (pos_ >= text_.size() || text_[pos_] != '=') {
      return std::unexpected(
          fmt::format("expected key=value, got \"{}\" (keys: {})", key,
                      joined(std::vector<std::string_view>(key_names.begin(), key_names.end()))));
    }
    ++pos_;  // '='
    if (key.empty()) return std::unexpected(std::string("a \"=\" has no key before it"));
    std::string value;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        char c = text_[pos_++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\\'))
          c = text_[pos_++];
        value += c;
      }
      if (!closed) return std::unexpected(fmt::format("the quoted value of {} has no closing quote", key));
      if (pos_ < text_.size() && !is_space(text_[pos_]))
        return std::unexpected(fmt::format("expected a space after the quoted value of {}", key));
    } else {
      const std::size_t vstart = pos_;
      while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
      value = std::string(text_.substr(vstart, pos_ - vstart));
    }
    if (value.empty())
      return std::unexpected(
          fmt::format("{} has no value (write {}=value or {}=\"a value\")", key, key, key));
    return Pair{key, std::move(value)};
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  std::string_view text_;
  std::size_t pos_ = 0;
};

// --- keys --------------------------------------------------------------------------------------

std::string applies_only_to(std::string_view key, EventKind kind, std::initializer_list<EventKind> kinds) {
  std::vector<std::string_view> names;
  for (EventKind k : kinds) names.push_back(trace::kind_name(k));
  return fmt::format("key {} does not apply to {} events; it applies to {}", key, trace::kind_name(kind),
                     joined(names));
}

bool one_of_kinds(EventKind kind, std::initializer_list<EventKind> kinds) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::expected<void, std::string> apply_pair(EventFilter& f, const Pair& p) {
  const EventKind kind = f.kind;
  const std::string_view key = p.key;
  const std::string& value = p.value;
  if (key == "task") {
    f.task = value;
  } else if (key == "from") {
    if (!one_of_kinds(kind, {EventKind::wake, EventKind::task_spawned}))
      return std::unexpected(applies_only_to(key, kind, {EventKind::wake, EventKind::task_spawned}));
    f.from = value;
  } else if (key == "source") {
    if (kind != EventKind::wake) return std::unexpected(applies_only_to(key, kind, {EventKind::wake}));
    auto i = one_of(key, value, {"task", "timer", "channel", "io", "blocking", "runtime", "budget", "self"}, kind);
    if (!i) return std::unexpected(i.error());
    if (value == "self") {
      f.self_wake = true;
    } else {
      f.source = static_cast<trace::WakeSource>(*i);
    }
  } else if (key == "result") {
    std::expected<std::size_t, std::string> i;
    if (kind == EventKind::poll_end) {
      i = one_of(key, value, {"pending", "ready", "panicked"}, kind);
    } else if (kind == EventKind::channel_send) {
      i = one_of(key, value, {"sent", "full", "closed"}, kind);
    } else if (kind == EventKind::channel_recv) {
      i = one_of(key, value, {"received", "empty", "closed", "lagged"}, kind);
    } else {
      return std::unexpected(applies_only_to(
          key, kind, {EventKind::poll_end, EventKind::channel_send, EventKind::channel_recv}));
    }
    if (!i) return std::unexpected(i.error());
    f.result = static_cast<std::uint16_t>(*i);
  } else if (key == "outcome") {
    if (kind != EventKind::task_completed)
      return std::unexpected(applies_only_to(key, kind, {EventKind::task_completed}));
    auto i = one_of(key, value, {"ok", "panicked", "cancelled"}, kind);
    if (!i) return std::unexpected(i.error());
    f.outcome = static_cast<trace::Outcome>(*i);
  } else if (key == "label") {
    if (kind != EventKind::mark && kind != EventKind::channel_value)
      return std::unexpected(applies_only_to(key, kind, {EventKind::mark, EventKind::channel_value}));
    f.label = value;
  } else if (key == "lint") {
    if (kind != EventKind::lint) return std::unexpected(applies_only_to(key, kind, {EventKind::lint}));
    // The identifier (lint=lost_waker) or the name the runtime shows (lint="lost waker").
    auto i = one_of(key, value, {"forgotten_future", "lost_waker", "self_wake", "long_poll"}, kind);
    for (auto k = 1; !i && k <= 4; ++k)
      if (trace::lint_name(static_cast<trace::LintKind>(k)) == value) i = static_cast<std::size_t>(k - 1);
    if (!i) return std::unexpected(i.error());
    f.lint = static_cast<trace::LintKind>(*i + 1);
  } else if (key == "resource") {
    if (std::find(resource_kinds.begin(), resource_kinds.end(), kind) == resource_kinds.end()) {
      std::vector<std::string_view> names;
      for (EventKind k : resource_kinds) names.push_back(trace::kind_name(k));
      return std::unexpected(fmt::format("key resource does not apply to {} events; it applies to {}",
                                         trace::kind_name(kind), joined(names)));
    }
    f.resource = value;
  } else if (key == "nth") {
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n == 0)
      return std::unexpected(fmt::format(
          "bad value \"{}\" for nth: expected a whole number from 1 (nth=1 is the first match)", value));
    f.nth = n;
  } else {
    return std::unexpected(
        fmt::format("unknown key \"{}\"; valid keys: {}", key,
                    joined(std::vector<std::string_view>(key_names.begin(), key_names.end()))));
  }
  return {};
}

}  // namespace

// --- FilterContext -----------------------------------------------------------------------------

const std::string& FilterContext::task_name(std::uint32_t task) {
  auto [it, added] = task_names_.try_emplace(task);
  if (added) it->second = task == 0 ? std::string("runtime") : trace_->task_name(task);
  return it->second;
}

std::string_view FilterContext::resource_name(std::uint32_t resource) {
  if (!resources_scanned_) {
    resources_scanned_ = true;
    for (std::size_t i = 0; i < trace_->size(); ++i) {
      if (auto created = trace::as<trace::ev::ResourceCreated>((*trace_)[i]))
        resource_names_.try_emplace(created->resource, created->name);
    }
  }
  auto it = resource_names_.find(resource);
  return it == resource_names_.end() ? std::string_view{} : trace_->string(it->second);
}

// --- EventFilter -------------------------------------------------------------------------------

std::expected<EventFilter, std::string> parse_event_filter(std::string_view text) {
  text = trim(text);
  EventFilter f;
  f.text = std::string(text);
  Lexer lex(text);
  const std::string_view first = lex.word();
  if (first.empty())
    return std::unexpected(std::string("empty filter: expected an event kind such as wake, poll or mark"));
  if (first.find('=') != std::string_view::npos)
    return std::unexpected(
        fmt::format("a filter starts with an event kind (wake, poll, mark, ...), not \"{}\"", first));
  auto kind = kind_named(first);
  if (!kind) return std::unexpected(kind.error());
  f.kind = *kind;
  std::vector<std::string_view> seen;
  while (!lex.done()) {
    auto p = lex.pair();
    if (!p) return std::unexpected(p.error());
    if (std::find(seen.begin(), seen.end(), p->key) != seen.end())
      return std::unexpected(fmt::format("key {} is given twice", p->key));
    seen.push_back(p->key);
    if (auto ok = apply_pair(f, *p); !ok) return std::unexpected(ok.error());
  }
  return f;
}

bool EventFilter::matches(FilterContext& context, const Event& e) const {
  namespace ev = trace::ev;
  if (e.kind != kind) return false;
  if (task && context.task_name(e.task) != *task) return false;
  const trace::Trace& t = context.trace();
  // Each key is read from the typed view of the kinds it applies to (parse_event_filter refuses it
  // on any other kind).
  auto from_is = [&](std::uint32_t acting) { return !from || context.task_name(acting) == *from; };
  auto result_is = [&](auto r) { return !result || static_cast<std::uint16_t>(r) == *result; };
  auto resource_is = [&](std::uint32_t id) { return !resource || context.resource_name(id) == *resource; };
  return trace::visit(e, trace::overloaded{
    [&](const ev::Wake& x) {
      return from_is(x.by) && (!source || x.source == *source) && (!self_wake || x.self);
    },
    [&](const ev::TaskSpawned& x) { return from_is(x.parent); },
    [&](const ev::PollEnd& x) { return result_is(x.result); },
    [&](const ev::TaskCompleted& x) { return !outcome || x.outcome == *outcome; },
    [&](const ev::Mark& x) { return !label || t.string(x.label) == *label; },
    [&](const ev::Lint& x) { return !lint || x.lint == *lint; },
    [&](const ev::ChannelSend& x) { return result_is(x.result) && resource_is(x.resource); },
    [&](const ev::ChannelRecv& x) { return result_is(x.result) && resource_is(x.resource); },
    [&](const ev::ChannelValue& x) { return (!label || t.value_label(e) == *label) && resource_is(x.resource); },
    [&](const ev::StuckWait& x) { return resource_is(x.resource); },  // deadlock resource="knife"
    [&]<class T>(const T& x) {
      if constexpr (trace::is_resource_event(T::kind)) return resource_is(x.resource);
      else return true;
    },
  });
}

bool EventFilter::matches(const trace::Trace& trace, const Event& e) const {
  FilterContext context(trace);
  return matches(context, e);
}

std::optional<std::size_t> find_next(FilterContext& context, const EventFilter& filter, std::size_t from) {
  const trace::Trace& t = context.trace();
  std::uint32_t seen = 0;
  for (std::size_t i = filter.nth ? 0 : from; i < t.size(); ++i) {
    if (!filter.matches(context, t[i])) continue;
    if (filter.nth == 0) return i;
    if (++seen == filter.nth) return i >= from ? std::optional<std::size_t>(i) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::size_t> find_next(const trace::Trace& trace, const EventFilter& filter, std::size_t from) {
  FilterContext context(trace);
  return find_next(context, filter, from);
}

}  // namespace asynclab::trace
