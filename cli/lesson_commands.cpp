// `asynclab lessons` and `asynclab run`. See lesson_commands.hpp.
#include "lesson_commands.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "asynclab/trace/export.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/output_file.hpp"
#include "engine/catalog.hpp"
#include "engine/lesson_run.hpp"
#include "engine/progress.hpp"
#include "progress_file.hpp"
#include "engine/text_template.hpp"
#include "exit_codes.hpp"
#include "invocation.hpp"
#include "markdown_text.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"
#include "terminal/swimlanes.hpp"
#include "terminal/window_text.hpp"
#include "trace_commands.hpp"

namespace asynclab::cli {

namespace {

// A lesson is written for the GUI, whose windows it names ("the Output window"). The terminal
// prints the same things as sections: "The program printed:", then "Executor — ...", "Resources",
// "Warnings", "Task". Say those names instead of windows a terminal learner cannot see.
std::string in_terminal_words(std::string text) {
  static constexpr std::pair<std::string_view, std::string_view> words[] = {
      {"in the Output window", "in the program's output"},
      {"the Output window", "the program's output"},
      {"The Output window", "The program's output"},
      {"Output window", "program's output"},
      {"Executor window", "Executor section"},
      {"Resources window", "Resources section"},
      {"Warnings window", "Warnings section"},
      {"Task window", "Task section"},
  };
  for (const auto& [gui, terminal] : words)
    for (std::size_t at = text.find(gui); at != std::string::npos; at = text.find(gui, at + terminal.size()))
      text.replace(at, gui.size(), terminal);
  return text;
}

std::expected<lessons::Catalog, int> load_catalog(std::ostream& err) {
  auto catalog = lessons::Catalog::load();
  if (!catalog) {
    err << fmt::format("asynclab: {}\n", catalog.error());
    return std::unexpected(exit_failed);
  }
  return std::move(*catalog);
}

std::string rule(std::string_view title, int columns, bool color) {
  const std::string head = fmt::format("━━ {} ", title);
  std::size_t used = 0;
  for (unsigned char c : head) used += (c & 0xC0) != 0x80 ? 1 : 0;
  std::string line = head;
  for (std::size_t i = used; i < static_cast<std::size_t>(std::max(columns, 40)); ++i) line += "━";
  return color ? fmt::format("\x1b[1;34m{}\x1b[0m", line) : line;
}

}  // namespace

int list_lessons(std::ostream& out, std::ostream& err, int columns) {
  auto catalog = load_catalog(err);
  if (!catalog) return catalog.error();
  // The title column takes what the terminal leaves after id, steps and the done mark.
  std::size_t widest = 6;
  for (const auto& e : catalog->entries()) widest = std::max(widest, e.lesson ? e.lesson->title.size() : e.folder.size());
  const std::size_t title_width = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(columns, 40)) - 22, 20, widest);
  auto progress = load_progress(err);
  out << fmt::format("{:<4} {:<{}} {:>5}  {}\n", "id", "lesson", title_width, "steps", "done");
  std::size_t done = 0, broken = 0;
  for (const auto& entry : catalog->entries()) {
    if (!entry.lesson) {
      ++broken;
      out << fmt::format("{:<4} {:<{}} {:>5}  {}\n", entry.folder.substr(0, 2), entry.folder, title_width, "-", "broken");
      out << fmt::format("     {}\n", entry.lesson.error().to_string());
      continue;
    }
    const auto& l = *entry.lesson;
    const bool finished = progress.lesson_done(entry.folder);
    done += finished ? 1 : 0;
    std::string title = l.title.size() > title_width ? l.title.substr(0, title_width - 1) + "…" : l.title;
    out << fmt::format("{:<4} {:<{}} {:>5}  {}\n", l.id, title, title_width, l.steps.size(),
                       finished ? "✓" : (progress.lesson_step(entry.folder) > 0
                                             ? fmt::format("step {}", std::min(progress.lesson_step(entry.folder),
                                                                               l.steps.size() - 1) + 1)
                                             : ""));
  }
  out << with_invocation(fmt::format("\n{} of {} lessons done. Start one with: asynclab run ID  (or asynclab gui --lesson ID)\n",
                                     done, catalog->entries().size() - broken));
  if (broken > 0) {
    err << fmt::format("asynclab: {} lesson{} could not be loaded (see above)\n", broken, broken == 1 ? "" : "s");
    return exit_failed;
  }
  return exit_ok;
}

int start_lessons_in_terminal(LessonRunOptions options, std::istream& in, std::ostream& out, std::ostream& err,
                              std::string_view usage) {
  auto catalog = load_catalog(err);
  if (!catalog) return catalog.error();
  out << "asynclab — async the way Rust and Tokio do it, step by step. The lessons:\n\n";
  const int listed = list_lessons(out, err, options.columns);
  const auto progress = load_progress(err);
  const lessons::CatalogEntry* next = nullptr;
  for (const auto& e : catalog->entries())
    if (e.lesson && !progress.lesson_done(e.folder)) {
      next = &e;
      break;
    }
  if (next == nullptr)
    for (const auto& e : catalog->entries())
      if (e.lesson) {
        next = &e;
        break;
      }
  int status = listed;
  if (next != nullptr) {
    out << fmt::format("\nStarting lesson {}{}.\n\n", next->folder.substr(0, 2),
                       options.interactive ? " (Enter: next step, q: quit)" : "");
    options.lesson = next->folder;
    options.step = std::min(progress.lesson_step(next->folder) + 1, next->lesson->steps.size());
    if (progress.lesson_done(next->folder)) options.step = 1;
    status = std::max(status, run_lesson_command(options, in, out, err));
  }
  out << "\n" << usage;
  return status;
}

int run_lesson_command(const LessonRunOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  auto catalog = load_catalog(err);
  if (!catalog) return catalog.error();
  const auto* entry = catalog->find(options.lesson);
  if (entry == nullptr) {
    err << fmt::format("asynclab run: no lesson '{}' (see 'asynclab lessons')\n", options.lesson);
    return exit_usage;
  }
  if (!entry->lesson) {
    err << fmt::format("asynclab run: lesson {} is broken: {}\n", entry->folder, entry->lesson.error().to_string());
    return exit_failed;
  }
  const auto& lesson = *entry->lesson;
  const std::size_t step_count = lesson.steps.size();
  if (options.step < 1 || options.step > step_count) {
    err << fmt::format("asynclab run: lesson {} has steps 1 to {}, not {}\n", lesson.id, step_count, options.step);
    return exit_usage;
  }

  lessons::ParamValues overrides(lesson.params);
  for (const auto& assignment : options.params) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos) {
      err << fmt::format("asynclab run: --param takes NAME=VALUE, not '{}'\n", assignment);
      return exit_usage;
    }
    if (auto ok = overrides.set(assignment.substr(0, eq), assignment.substr(eq + 1)); !ok) {
      err << fmt::format("asynclab run: --param {}: {}\n", assignment, ok.error());
      return exit_usage;
    }
  }

  // One run per distinct set of parameters the steps use.
  std::map<std::string, lessons::LessonRun> runs;
  auto run_for = [&](std::size_t step) -> const lessons::LessonRun& {
    auto params = lesson.values_at(step, overrides);
    auto key = params.to_string();
    auto it = runs.find(key);
    if (it == runs.end())
      it = runs.emplace(key, lessons::run_lesson(lesson, entry->scenario, params, options.seed, overrides)).first;
    return it->second;
  };

  if (options.format != "text") {
    const auto& run = run_for(options.step - 1);
    if (!run.error.empty()) {
      err << fmt::format("asynclab run: {}\n", run.error);
      return exit_failed;
    }
    if (options.format == "altrace") {
      if (!options.output) {
        err << "asynclab run: --format altrace writes a binary file: give -o FILE.altrace\n";
        return exit_usage;
      }
      if (auto saved = trace::save(run.trace, *options.output); !saved) {
        err << fmt::format("asynclab run: {}\n", saved.error());
        return exit_failed;
      }
    } else {
      // Into memory first, so a file is written whole (trace/output_file.hpp), or to stdout.
      std::ostringstream text;
      std::ostream& to = options.output ? static_cast<std::ostream&>(text) : out;
      if (options.format == "chrome") trace::write_chrome_json(run.trace, to);
      else trace::write_json_lines(run.trace, to);
      to.flush();
      if (options.output) {
        if (auto written = trace::write_output_file(*options.output, text.str()); !written) {
          err << fmt::format("asynclab run: {}\n", written.error());
          return exit_failed;
        }
      } else if (!to) {
        err << fmt::format("asynclab run: writing the trace failed\n");
        return exit_failed;
      }
    }
    if (options.output)
      err << fmt::format("wrote {} ({} events, lesson {} with {}, seed {})\n", *options.output, run.trace.size(),
                         lesson.id, run.params.to_string(), options.seed);
    return exit_ok;
  }

  auto progress = load_progress(err);
  const auto bold = [&](std::string_view s) { return options.color ? fmt::format("\x1b[1m{}\x1b[0m", s) : std::string(s); };
  const auto dim = [&](std::string_view s) { return options.color ? fmt::format("\x1b[2m{}\x1b[0m", s) : std::string(s); };

  out << bold(fmt::format("Lesson {}: {}", lesson.id, lesson.title)) << dim(fmt::format("   (seeds: {})", lesson.seeds))
      << "\n" << lesson.summary << "\n";
  if (!lesson.params.empty()) {
    out << dim("Parameters (change with --param NAME=VALUE):") << "\n";
    for (const auto& p : lesson.params)
      out << fmt::format("  {:<20} {:<10} {}  ({})\n", p.name,
                         lessons::ParamSpec::format_value(overrides.get(p.name)), p.label, p.describe_range());
  }
  out << "\n";

  std::size_t step = options.step - 1;
  int status = exit_ok;
  while (step < step_count) {
    const auto& s = lesson.steps[step];
    const auto& run = run_for(step);
    const auto& view = run.steps[step];
    out << rule(fmt::format("Step {}/{}: {}", step + 1, step_count, s.title), options.columns, options.color) << "\n\n";
    // Figures that follow the parameters ({{latency_posts}}), for the ones this run used.
    const auto expanded = lessons::expand_template(s.markdown, run.params);
    print_markdown(in_terminal_words(expanded ? *expanded : s.markdown), {options.columns, options.color}, out);
    if (!run.error.empty()) {
      err << fmt::format("asynclab run: {}\n", run.error);
      status = exit_failed;
    }
    for (const auto& u : run.unmatched)
      if (u.step == step)
        err << fmt::format("asynclab run: {}:{}: `run-until: {}` matches no event in this run\n",
                           lesson.path.string(), u.line, u.text);

    if (lesson.values_at(step, overrides) != (step == 0 ? overrides : lesson.values_at(step - 1, overrides)))
      out << dim(fmt::format("(this step runs the scenario with {})", run.params.to_string())) << "\n\n";

    bool said_any = false;
    for (const auto& line : run.said) {
      if (line.event > view.cursor) break;
      if (!said_any) out << dim("The program printed:") << "\n";
      said_any = true;
      out << fmt::format("  [{:>8}] {}\n", format_duration(line.at_ns), line.text);
    }
    if (said_any) out << "\n";
    if (step + 1 == step_count || view.cursor >= run.trace.size()) {
      for (const auto& m : run.measurements)
        out << fmt::format("  measured: {:<48} {:>12.3f} {}\n", m.label, m.value, m.unit);
      if (!run.measurements.empty()) out << "\n";
    }

    const vis::TraceIndex index(run.trace);
    vis::SwimlaneOptions lanes;
    lanes.color = options.color;
    lanes.upto = view.cursor;
    lanes.nested = true;  // the rows inside each task: branches, requests, locks, as the GUI opens them
    if (view.axis == "time") lanes.axis = vis::SwimlaneAxis::time;
    if (view.axis == "steps") lanes.axis = vis::SwimlaneAxis::sequence;
    if (!view.highlight.empty()) {
      const auto id = index.find_task(view.highlight);
      if (id != vis::npos) lanes.highlight_task = id;
    }
    lanes.width = vis::swimlane_width_for(index, lanes, options.columns);
    out << dim(fmt::format("Timeline up to event {} of {}:", view.cursor, run.trace.size())) << "\n"
        << vis::render_swimlanes(index, lanes) << "\n";
    // What the windows the step points at would show (the GUI brings them forward): the run queue,
    // the locks' holders and waiters, the lints, the pinned futures' homes...
    bool warnings_shown = false;
    if (!view.focus.empty()) {
      const vis::LaneIndex lane_index(index);
      const vis::WorldState world = vis::StateTimeline(index).state_at(view.cursor);
      const std::uint32_t highlighted = view.highlight.empty() ? 0 : index.find_task(view.highlight);
      for (const std::string& window : view.focus) {
        const std::string shown = vis::render_window_text(lane_index, world, window, static_cast<std::size_t>(options.columns),
                                                          highlighted == vis::npos ? 0 : highlighted);
        if (shown.empty()) continue;
        out << shown << "\n";
        warnings_shown |= window == "Warnings";
      }
    }
    if (run.stuck && view.cursor >= run.trace.size() && !warnings_shown) out << run.stuck->render() << "\n";

    // Only a learner at a terminal, stepping through, makes progress: a piped run (a script, a test,
    // `| less`) prints every step at once and reads none of them.
    if (options.interactive) {
      progress.saw_lesson_step(entry->folder, step, step_count);
      save_progress(progress, "asynclab", err);
    }

    if (!options.interactive) {
      ++step;
      continue;
    }
    out << dim(step + 1 < step_count ? "[Enter] next step   [b] back   [q] quit > " : "[Enter] finish   [b] back > ")
        << std::flush;
    std::string answer;
    if (!std::getline(in, answer) || answer == "q") break;
    if (answer == "b") {
      step = step == 0 ? 0 : step - 1;
    } else {
      ++step;
    }
    out << "\n";
  }
  if (step >= step_count && !options.interactive) {
    out << with_invocation(
        fmt::format("That was all of lesson {} (not marked done: stdin is not a terminal; `asynclab run {}` in a "
                    "terminal steps through it and marks it done).\n",
                    lesson.id, lesson.id));
  } else if (step >= step_count) {
    const auto& entries = catalog->entries();
    auto at = std::ranges::find(entries, entry->folder, &lessons::CatalogEntry::folder);
    if (at + 1 != entries.end())
      out << with_invocation(fmt::format("Lesson {} done. Next: asynclab run {}   (all of them: asynclab lessons)\n",
                                         lesson.id, (at + 1)->folder.substr(0, 2)));
    else
      out << fmt::format("Lesson {} done. That was the last lesson.\n", lesson.id);
  }
  return status;
}

}  // namespace asynclab::cli
