#include "engine/step_claims.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/text_template.hpp"
#include "model/nested_lanes.hpp"
#include "terminal/window_text.hpp"

namespace asynclab::lessons {

namespace {

constexpr std::array text_windows{"Executor", "Resources", "Warnings", "Tasks", "Task", "Pinning", "Output"};

// Splits off the next word, or a "quoted string" (\" inside is a quote).
struct Words {
  std::string_view rest;

  void skip_space() {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  }
  bool done() {
    skip_space();
    return rest.empty();
  }
  std::string word() {
    skip_space();
    const std::size_t n = std::min(rest.find_first_of(" \t"), rest.size());
    std::string w(rest.substr(0, n));
    rest.remove_prefix(n);
    return w;
  }
  std::expected<std::string, std::string> quoted(std::string_view what) {
    skip_space();
    if (rest.empty() || rest.front() != '"')
      return std::unexpected(fmt::format("expected {} in quotes", what));
    std::string out;
    for (std::size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size()) {
        out += rest[++i];
      } else if (rest[i] == '"') {
        rest.remove_prefix(i + 1);
        return out;
      } else {
        out += rest[i];
      }
    }
    return std::unexpected(fmt::format("{} has no closing quote", what));
  }
};

std::optional<vis::TaskState> state_named(std::string_view s) {
  using vis::TaskState;
  if (s == "not_spawned") return TaskState::not_spawned;
  if (s == "scheduled") return TaskState::scheduled;
  if (s == "running") return TaskState::running;
  if (s == "parked" || s == "idle") return TaskState::idle;
  if (s == "done") return TaskState::done;
  if (s == "cancelled") return TaskState::cancelled;
  if (s == "panicked") return TaskState::panicked;
  return std::nullopt;
}

const char* state_word(vis::TaskState s) {
  return s == vis::TaskState::idle ? "parked" : vis::task_state_name(s);
}

std::string format_ms(double ms) { return fmt::format("{:g} ms", ms); }

double ns_to_ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// The spans of every row matching `pattern` that began before the cursor, with the row they sit on.
struct FoundSpan {
  const vis::NestedRow* row;
  const vis::NestedSpan* span;
};
std::vector<FoundSpan> spans_matching(const vis::LaneIndex& lanes, std::string_view pattern,
                                      std::size_t cursor) {
  std::vector<FoundSpan> out;
  const vis::NestedLanes& nested = lanes.nested();
  for (std::size_t r = 0; r < nested.rows().size(); ++r) {
    const vis::NestedRow& row = nested.rows()[r];
    if (!label_matches(pattern, row.label)) continue;
    for (const vis::NestedSpan& span : nested.spans_of(static_cast<std::uint32_t>(r)))
      if (span.begin_event < cursor) out.push_back({&row, &span});
  }
  return out;
}

// A span as the cursor sees it: ended only when its end is before the cursor.
bool ended_by(const vis::NestedSpan& s, std::size_t cursor) {
  return s.end_event != vis::npos && s.end_event < cursor;
}

std::string describe_found(const vis::TraceIndex& index, const FoundSpan& f, std::size_t cursor) {
  const std::uint64_t start = index.run().start_ns;
  const double from = ns_to_ms(f.span->begin_ns - start);
  if (!ended_by(*f.span, cursor)) return fmt::format("'{}' from {}, running", f.row->label, format_ms(from));
  return fmt::format("'{}' from {} to {}, {}", f.row->label, format_ms(from),
                     format_ms(ns_to_ms(f.span->end_ns - start)), vis::span_end_name(f.span->end));
}

std::string list_found(const vis::TraceIndex& index, const std::vector<FoundSpan>& found,
                       std::size_t cursor) {
  std::string s;
  for (std::size_t i = 0; i < found.size() && i < 6; ++i)
    s += (i ? "; " : "") + describe_found(index, found[i], cursor);
  if (found.size() > 6) s += fmt::format("; and {} more", found.size() - 6);
  return s;
}

// The labels of the rows with a span begun before the cursor, for a message about a row not found.
std::string rows_begun(const vis::LaneIndex& lanes, std::size_t cursor) {
  std::string s;
  std::size_t n = 0;
  const vis::NestedLanes& nested = lanes.nested();
  for (std::size_t r = 0; r < nested.rows().size(); ++r) {
    const auto spans = nested.spans_of(static_cast<std::uint32_t>(r));
    if (std::ranges::none_of(spans, [&](const vis::NestedSpan& x) { return x.begin_event < cursor; }))
      continue;
    if (n++ < 12) s += (s.empty() ? "'" : ", '") + nested.rows()[r].label + "'";
  }
  if (n > 12) s += fmt::format(" and {} more", n - 12);
  return n == 0 ? std::string("none") : s;
}

}  // namespace

bool label_matches(std::string_view pattern, std::string_view label) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t p = 0, l = 0, star = std::string_view::npos, mark = 0;
  while (l < label.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = l;
    } else if (p < pattern.size() && pattern[p] == label[l]) {
      ++p;
      ++l;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      l = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::expected<StepClaim, std::string> parse_claim(std::string_view text) {
  StepClaim c;
  c.text = std::string(text);
  Words w{text};
  const std::string verb = w.word();
  auto fail = [&](std::string message) { return std::unexpected(fmt::format("expect: {}", message)); };
  if (verb == "shows" || verb == "hides") {
    c.kind = verb == "shows" ? ClaimKind::shows : ClaimKind::hides;
    c.window = w.word();
    if (std::ranges::find(text_windows, c.window) == text_windows.end())
      return fail(fmt::format(
          "{} takes a window: Executor, Resources, Warnings, Tasks, Task, Pinning or Output, not '{}'", verb,
          c.window));
    auto q = w.quoted("the text");
    if (!q) return fail(q.error());
    if (q->empty()) return fail("the text to look for is empty: every window shows \"\"");
    c.quoted = *q;
  } else if (verb == "task") {
    c.kind = ClaimKind::task_state;
    auto q = w.quoted("the task's name");
    if (!q) return fail(q.error());
    c.quoted = *q;
    if (w.word() != "is") return fail("task \"NAME\" is STATE");
    const std::string s = w.word();
    const auto state = state_named(s);
    if (!state)
      return fail(fmt::format(
          "a task is not_spawned, scheduled, running, parked, done, cancelled or panicked, not '{}'", s));
    c.state = *state;
  } else if (verb == "span" || verb == "spans") {
    auto q = w.quoted("the row's label");
    if (!q) return fail(q.error());
    if (q->empty()) return fail("the row's label is empty (\"*\" is any row)");
    c.quoted = *q;
    const std::string how = w.word();
    if (verb == "spans") {
      if (how == "one-after-another")
        c.kind = ClaimKind::spans_in_sequence;
      else if (how == "overlap")
        c.kind = ClaimKind::spans_overlap;
      else
        return fail(fmt::format("spans \"LABEL\" takes one-after-another or overlap, not '{}'", how));
    } else if (how == "running") {
      c.kind = ClaimKind::span_running;
    } else {
      c.kind = ClaimKind::span_end;
      if (how == "done")
        c.end = vis::SpanEnd::done;
      else if (how == "cancelled")
        c.end = vis::SpanEnd::cancelled;
      else if (how == "failed")
        c.end = vis::SpanEnd::failed;
      else if (how == "disabled")
        c.end = vis::SpanEnd::disabled;
      else if (how == "released")
        c.end = vis::SpanEnd::released;
      else
        return fail(fmt::format("span \"LABEL\" takes done, cancelled, failed, disabled, released or running, not '{}'",
                                how));
      if (!w.done()) {
        if (w.word() != "at") return fail("span \"LABEL\" ENDS at N ms");
        const std::string n = w.word();
        double ms = 0;
        const auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), ms);
        if (ec != std::errc{} || ptr != n.data() + n.size() || !std::isfinite(ms) || ms < 0 || w.word() != "ms")
          return fail(fmt::format("'at' takes a time in ms: at 300 ms, not 'at {}'", n));
        c.at_ms = ms;
      }
    }
  } else if (verb == "happened" || verb == "not-happened") {
    c.kind = verb == "happened" ? ClaimKind::happened : ClaimKind::not_happened;
    w.skip_space();
    // `happened A then B then C`: split at " then " outside quotes.
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < w.rest.size(); ++i) {
      if (w.rest[i] == '\\' && quoted) {
        ++i;
      } else if (w.rest[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && w.rest.substr(i).starts_with(" then ")) {
        parts.push_back(w.rest.substr(start, i - start));
        start = i + 6;
        i = start - 1;
      }
    }
    parts.push_back(w.rest.substr(start));
    if (parts.size() > 1 && c.kind == ClaimKind::not_happened)
      return fail("not-happened takes one event, not a sequence with 'then'");
    for (std::string_view part : parts) {
      auto filter = trace::parse_event_filter(part);
      if (!filter) return fail(filter.error());
      if (!c.filter) c.filter = std::move(*filter);
      else c.then.push_back(std::move(*filter));
    }
    w.rest = {};
  } else {
    return fail(fmt::format(
        "unknown claim '{}' (known: shows, hides, task, span, spans, happened, not-happened)", verb));
  }
  if (!w.done()) return fail(fmt::format("unexpected '{}' at the end", w.rest));
  return c;
}

std::string check_claim(const StepClaim& c, const ClaimContext& ctx) {
  const vis::TraceIndex& index = ctx.lanes.index();
  switch (c.kind) {
    case ClaimKind::shows:
    case ClaimKind::hides: {
      // Wide enough that no line wraps: the claim is about the words, not the terminal's width.
      std::string shown;
      if (c.window == "Output") {
        for (const SaidLine& line : ctx.said)
          if (line.event <= ctx.cursor) shown += line.text + "\n";
      } else {
        shown = vis::render_window_text(ctx.lanes, ctx.state, c.window, 1000, ctx.highlighted_task);
      }
      const bool found = shown.find(c.quoted) != std::string::npos;
      if (found == (c.kind == ClaimKind::shows)) return {};
      return fmt::format("the {} window should {}show \"{}\"; it shows:\n{}", c.window,
                         c.kind == ClaimKind::shows ? "" : "not yet ", c.quoted, shown);
    }
    case ClaimKind::task_state: {
      const std::uint32_t id = index.find_task(c.quoted);
      if (id == vis::npos) return fmt::format("there is no task named \"{}\"", c.quoted);
      const vis::TaskState now = ctx.state.tasks[index.task_slot(id)].state;
      if (now == c.state) return {};
      return fmt::format("task \"{}\" should be {}; it is {}", c.quoted, state_word(c.state),
                         state_word(now));
    }
    case ClaimKind::span_end:
    case ClaimKind::span_running: {
      const std::vector<FoundSpan> found = spans_matching(ctx.lanes, c.quoted, ctx.cursor);
      const std::uint64_t start = index.run().start_ns;
      for (const FoundSpan& f : found) {
        if (c.kind == ClaimKind::span_running) {
          if (!ended_by(*f.span, ctx.cursor)) return {};
          continue;
        }
        if (!ended_by(*f.span, ctx.cursor) || f.span->end != c.end) continue;
        if (c.at_ms && std::abs(ns_to_ms(f.span->end_ns - start) - *c.at_ms) > 0.5) continue;
        return {};
      }
      const std::string wanted =
          c.kind == ClaimKind::span_running
              ? std::string("running")
              : fmt::format("{}{}", vis::span_end_name(c.end), c.at_ms ? " at " + format_ms(*c.at_ms) : "");
      if (found.empty())
        return fmt::format("a row \"{}\" should be {}; no such row has begun by the cursor (rows begun: {})",
                           c.quoted, wanted, rows_begun(ctx.lanes, ctx.cursor));
      return fmt::format("a row \"{}\" should be {}; the timeline shows {}", c.quoted, wanted,
                         list_found(index, found, ctx.cursor));
    }
    case ClaimKind::spans_in_sequence:
    case ClaimKind::spans_overlap: {
      std::vector<FoundSpan> found = spans_matching(ctx.lanes, c.quoted, ctx.cursor);
      if (found.size() < 2)
        return fmt::format(
            "rows \"{}\" should hold two spans or more by the cursor; they hold {} (rows begun: {})",
            c.quoted, found.size(), rows_begun(ctx.lanes, ctx.cursor));
      // A span still running at the cursor is in flight from its start on: nothing after it began
      // ran after it, and everything in flight with it overlaps it (even at one virtual instant).
      const auto end_of = [&](const FoundSpan& f) {
        return ended_by(*f.span, ctx.cursor) ? f.span->end_ns : UINT64_MAX;
      };
      // By start, then end: two spans starting at one virtual instant sort the same way every time.
      std::ranges::sort(found, [&](const FoundSpan& a, const FoundSpan& b) {
        return std::pair(a.span->begin_ns, end_of(a)) < std::pair(b.span->begin_ns, end_of(b));
      });
      if (c.kind == ClaimKind::spans_in_sequence) {
        for (std::size_t i = 1; i < found.size(); ++i)
          if (found[i].span->begin_ns < end_of(found[i - 1]))
            return fmt::format("rows \"{}\" should run one after another; the timeline shows {}", c.quoted,
                               list_found(index, found, ctx.cursor));
        return {};
      }
      // All in flight together: the latest start is before the earliest end.
      std::uint64_t latest_begin = 0, earliest_end = UINT64_MAX;
      bool all_running = true;
      for (const FoundSpan& f : found) {
        latest_begin = std::max(latest_begin, f.span->begin_ns);
        earliest_end = std::min(earliest_end, end_of(f));
        all_running = all_running && !ended_by(*f.span, ctx.cursor);
      }
      if (all_running || latest_begin < earliest_end) return {};
      return fmt::format("rows \"{}\" should all be in flight together; the timeline shows {}", c.quoted,
                         list_found(index, found, ctx.cursor));
    }
    case ClaimKind::happened:
    case ClaimKind::not_happened: {
      const auto at = trace::find_next(index.trace(), *c.filter, 0);
      if (c.kind == ClaimKind::happened && at && *at < ctx.cursor && !c.then.empty()) {
        // A sequence: each event after the one before it, all before the cursor.
        std::size_t previous = *at;
        for (std::size_t k = 0; k < c.then.size(); ++k) {
          const auto next = trace::find_next(index.trace(), c.then[k], previous + 1);
          if (next && *next < ctx.cursor) {
            previous = *next;
            continue;
          }
          return fmt::format("in '{}', event {} of the sequence should come after event #{} and before the cursor "
                             "(event #{}); {}",
                             c.text.substr(c.text.find(' ') + 1), k + 2, previous, ctx.cursor,
                             next ? fmt::format("the first after it is #{}", *next) : std::string("there is none after it"));
        }
        return {};
      }
      const bool before = at && *at < ctx.cursor;
      if (before == (c.kind == ClaimKind::happened)) return {};
      if (before)
        return fmt::format("no event '{}' should have happened by the cursor; event #{} did",
                           c.text.substr(c.text.find(' ') + 1), *at);
      return fmt::format("an event '{}' should have happened by the cursor (event #{}); {}",
                         c.text.substr(c.text.find(' ') + 1), ctx.cursor,
                         at ? fmt::format("the first is #{}, after it", *at) : std::string("there is none"));
    }
  }
  return {};
}

std::vector<std::string> check_claims(std::span<const std::string> texts, const ParamValues& values,
                                      const ClaimContext& context) {
  std::vector<std::string> failures;
  for (const std::string& text : texts) {
    auto expanded = expand_template(text, values);
    if (!expanded) {
      failures.push_back(fmt::format("'{}': {}", text, expanded.error().message));
      continue;
    }
    auto claim = parse_claim(*expanded);
    if (!claim) {
      failures.push_back(fmt::format("'{}': {}", *expanded, claim.error()));
      continue;
    }
    if (std::string failed = check_claim(*claim, context); !failed.empty())
      failures.push_back(fmt::format("expect: {}\n  {}", *expanded, failed));
  }
  return failures;
}

}  // namespace asynclab::lessons
