// `asynclab trace info` and `asynclab trace export`. See trace_commands.hpp.
#include "trace_commands.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
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

std::string lint_text(const vis::LintRecord& lint) {
  switch (lint.kind) {
    case trace::LintKind::forgotten_future:
      return "a future was dropped without ever being polled — futures are lazy: did you forget co_await?";
    case trace::LintKind::lost_waker:
      return "it is pending and no waker for it is alive: nothing can ever wake it";
    case trace::LintKind::self_wake: return fmt::format("{}% of its wakes came from itself (busy polling?)", lint.detail);
    case trace::LintKind::long_poll: return fmt::format("one poll held the worker for {} µs", lint.detail);
  }
  return "unknown lint";
}

// The resource events that are operations on it: sends, receives, lock and notify events.
bool is_operation(trace::EventKind k) {
  using enum trace::EventKind;
  return k == channel_send || k == channel_recv || k == lock_acquired || k == lock_released || k == notified;
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
  const vis::TraceIndex index(t);
  const vis::RunInfo& run = index.run();

  if (run.asynclab_runtime) {
    out << fmt::format("runtime:   {}, {}", run.flavor == 0 ? "current_thread" : fmt::format("multi_thread, {} workers", run.workers),
                       run.virtual_time ? fmt::format("virtual time, seed {}", run.seed) : std::string("real time"));
    out << "\n";
  } else {
    // A Tokio program recorded by bridges/tokio, or an imported trace: no asynclab runtime started it.
    out << fmt::format("runtime:   not asynclab's (no runtime_started event), {} seen\n",
                       run.workers == 1 ? std::string("1 worker") : fmt::format("{} workers", run.workers));
  }
  out << fmt::format("events:    {}\n", t.size());
  out << fmt::format("duration:  {}{}\n", format_duration(run.end_ns - run.start_ns),
                     run.asynclab_runtime && run.virtual_time ? " of virtual time" : "");
  if (run.stopped) out << fmt::format("stopped:   {}\n", stop_reason_text(run.stop_reason));
  out << fmt::format("tables:    {} strings, {} source locations, {} spawn sites\n", t.strings().size() - 1,
                     t.locations().size() - 1, t.sites().size() - 1);

  // Tasks, as a table whose columns fit their contents.
  std::vector<std::string> header{"id", "name", "spawned by", "polls", "wakes", "self-wakes", "outcome", "spawned at"};
  std::vector<std::vector<std::string>> rows;
  std::vector<const vis::TaskInfo*> tasks;
  for (const vis::TaskInfo& task : index.tasks()) tasks.push_back(&task);
  std::ranges::sort(tasks, {}, &vis::TaskInfo::id);
  for (const vis::TaskInfo* task : tasks) {
    const std::string spawned_at = t.describe_location(task->spawn_location);
    rows.push_back({std::to_string(task->id), task->name,
                    task->parent ? fmt::format("{} ({})", t.task_name(task->parent), task->parent) : "-",
                    std::to_string(task->polls.size()), std::to_string(task->wakes), std::to_string(task->self_wakes),
                    task->done() ? std::string(trace::outcome_name(task->outcome)) : "not finished",
                    spawned_at.empty() ? "-" : spawned_at});
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

  out << fmt::format("\nlints ({})\n", index.lints().size());
  for (const vis::LintRecord& lint : index.lints()) {
    std::string where = t.describe_location(lint.location);
    out << fmt::format("  at {}: {} in {}{}\n    {}\n", format_duration(lint.time_ns), trace::lint_name(lint.kind),
                       who(t, lint.task), where.empty() ? "" : " at " + where, lint_text(lint));
  }

  out << fmt::format("\nmarks ({})\n", index.marks().size());
  for (const vis::MarkRecord& mark : index.marks())
    out << fmt::format("  at {}: \"{}\" in {}\n", format_duration(mark.time_ns), mark.label, who(t, mark.task));

  auto resource_name = [&](const vis::ResourceInfo& r) {
    return fmt::format("{}{}", trace::resource_kind_name(r.kind), r.name.empty() ? "" : " \"" + r.name + "\"");
  };
  if (!index.resources().empty()) {
    std::vector<const vis::ResourceInfo*> resources;
    for (const vis::ResourceInfo& r : index.resources()) resources.push_back(&r);
    std::ranges::sort(resources, {}, &vis::ResourceInfo::id);
    out << fmt::format("\nresources ({})\n", resources.size());
    for (const vis::ResourceInfo* r : resources) {
      const auto operations =
          std::ranges::count_if(r->events, [&](vis::EventIndex e) { return is_operation(t[e].kind); });
      std::string limit = r->capacity ? fmt::format(", limit {}", r->capacity) : "";
      out << fmt::format("  #{} {}{}: {} operations\n", r->id, resource_name(*r), limit, operations);
    }
  }
  if (!index.requests().empty() || !index.blocking().empty())
    out << fmt::format("\nsimulated world: {} HTTP requests, {} blocking jobs\n", index.requests().size(),
                       index.blocking().size());
  if (!index.stuck().empty()) {
    out << "\nstuck (the runtime stopped with these tasks waiting)\n";
    for (const vis::StuckRecord& st : index.stuck()) {
      if (st.joins && st.holder) {
        out << fmt::format("  {} awaits the JoinHandle of {}{}\n", who(t, st.task), who(t, st.holder),
                           st.on_cycle ? "  [on the wait-for cycle]" : "");
        continue;
      }
      std::string what = "nothing it named";
      if (const vis::ResourceInfo* r = st.resource ? index.resource(st.resource) : nullptr)
        what = resource_name(*r);
      else if (st.resource)
        what = fmt::format("resource #{}", st.resource);
      out << fmt::format("  {} waits on {}{}{}\n", who(t, st.task), what, st.holder ? " held by " + who(t, st.holder) : "",
                         st.on_cycle ? "  [on the wait-for cycle]" : "");
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
