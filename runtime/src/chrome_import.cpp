// Chrome trace-event JSON back into a Trace. See chrome_import.hpp for the rules.
//
// Index of this file:
// [SECTION] Reading the JSON: shape checks and clear errors
// [SECTION] Tables: interning names and "file:line" locations
// [SECTION] Collecting: one pass over the trace events, by phase
// [SECTION] Assembling: sorting, virtual times, spawns, the Trace
//
// The importer reads the whole document with nlohmann::json (a trace file is at most a few hundred
// MB; load_trace.cpp refuses anything beyond 4 GiB), collects what each event means into a flat
// list keyed by display time, sorts it, and only then writes the Trace, because a Chrome file is
// not in time order: our exporter writes each poll's slice when the poll *ends*.
#include "asynclab/trace/chrome_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asynclab/trace/codec.hpp"

namespace asynclab::trace {

namespace {

using nlohmann::json;
using trace::Event;
using trace::EventKind;

// [SECTION] Reading the JSON: shape checks and clear errors ------------------------------------------

constexpr std::string_view expected_shape = "expected a JSON object with traceEvents or a JSON array";

std::string not_a_trace(std::string_view why) { return fmt::format("not a Chrome trace: {}", why); }

std::string_view trim_front(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);  // a UTF-8 byte order mark, as Windows tools write
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  return s;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the learner needs the rest
// ("parse error at line 3, column 7: syntax error while parsing ...").
std::string parse_error_text(const json::exception& e) {
  std::string_view what = e.what();
  if (auto close = what.find("] "); what.starts_with("[json.exception") && close != std::string_view::npos)
    what.remove_prefix(close + 2);
  return std::string(what);
}

// How deep arrays and objects may nest: a trace-event file nests three or four levels (the document,
// its event array, an event, its args); far deeper is not a trace, and would only cost stack.
constexpr int deepest_nesting = 64;

// Whether the text nests deeper than a trace does, counted outside strings before anything is parsed.
bool nests_too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest_nesting) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::expected<json, std::string> parse_document(std::string_view text) {
  text = trim_front(text);
  if (text.empty())
    return std::unexpected(not_a_trace(fmt::format("the input is empty ({})", expected_shape)));
  if (nests_too_deep(text))
    return std::unexpected(not_a_trace(fmt::format("{}, but its arrays and objects nest more than {} deep",
                                                   expected_shape, deepest_nesting)));
  try {
    return json::parse(text);
  } catch (const json::out_of_range& e) {
    // A number no double can hold (1e400): the parser's own words say which.
    return std::unexpected(not_a_trace(fmt::format("{}, but it holds a number out of range: {}", expected_shape,
                                                   parse_error_text(e))));
  } catch (const json::parse_error& first) {
    // The JSON Array Format lets a tracer that died mid-run leave out the closing bracket (the
    // format's own document says so), so an array is retried with one before giving up.
    if (text.front() == '[') {
      std::string repaired(text);
      while (!repaired.empty() &&
             std::string_view(" \t\r\n,").find(repaired.back()) != std::string_view::npos)
        repaired.pop_back();
      repaired += ']';
      try {
        return json::parse(repaired);
      } catch (const json::exception&) {
        // Report the error in the text as given, not in our repair of it.
      }
    }
    return std::unexpected(not_a_trace(
        fmt::format("{}, but the JSON does not parse: {}", expected_shape, parse_error_text(first))));
  }
}

std::expected<const json*, std::string> event_array(const json& doc) {
  if (doc.is_array()) return &doc;
  if (!doc.is_object())
    return std::unexpected(not_a_trace(fmt::format("{}, got a JSON {}", expected_shape, doc.type_name())));
  auto it = doc.find("traceEvents");
  if (it == doc.end())
    return std::unexpected(not_a_trace(fmt::format("{}, got an object without traceEvents", expected_shape)));
  if (!it->is_array())
    return std::unexpected(
        not_a_trace(fmt::format("traceEvents is a JSON {}, expected an array of events", it->type_name())));
  return &*it;
}

const json* field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string_field(const json& obj, const char* key) {
  const json* v = field(obj, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

bool bool_field(const json& obj, const char* key) {
  const json* v = field(obj, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::optional<std::uint64_t> unsigned_field(const json& obj, const char* key) {
  const json* v = field(obj, key);
  if (!v || !v->is_number_unsigned()) return std::nullopt;
  return v->get<std::uint64_t>();
}

const json& args_of(const json& e) {
  static const json none = json::object();
  const json* a = field(e, "args");
  return a && a->is_object() ? *a : none;
}

// Inverse of the runtime's name functions: the exporter writes names, the Trace stores numbers.
template <class Enum, class NameOf>
std::optional<Enum> enum_named(std::string_view name, int first, int last, NameOf name_of) {
  for (int v = first; v <= last; ++v)
    if (name_of(static_cast<Enum>(v)) == name) return static_cast<Enum>(v);
  return std::nullopt;
}

std::optional<trace::PollResult> poll_result_named(std::string_view name) {
  if (name == "pending") return trace::PollResult::pending;
  if (name == "ready") return trace::PollResult::ready;
  if (name == "panicked") return trace::PollResult::panicked;
  return std::nullopt;
}

// The kinds our export writes whole as a "detail" instant (runtime/src/trace_export.cpp): everything
// that is neither drawn as a slice, flow or named instant nor a resource event.
std::optional<EventKind> detail_event_named(std::string_view name) {
  for (std::uint8_t k = 1; trace::is_valid_kind(k); ++k) {
    const auto kind = static_cast<EventKind>(k);
    switch (kind) {
      case EventKind::runtime_started:
      case EventKind::task_spawned:
      case EventKind::poll_begin:
      case EventKind::poll_end:
      case EventKind::task_completed:
      case EventKind::clock_advanced:
      case EventKind::lint:
      case EventKind::mark:
      case EventKind::runtime_stopped:
        continue;
      default:
        if (!trace::is_resource_event(kind) && trace::kind_name(kind) == name) return kind;
    }
  }
  return std::nullopt;
}

std::uint8_t worker_field(const json& args) {
  return static_cast<std::uint8_t>(std::min<std::uint64_t>(unsigned_field(args, "worker").value_or(0), UINT8_MAX));
}

// Only the resource kinds: an instant of cat "resource" may not claim to be a poll or a spawn.
std::optional<EventKind> resource_event_named(std::string_view name) {
  for (int k = 1; k < static_cast<int>(EventKind::kind_count_); ++k) {
    const auto kind = static_cast<EventKind>(k);
    if (trace::is_resource_event(kind) && trace::kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<trace::StopReason> stop_reason_named(std::string_view name) {
  if (name == "finished") return trace::StopReason::finished;
  if (name == "stuck") return trace::StopReason::stuck;
  if (name == "shutdown") return trace::StopReason::shutdown;
  return std::nullopt;
}

// [SECTION] Tables: interning names and "file:line" locations -----------------------------------------

class Tables {
 public:
  explicit Tables(trace::Trace& t) : trace_(t) {}

  std::uint32_t string(const std::string& s) {
    if (s.empty()) return 0;
    auto [it, added] = strings_.try_emplace(s, 0);
    if (added) it->second = trace_.add_string(s);
    return it->second;
  }

  // The exporter writes locations as Trace::describe_location does, "folder/file.cpp:42"; the
  // function and column it leaves out stay 0.
  std::uint32_t location(std::string_view text) {
    if (text.empty()) return 0;
    trace::Location l;
    std::string_view file = text;
    if (auto colon = text.rfind(':'); colon != std::string_view::npos && colon + 1 < text.size()) {
      std::uint32_t line = 0;
      auto digits = text.substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
      if (ec == std::errc{} && end == digits.data() + digits.size()) {
        file = text.substr(0, colon);
        l.line = line;
      }
    }
    l.file = string(std::string(file));
    auto [it, added] = locations_.try_emplace({l.file, l.line}, 0);
    if (added) it->second = trace_.add_location(l);
    return it->second;
  }

  std::uint32_t site(const std::string& name, std::string_view location_text) {
    trace::SpawnSite s{string(name), location(location_text)};
    auto [it, added] = sites_.try_emplace({s.name, s.location}, 0);
    if (added) it->second = trace_.add_site(s);
    return it->second;
  }

 private:
  trace::Trace& trace_;
  std::unordered_map<std::string, std::uint32_t> strings_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> locations_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> sites_;
};

// [SECTION] Collecting: one pass over the trace events, by phase ---------------------------------------

// Ties at one display time (never in our own export, which spreads events a nanosecond apart; common
// in other tools' traces) are broken so polls stay well formed: a poll that ends at t ends before
// anything else at t, and one that begins at t begins after everything else.
enum Rank : std::uint8_t { rank_poll_end = 0, rank_other = 1, rank_poll_begin = 2 };

struct Pending {
  std::uint64_t time_ns = 0;  // display time, as in the file
  Rank rank = rank_other;
  std::size_t seq = 0;   // position in the file
  std::uint8_t sub = 0;  // a zero-length poll's begin (0) before its end (1)
  Event event{};
  std::uint64_t clock_to_ns = 0;  // clock_advanced: the recorded new time
  std::string text;               // mark, channel_value: the label. task_spawned: the task's name.
                                  // resource_created: its name. request_begin: the url
  std::string location;           // task_spawned, lint: "file:line". poll_end: where it parked
};

struct Slice {
  std::uint32_t task = 0;
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
  bool finished = true;  // false: the trace ended mid-poll (no poll_end)
  std::size_t seq = 0;
  trace::PollResult result = trace::PollResult::pending;
  std::string parked_at;
  std::uint8_t worker = 0;
};

struct FlowEnd {
  std::uint64_t time_ns = 0;
  std::size_t seq = 0;
  std::uint32_t task = 0;
  const json* args = nullptr;
};

class Importer {
 public:
  explicit Importer(const json& events) : events_(events) {}

  std::expected<trace::Trace, std::string> run() {
    if (auto ok = read_metadata(); !ok) return std::unexpected(ok.error());
    if (auto ok = collect(); !ok) return std::unexpected(ok.error());
    add_slices();
    add_flows();
    Trace assembled = assemble();
    if (auto bad = first_invalid(assembled)) return std::unexpected(*bad);
    return assembled;
  }

  // The importer makes the tables and the spawns itself, but a detail event's numbers come from the
  // file as written: each must hold values its kind allows (trace/codec.hpp), as the .altrace
  // loader demands, so no reader meets a pin action 999 or a blocking lane 4294967295.
  static std::optional<std::string> first_invalid(const Trace& t) {
    TableSizes sizes;
    sizes.tasks = UINT32_MAX;  // imported task ids need not be dense: every task used was spawned above
    sizes.strings = t.strings().size();
    sizes.locations = t.locations().size();
    sizes.sites = t.sites().size();
    for (std::size_t i = 0; i < t.size(); ++i) sizes.blocking_jobs += t[i].kind == EventKind::blocking_begin;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (auto problem = check(t[i], sizes))
        return not_a_trace(fmt::format("its event {} ({}) {}", i, kind_name(t[i].kind), problem->message));
    return std::nullopt;
  }

 private:
  // Pass 1: metadata (who wrote this, track names) and the earliest time.
  std::expected<void, std::string> read_metadata() {
    bool all_tids_are_task_ids = true;
    std::size_t i = 0;
    for (const json& e : events_) {
      if (!e.is_object())
        return std::unexpected(
            not_a_trace(fmt::format("event {} is a JSON {}, not an object", i, e.type_name())));
      const json* ph = field(e, "ph");
      if (!ph || !ph->is_string())
        return std::unexpected(not_a_trace(fmt::format("event {} has no \"ph\" (phase) string", i)));
      const json* tid = field(e, "tid");
      if (tid && !(tid->is_number_unsigned() && tid->get<std::uint64_t>() <= UINT32_MAX))
        all_tids_are_task_ids = false;
      if (*ph == "M") {
        const std::string name = string_field(e, "name");
        const std::string value = string_field(args_of(e), "name");
        if (name == "process_name" && value.starts_with("asynclab")) ours_ = true;
        if (name == "thread_name") {
          thread_names_[track_key(e)] = value;
          if (tid && tid->is_number_unsigned() && tid->get<std::uint64_t>() <= UINT32_MAX)
            names_by_tid_[tid->get<std::uint32_t>()] = value;
        }
      } else if (const json* ts = field(e, "ts"); ts && ts->is_number()) {
        min_ts_ = std::min(min_ts_, ts->get<double>());
      }
      ++i;
    }
    // Our tracks are task ids (0: the runtime); anything else is numbered afresh.
    ours_ = ours_ && all_tids_are_task_ids;
    if (ours_ || !std::isfinite(min_ts_)) min_ts_ = 0;
    return {};
  }

  // Pass 2: each event by phase.
  std::expected<void, std::string> collect() {
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const json& e = events_[i];
      const std::string ph = e["ph"].get<std::string>();
      if (ph == "M" ||
          !(ph == "X" || ph == "B" || ph == "E" || ph == "i" || ph == "I" || ph == "s" || ph == "f"))
        continue;  // counters, async spans, objects, samples: nothing a task does
      const json* ts = field(e, "ts");
      if (!ts || !ts->is_number())
        return std::unexpected(not_a_trace(fmt::format("event {} (ph \"{}\") has no numeric \"ts\"", i, ph)));
      const std::uint64_t t = to_ns(ts->get<double>() - min_ts_);
      if (ph == "X") {
        complete_slice(e, i, t);
      } else if (ph == "B") {
        open_slices_[task_of(e)].push_back(
            Slice{task_of(e), t, 0, false, i, trace::PollResult::pending, {}, worker_field(args_of(e))});
      } else if (ph == "E") {
        end_slice(e, t);
      } else if (ph == "i" || ph == "I") {
        instant(e, i, t);
      } else {
        flow(e, i, t, ph == "s");
      }
    }
    for (auto& [task, stack] : open_slices_)
      for (Slice& s : stack) slices_.push_back(std::move(s));  // B without E: the trace ended mid-poll
    return {};
  }

  void complete_slice(const json& e, std::size_t seq, std::uint64_t t) {
    // Our exporter gives wakes from outside any poll a 1 ns slice of their own to start an arrow.
    if (ours_ && string_field(e, "cat") == "wake") return;
    const json& args = args_of(e);
    Slice s{task_of(e), t, t, true, seq, trace::PollResult::pending, string_field(args, "parked_at"), worker_field(args)};
    if (const json* dur = field(e, "dur"); dur && dur->is_number()) s.end_ns = t + to_ns(dur->get<double>());
    const std::string result = string_field(args, "result");
    if (result == "unfinished") s.finished = false;  // our export's way of drawing a poll cut off by the end
    if (auto r = poll_result_named(result)) s.result = *r;
    slices_.push_back(std::move(s));
  }

  void end_slice(const json& e, std::uint64_t t) {
    auto& stack = open_slices_[task_of(e)];
    if (stack.empty()) return;  // an E without its B: nothing to close
    Slice s = std::move(stack.back());
    stack.pop_back();
    s.end_ns = std::max(t, s.begin_ns);
    s.finished = true;
    slices_.push_back(std::move(s));
  }

  void instant(const json& e, std::size_t seq, std::uint64_t t) {
    const json& args = args_of(e);
    const std::string cat = string_field(e, "cat");
    const std::string scope = string_field(e, "s");
    const std::uint32_t task = scope == "g" || scope == "p" ? 0 : task_of(e);
    Pending p = pending(t, seq, task);
    if (ours_) p.event.worker = worker_field(args);
    if (ours_ && cat == "runtime" && field(args, "virtual_time")) {
      virtual_time_ = bool_field(args, "virtual_time");
      const std::uint64_t seed = unsigned_field(args, "seed").value_or(0);
      p.event.kind = EventKind::runtime_started;
      // Exports before the flavor was written have neither field: current_thread, one worker.
      const std::uint64_t flavor = std::min<std::uint64_t>(unsigned_field(args, "flavor").value_or(0), 0x7f);
      const std::uint64_t workers = std::clamp<std::uint64_t>(unsigned_field(args, "workers").value_or(1), 1, 256);
      p.event.flags = static_cast<std::uint16_t>((virtual_time_ ? 1 : 0) | (flavor << 1));
      p.event.worker = static_cast<std::uint8_t>(workers - 1);
      p.event.a = static_cast<std::uint32_t>(seed);
      p.event.b = static_cast<std::uint32_t>(seed >> 32);
    } else if (auto reason = stop_reason_named(string_field(args, "reason"));
               ours_ && cat == "runtime" && reason) {
      p.event.kind = EventKind::runtime_stopped;
      p.event.flags = static_cast<std::uint16_t>(*reason);
    } else if (auto child = unsigned_field(args, "task");
               ours_ && cat == "task" && child && *child <= UINT32_MAX) {
      // "spawn NAME" sits on the parent's track and names the child in its args.
      p.event.kind = EventKind::task_spawned;
      p.event.task = static_cast<std::uint32_t>(*child);
      p.event.a = task;
      p.text = string_field(args, "name");
      p.location = string_field(args, "location");
    } else if (auto outcome =
                   enum_named<trace::Outcome>(string_field(args, "outcome"), 0, 2, trace::outcome_name);
               ours_ && cat == "task" && outcome) {
      p.event.kind = EventKind::task_completed;
      p.event.flags = static_cast<std::uint16_t>(*outcome);
    } else if (auto to = unsigned_field(args, "to_ns"); ours_ && cat == "time" && to) {
      const std::uint64_t from = unsigned_field(args, "from_ns").value_or(0);
      p.event.kind = EventKind::clock_advanced;
      p.event.a = static_cast<std::uint32_t>(from);
      p.event.b = static_cast<std::uint32_t>(from >> 32);
      p.clock_to_ns = *to;
    } else if (auto kind = resource_event_named(string_field(args, "event"));
               ours_ && cat == "resource" && kind && unsigned_field(args, "resource")) {
      // A channel, lock or notify event, carried whole in the args (runtime/src/trace_export.cpp).
      p.event.kind = *kind;
      p.event.a = static_cast<std::uint32_t>(std::min<std::uint64_t>(*unsigned_field(args, "resource"), UINT32_MAX));
      p.event.b = static_cast<std::uint32_t>(std::min<std::uint64_t>(unsigned_field(args, "value").value_or(0), UINT32_MAX));
      p.event.flags = static_cast<std::uint16_t>(std::min<std::uint64_t>(unsigned_field(args, "flags").value_or(0), UINT16_MAX));
      if (*kind == EventKind::resource_created) {
        // The name goes to the string table (b); an unnamed resource was exported as "resource N".
        p.text = string_field(args, "resource_name");
        if (p.text == fmt::format("resource {}", p.event.a)) p.text.clear();
      }
      // A value's label travels as text: its string id belonged to the exported trace's table. An
      // integer kept in the event (ValueForm) comes back as it was, from "value".
      if (*kind == EventKind::channel_value) {
        if (p.event.flags > static_cast<std::uint16_t>(trace::ValueForm::signed_int))
          p.event.flags = static_cast<std::uint16_t>(trace::ValueForm::label);  // unknown form: the text
        p.text = string_field(args, "label");
      }
    } else if (auto detail = detail_event_named(string_field(args, "event")); ours_ && cat == "detail" && detail) {
      // Any other event, carried whole in the details process (runtime/src/trace_export.cpp).
      const auto number = [&](const char* name, std::uint64_t max) {
        return std::min<std::uint64_t>(unsigned_field(args, name).value_or(0), max);
      };
      p.event.kind = *detail;
      p.event.a = static_cast<std::uint32_t>(number("a", UINT32_MAX));
      p.event.b = static_cast<std::uint32_t>(number("b", UINT32_MAX));
      p.event.flags = static_cast<std::uint16_t>(number("flags", UINT16_MAX));
      if (*detail == EventKind::request_begin) p.text = string_field(args, "text");
    } else if (auto lint = enum_named<trace::LintKind>(string_field(args, "lint"), 1, 4, trace::lint_name);
               cat == "lint" && lint) {
      p.event.kind = EventKind::lint;
      p.event.flags = static_cast<std::uint16_t>(*lint);
      p.event.a = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(unsigned_field(args, "detail").value_or(0), UINT32_MAX));
      p.location = string_field(args, "location");
    } else {
      // A lesson mark, or any other tool's instant: a label on the timeline.
      const json* label = field(args, "label");
      p.event.kind = EventKind::mark;
      p.text =
          cat == "mark" && label && label->is_string() ? label->get<std::string>() : string_field(e, "name");
    }
    pending_.push_back(std::move(p));
  }

  void flow(const json& e, std::size_t seq, std::uint64_t t, bool start) {
    const json* id = field(e, "id");
    if (!id) id = field(e, "id2");
    if (!id) return;  // a flow without an id cannot be paired
    auto& ends = flows_[string_field(e, "cat") + '\x1f' + id->dump()];
    (start ? ends.first : ends.second).push_back(FlowEnd{t, seq, task_of(e), &args_of(e)});
  }

  // Each track's top-level slices become its polls; a slice nested in (or overlapping) an earlier
  // one is a call inside that poll, not a poll of its own.
  void add_slices() {
    std::stable_sort(slices_.begin(), slices_.end(), [](const Slice& x, const Slice& y) {
      if (x.task != y.task) return x.task < y.task;
      if (x.begin_ns != y.begin_ns) return x.begin_ns < y.begin_ns;
      if (x.finished != y.finished) return !x.finished;  // an unfinished slice runs to the end: longest
      return x.end_ns > y.end_ns;
    });
    const Slice* last = nullptr;
    for (const Slice& s : slices_) {
      if (last && last->task == s.task) {
        if (!last->finished) continue;
        const bool after =
            s.begin_ns > last->end_ns || (s.begin_ns == last->end_ns && last->end_ns > last->begin_ns);
        if (!after) continue;
      }
      last = &s;
      const bool zero_length = s.finished && s.end_ns == s.begin_ns;
      Pending begin = pending(s.begin_ns, s.seq, s.task);
      begin.event.kind = EventKind::poll_begin;
      begin.event.worker = s.worker;
      begin.rank = rank_poll_begin;
      pending_.push_back(std::move(begin));
      if (!s.finished) continue;
      Pending end = pending(s.end_ns, s.seq, s.task);
      end.event.kind = EventKind::poll_end;
      end.event.flags = static_cast<std::uint16_t>(s.result);
      end.event.worker = s.worker;
      end.rank = zero_length ? rank_poll_begin : rank_poll_end;
      end.sub = 1;
      end.location = s.parked_at;
      pending_.push_back(std::move(end));
    }
  }

  // A flow's start is the wake (on the waker's track, at the wake's time), its finish sits on the
  // woken task's track. Starts and finishes with one id pair up in file order.
  void add_flows() {
    for (auto& [key, ends] : flows_) {
      const auto& [starts, finishes] = ends;
      for (std::size_t k = 0; k < std::min(starts.size(), finishes.size()); ++k) {
        const FlowEnd& s = starts[k];
        const json& args = *s.args;
        Pending p = pending(s.time_ns, s.seq, finishes[k].task);
        p.event.kind = EventKind::wake;
        p.event.a = s.task;
        if (ours_) p.event.worker = worker_field(args);
        const auto source =
            enum_named<trace::WakeSource>(string_field(args, "source"), 0, 6, trace::wake_source_name);
        p.event.flags = static_cast<std::uint16_t>(source.value_or(trace::WakeSource::task));
        if (bool_field(args, "self")) p.event.flags |= trace::wake_flag::self;
        if (bool_field(args, "by_ref")) p.event.flags |= trace::wake_flag::by_ref;
        pending_.push_back(std::move(p));
      }
    }
  }

  // [SECTION] Assembling: sorting, virtual times, spawns, the Trace -------------------------------------

  trace::Trace assemble() {
    std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& x, const Pending& y) {
      return std::tie(x.time_ns, x.rank, x.seq, x.sub) < std::tie(y.time_ns, y.rank, y.seq, y.sub);
    });
    trace::Trace out;
    out.reserve(pending_.size() + task_names_.size());
    Tables tables(out);
    std::unordered_set<std::uint32_t> spawned;
    std::uint64_t clock = 0;
    std::uint64_t last = 0;
    auto ensure_spawned = [&](std::uint32_t task, std::uint64_t at) {
      if (task == 0 || !spawned.insert(task).second) return;
      out.push(Event{at, EventKind::task_spawned, 0, 0, task, 0, tables.site(name_of_task(task), "")});
    };
    for (Pending& p : pending_) {
      Event e = p.event;
      // In virtual time the recorded clock only moves at a clock advance, so every event's recorded
      // time is the newest advance's: the nanoseconds the export spread events by come back out.
      if (virtual_time_) {
        if (e.kind == EventKind::clock_advanced) clock = std::max(clock, p.clock_to_ns);
        e.time_ns = clock;
      } else {
        e.time_ns = std::max(p.time_ns, last);
      }
      last = e.time_ns;
      if (e.kind == EventKind::task_spawned) {
        ensure_spawned(e.a, e.time_ns);
        if (!spawned.insert(e.task).second) continue;  // already implied by an earlier event
        e.b = tables.site(p.text.empty() ? name_of_task(e.task) : p.text, p.location);
      } else {
        ensure_spawned(e.task, e.time_ns);
        if (e.kind == EventKind::wake) ensure_spawned(e.a, e.time_ns);
      }
      const bool label_in_table =
          e.kind == EventKind::channel_value && e.flags == static_cast<std::uint16_t>(trace::ValueForm::label);
      if (e.kind == EventKind::mark || e.kind == EventKind::resource_created || label_in_table ||
          e.kind == EventKind::request_begin)
        e.b = tables.string(p.text);
      if (e.kind == EventKind::poll_end || e.kind == EventKind::lint) e.b = tables.location(p.location);
      out.push(e);
    }
    return out;
  }

  // --- tracks --------------------------------------------------------------------------------------

  static std::string track_key(const json& e) {
    const json* process = field(e, "pid");
    const json* tid = field(e, "tid");
    return (process ? process->dump() : "") + '/' + (tid ? tid->dump() : "");
  }

  std::uint32_t task_of(const json& e) {
    if (ours_) {
      const json* tid = field(e, "tid");
      return tid ? tid->get<std::uint32_t>() : 0;
    }
    const std::string key = track_key(e);
    auto [it, added] = task_ids_.try_emplace(key, 0);
    if (added) {
      it->second = static_cast<std::uint32_t>(task_ids_.size());
      const json* process = field(e, "pid");
      const json* tid = field(e, "tid");
      auto name = thread_names_.find(key);
      task_names_[it->second] = name != thread_names_.end() && !name->second.empty()
                                    ? name->second
                                    : fmt::format("thread {}", tid ? tid->dump() : "?");
      track_pids_.insert(process ? process->dump() : "");
      task_pids_[it->second] = process ? process->dump() : "";
    }
    return it->second;
  }

  std::string name_of_task(std::uint32_t task) const {
    if (ours_) {
      // Our track names read "fetch a (task 3)", or "task 3" for an unnamed task (which stays unnamed).
      auto it = names_by_tid_.find(task);
      if (it == names_by_tid_.end()) return {};
      std::string name = it->second;
      if (name == fmt::format("task {}", task)) return {};
      const std::string suffix = fmt::format(" (task {})", task);
      if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
      return name;
    }
    auto it = task_names_.find(task);
    std::string name = it == task_names_.end() ? std::string() : it->second;
    if (track_pids_.size() > 1) name += fmt::format(" (pid {})", task_pids_.at(task));
    return name;
  }

  Pending pending(std::uint64_t t, std::size_t seq, std::uint32_t task) const {
    Pending p;
    p.time_ns = t;
    p.seq = seq;
    p.event.time_ns = t;
    p.event.task = task;
    return p;
  }

  static std::uint64_t to_ns(double micros) {
    const double ns = micros * 1000.0;
    if (!(ns > 0)) return 0;  // also NaN
    if (ns >= static_cast<double>(trace::Trace::max_time_ns)) return trace::Trace::max_time_ns;
    return static_cast<std::uint64_t>(std::llround(ns));
  }

  const json& events_;
  bool ours_ = false;
  bool virtual_time_ = false;
  double min_ts_ = HUGE_VAL;
  std::unordered_map<std::string, std::string> thread_names_;    // track key -> thread_name
  std::unordered_map<std::uint32_t, std::string> names_by_tid_;  // our tracks: task id -> thread_name
  std::unordered_map<std::string, std::uint32_t> task_ids_;      // other tools' tracks -> task id
  std::unordered_map<std::uint32_t, std::string> task_names_;
  std::unordered_map<std::uint32_t, std::string> task_pids_;
  std::unordered_set<std::string> track_pids_;
  std::map<std::uint32_t, std::vector<Slice>> open_slices_;  // per task: B events awaiting their E
  std::vector<Slice> slices_;
  std::map<std::string, std::pair<std::vector<FlowEnd>, std::vector<FlowEnd>>>
      flows_;  // id -> starts, finishes
  std::vector<Pending> pending_;
};

}  // namespace

std::expected<trace::Trace, std::string> import_chrome_json(std::string_view json_text) {
  auto doc = parse_document(json_text);
  if (!doc) return std::unexpected(doc.error());
  auto events = event_array(*doc);
  if (!events) return std::unexpected(events.error());
  // The importer checks each field's type before it reads it; should one read slip past a check, a
  // JSON type error still becomes a message, never an exception out of a loader that promises none.
  try {
    return Importer(**events).run();
  } catch (const json::exception& e) {
    return std::unexpected(not_a_trace(fmt::format("an event has a value of the wrong type: {}", parse_error_text(e))));
  } catch (const std::length_error& e) {
    return std::unexpected(not_a_trace(fmt::format("it describes more than a trace can hold ({})", e.what())));
  }
}

}  // namespace asynclab::trace
