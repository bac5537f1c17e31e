// `asynclab trace info` and `asynclab trace export`. See trace_commands.hpp.
#include "trace_commands.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "asynclab/trace/event.hpp"
#include "asynclab/trace/export.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/output_file.hpp"
#include "exit_codes.hpp"
#include "model/describe.hpp"
#include "model/trace_index.hpp"
#include "terminal/swimlanes.hpp"

namespace asynclab::cli {

namespace {

using trace::Event;
using trace::EventKind;

struct TaskRow {
  std::uint32_t id = 0;
  std::string name;
  std::uint32_t parent = 0;
  std::string spawned_at;
  std::uint64_t polls = 0;
  std::uint64_t wakes = 0;
  std::uint64_t self_wakes = 0;
  std::optional<trace::Outcome> outcome;
};

struct Summary {
  bool has_start = false;
  bool virtual_time = false;
  std::uint64_t seed = 0;
  unsigned flavor = 0;
  std::optional<trace::StopReason> stopped;
  std::uint64_t first_ns = 0;
  std::uint64_t last_ns = 0;
  std::map<std::uint32_t, TaskRow> tasks;  // by id
  std::vector<Event> lints;
  std::vector<Event> marks;
  struct ResourceRow {
    trace::ResourceKind kind{};
    std::string name;
    std::uint32_t limit = 0;
    std::uint64_t operations = 0;  // sends, receives, lock and notify events
  };
  std::map<std::uint32_t, ResourceRow> resources;  // by id
  std::vector<Event> stuck;                        // the deadlock report's edges
  std::uint64_t requests = 0;
  std::uint64_t blocking_jobs = 0;
};

Summary summarize(const trace::Trace& t) {
  Summary s;
  if (!t.empty()) {
    s.first_ns = t[0].time_ns;
    s.last_ns = t[t.size() - 1].time_ns;
  }
  auto row = [&](std::uint32_t id) -> TaskRow& {
    TaskRow& r = s.tasks[id];
    r.id = id;
    return r;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const Event e = t[i];
    switch (e.kind) {
      case EventKind::runtime_started:
        s.has_start = true;
        s.virtual_time = (e.flags & 1) != 0;
        s.flavor = e.flags >> 1;
        s.seed = std::uint64_t{e.a} | (std::uint64_t{e.b} << 32);
        break;
      case EventKind::runtime_stopped:
        s.stopped = static_cast<trace::StopReason>(e.flags);
        break;
      case EventKind::task_spawned: {
        TaskRow& r = row(e.task);
        r.parent = e.a;
        r.spawned_at = t.describe_location(t.site(e.b).location);
        break;
      }
      case EventKind::poll_begin:
        if (e.task) ++row(e.task).polls;
        break;
      case EventKind::wake:
        if (e.task) {
          TaskRow& r = row(e.task);
          ++r.wakes;
          if (e.flags & trace::wake_flag::self) ++r.self_wakes;
        }
        break;
      case EventKind::task_completed:
        if (e.task) row(e.task).outcome = static_cast<trace::Outcome>(e.flags);
        break;
      case EventKind::lint:
        s.lints.push_back(e);
        break;
      case EventKind::mark:
        s.marks.push_back(e);
        break;
      case EventKind::resource_created: {
        auto& r = s.resources[e.a];
        r.kind = static_cast<trace::ResourceKind>(e.flags);
        r.name = std::string(t.string(e.b));
        break;
      }
      case EventKind::resource_limits:
        s.resources[e.a].limit = e.b;
        break;
      case EventKind::channel_send:
      case EventKind::channel_recv:
      case EventKind::lock_acquired:
      case EventKind::lock_released:
      case EventKind::notified:
        ++s.resources[e.a].operations;
        break;
      case EventKind::stuck_wait:
        s.stuck.push_back(e);
        break;
      case EventKind::request_begin:
        ++s.requests;
        break;
      case EventKind::blocking_begin:
        ++s.blocking_jobs;
        break;
      default:
        break;
    }
  }
  for (auto& [id, r] : s.tasks) r.name = t.task_name(id);
  return s;
}

std::string_view stop_reason_text(trace::StopReason r) {
  switch (r) {
    case trace::StopReason::finished: return "main finished";
    case trace::StopReason::stuck: return "stuck (deadlock: no task could make progress)";
    case trace::StopReason::shutdown: return "shut down (remaining tasks were cancelled)";
  }
  return "unknown";
}

std::string who(const trace::Trace& t, std::uint32_t task) {
  if (task == 0) return "the runtime";
  return fmt::format("{} (task {})", t.task_name(task), task);
}

std::string lint_text(const Event& e) {
  switch (static_cast<trace::LintKind>(e.flags)) {
    case trace::LintKind::forgotten_future:
      return "a future was dropped without ever being polled — futures are lazy: did you forget co_await?";
    case trace::LintKind::lost_waker:
      return "it is pending and no waker for it is alive: nothing can ever wake it";
    case trace::LintKind::self_wake: return fmt::format("{}% of its wakes came from itself (busy polling?)", e.a);
    case trace::LintKind::long_poll: return fmt::format("one poll held the worker for {} µs", e.a);
  }
  return "unknown lint";
}

// Pads to a display width, counting UTF-8 code points rather than bytes (names may hold "µ", "—").
std::string pad(std::string_view s, std::size_t width, bool right = false) {
  std::size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xc0) != 0x80;
  std::string fill(cols < width ? width - cols : 0, ' ');
  return right ? fill + std::string(s) : std::string(s) + fill;
}

int load_failed(const std::filesystem::path& file, const trace::LoadError& e, std::ostream& err) {
  err << fmt::format("asynclab: cannot load '{}': {}\n", file.string(), e.to_string());
  return exit_failed;
}

}  // namespace

std::string format_duration(std::uint64_t ns) {
  // A trace's clock starts at 0: say "0 ns" there, not "0 ms", so a real-time summary reads right.
  return ns == 0 ? std::string("0 ns") : vis::format_duration_short(ns);
}

void print_trace_summary(const trace::Trace& t, std::ostream& out) {
  const Summary s = summarize(t);

  if (s.has_start) {
    out << fmt::format("runtime:   {}, {}", s.flavor == 0 ? "current_thread" : "multi_thread",
                       s.virtual_time ? fmt::format("virtual time, seed {}", s.seed) : std::string("real time"));
    out << "\n";
  } else {
    out << "runtime:   unknown (the trace has no runtime_started event)\n";
  }
  out << fmt::format("events:    {}\n", t.size());
  out << fmt::format("duration:  {}{}\n", format_duration(s.last_ns - s.first_ns),
                     s.has_start && s.virtual_time ? " of virtual time" : "");
  if (s.stopped) out << fmt::format("stopped:   {}\n", stop_reason_text(*s.stopped));
  out << fmt::format("tables:    {} strings, {} source locations, {} spawn sites\n", t.strings().size() - 1,
                     t.locations().size() - 1, t.sites().size() - 1);

  // Tasks, as a table whose columns fit their contents.
  std::vector<std::string> header{"id", "name", "spawned by", "polls", "wakes", "self-wakes", "outcome", "spawned at"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, r] : s.tasks) {
    rows.push_back({std::to_string(id), r.name, r.parent ? fmt::format("{} ({})", t.task_name(r.parent), r.parent) : "-",
                    std::to_string(r.polls), std::to_string(r.wakes), std::to_string(r.self_wakes),
                    r.outcome ? std::string(trace::outcome_name(*r.outcome)) : "not finished",
                    r.spawned_at.empty() ? "-" : r.spawned_at});
  }
  std::vector<std::size_t> width(header.size());
  auto cols = [](const std::string& x) {
    std::size_t n = 0;
    for (unsigned char c : x) n += (c & 0xc0) != 0x80;
    return n;
  };
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = cols(header[c]);
    for (const auto& r : rows) width[c] = std::max(width[c], cols(r[c]));
  }
  const auto numeric = [](std::size_t c) { return c == 0 || (c >= 3 && c <= 5); };
  auto print_row = [&](const std::vector<std::string>& r) {
    std::string line = " ";
    for (std::size_t c = 0; c < r.size(); ++c) {
      // Appended piece by piece: `" " + std::string` trips a false -Wrestrict in GCC 12 at -O3.
      line += ' ';
      line += pad(r[c], width[c], numeric(c));
      if (c + 1 < r.size()) line += ' ';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  out << fmt::format("\ntasks ({})\n", rows.size());
  if (!rows.empty()) {
    print_row(header);
    for (const auto& r : rows) print_row(r);
  }

  out << fmt::format("\nlints ({})\n", s.lints.size());
  for (const Event& e : s.lints) {
    std::string where = t.describe_location(e.b);
    out << fmt::format("  at {}: {} in {}{}\n    {}\n", format_duration(e.time_ns),
                       trace::lint_name(static_cast<trace::LintKind>(e.flags)), who(t, e.task),
                       where.empty() ? "" : " at " + where, lint_text(e));
  }

  out << fmt::format("\nmarks ({})\n", s.marks.size());
  for (const Event& e : s.marks)
    out << fmt::format("  at {}: \"{}\" in {}\n", format_duration(e.time_ns), t.string(e.b), who(t, e.task));

  if (!s.resources.empty()) {
    out << fmt::format("\nresources ({})\n", s.resources.size());
    for (const auto& [id, r] : s.resources) {
      std::string limit = r.limit ? fmt::format(", limit {}", r.limit) : "";
      out << fmt::format("  #{} {}{}{}: {} operations\n", id, trace::resource_kind_name(r.kind),
                         r.name.empty() ? "" : " \"" + r.name + "\"", limit, r.operations);
    }
  }
  if (s.requests || s.blocking_jobs)
    out << fmt::format("\nsimulated world: {} HTTP requests, {} blocking jobs\n", s.requests, s.blocking_jobs);
  if (!s.stuck.empty()) {
    out << "\nstuck (the runtime stopped with these tasks waiting)\n";
    for (const Event& e : s.stuck) {
      std::string what = "nothing it named";
      if (auto it = s.resources.find(e.a); e.a && it != s.resources.end())
        what = fmt::format("{}{}", trace::resource_kind_name(it->second.kind),
                           it->second.name.empty() ? "" : " \"" + it->second.name + "\"");
      else if (e.a)
        what = fmt::format("resource #{}", e.a);
      out << fmt::format("  {} waits on {}{}{}\n", who(t, e.task), what, e.b ? " held by " + who(t, e.b) : "",
                         e.flags ? "  [on the wait-for cycle]" : "");
    }
  }
}

void print_timeline(const trace::Trace& t, const TimelineStyle& style, std::ostream& out) {
  const vis::TraceIndex index(t);
  vis::SwimlaneOptions options;
  options.color = style.color;
  options.width = vis::swimlane_width_for(index, options, style.columns);
  out << vis::render_swimlanes(index, options);
}

int trace_info(const std::filesystem::path& file, std::ostream& out, std::ostream& err,
               const TimelineStyle& timeline) {
  auto loaded = trace::load(file);
  if (!loaded) return load_failed(file, loaded.error(), err);
  out << fmt::format("trace:     {}\n", file.string());
  print_trace_summary(*loaded, out);
  if (timeline.show) {
    out << "\n";
    print_timeline(*loaded, timeline, out);
  }
  return exit_ok;
}

int trace_export(const std::filesystem::path& file, const ExportTargets& targets, std::ostream& out,
                 std::ostream& err) {
  if (!targets.chrome && !targets.jsonl) {
    err << "asynclab trace export: nothing to export: give --chrome OUT.json and/or --jsonl OUT.jsonl\n";
    return exit_usage;
  }
  auto loaded = trace::load(file);
  if (!loaded) return load_failed(file, loaded.error(), err);

  auto write = [&](const std::filesystem::path& path, std::string_view what, auto writer) {
    std::ostringstream text;
    writer(*loaded, text);
    if (auto written = trace::write_output_file(path, text.str()); !written) {
      err << fmt::format("asynclab: {}\n", written.error());
      return false;
    }
    out << fmt::format("wrote {} ({}, {} events)\n", path.string(), what, loaded->size());
    return true;
  };
  if (targets.chrome && !write(*targets.chrome, "Chrome trace-event JSON; open it in https://ui.perfetto.dev",
                               [](const trace::Trace& t, std::ostream& o) { trace::write_chrome_json(t, o); }))
    return exit_failed;
  if (targets.jsonl && !write(*targets.jsonl, "JSON Lines",
                              [](const trace::Trace& t, std::ostream& o) { trace::write_json_lines(t, o); }))
    return exit_failed;
  return exit_ok;
}

}  // namespace asynclab::cli
