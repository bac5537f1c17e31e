// asynclab — the command that fronts the project (design.md §6). This file only parses arguments
// (CLI11) and dispatches; each subcommand lives in its own file. Subcommands are added as their
// parts land.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/gui_app.hpp"
#include "view/view_state.hpp"
#include "demo.hpp"
#include "doc_command.hpp"
#include "live_scenarios.hpp"
#include "exit_codes.hpp"
#include "grade_commands.hpp"
#include "limits.hpp"
#include "lesson_commands.hpp"
#include "terminal.hpp"
#include "trace_commands.hpp"

#ifndef ASYNCLAB_VERSION
#define ASYNCLAB_VERSION "unknown"
#endif

namespace {

constexpr const char* usage = R"(asynclab — a playground for Rust/Tokio-style async, on an instrumented runtime

Usage:
  asynclab                                       the main job: the visualizer at the lesson browser (with a
                                                 display), else the next lesson in this terminal
  asynclab lessons                               list the lessons: id, title, steps, done
  asynclab run LESSON [--param NAME=VALUE]... [--seed N] [--step N]
                                                 step through a lesson in the terminal (Enter: next step)
  asynclab run LESSON --format json|chrome|altrace [-o FILE]
                                                 write the trace of the lesson's run instead
  asynclab demo [-o FILE.altrace] [--seed N]     run a small built-in scenario, narrate it, draw its timeline
  asynclab trace info FILE [--no-timeline] [--width N] [--color auto|always|never]
                                                 summarize a recorded trace (.altrace), draw its timeline
  asynclab trace export FILE --chrome OUT.json   export for Perfetto / chrome://tracing
  asynclab trace export FILE --jsonl OUT.jsonl   export as JSON Lines (one event per line)
  asynclab gui [--lessons | --lesson ID [--step N]] [--present]
                                                 the visualizer at the lesson browser, or in a lesson
  asynclab gui [--trace FILE] [--at EVENT] [--present]
                                                 open the visualizer on a trace (.altrace or Chrome JSON;
                                                 without --trace, on the built-in demo)
  asynclab gui --live [NAME]                     watch a built-in real-time program live as it runs
                                                 (default and only one so far: echo, a TCP echo server)
  asynclab gui --screenshot PNG [--frames N] [--size WxH] [--ui-report JSON]
                                                 draw N frames (3) and save the last, e.g. under xvfb-run

  asynclab grade [EXERCISE...] [--all] [--watch] [--seeds N] [--timeout S]
                                                 grade the current exercise (or these, or all): build,
                                                 run its grader, say what is wrong and where to look
  asynclab grade --all --format exercism|gradescope|classroom [-o FILE]
                                                 the results file for those platforms
  asynclab grade ... [--memory 2G] [--cpu-seconds 60] [--processes 64] [--file-size 64M]
                 [--open-files 256] [--output-kept 1M] [--limits FILE] [--build-timeout 600]
                                                 what each grader run may take
  asynclab hint EXERCISE                         the next hint
  asynclab solution EXERCISE                     the reference solution, once yours passes
  asynclab reset EXERCISE                        put the shipped exercise.cpp back (asks first)
Run 'asynclab COMMAND --help' for a command's options.
)";

// CLI11's messages can span lines; the command's errors are one line each.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Says what was wrong with the command line in one line, in the learner's words: which command was
// being read, the word it did not understand, and where to read more. "asynclab demo: no option
// '--frob' (see 'asynclab demo --help')".
std::string usage_error(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* at = &app;
  std::string path = "asynclab";
  for (;;) {
    auto parsed = at->get_subcommands();
    if (parsed.empty()) break;
    at = parsed.front();
    path += " " + at->get_name();
  }
  const std::vector<std::string> extras = app.remaining(true);
  const bool about_extras =
      dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr || dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
  if (about_extras && !extras.empty()) {
    const std::string& word = extras.front();
    if (word.starts_with("-")) return fmt::format("{}: no option '{}' (see '{} --help')", path, word, path);
    std::vector<std::string> commands;
    for (CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; })) commands.push_back(sub->get_name());
    if (!commands.empty())
      return fmt::format("{}: unknown command '{}' (commands: {}; see '{} --help')", path, word,
                         fmt::join(commands, ", "), path);
    return fmt::format("{}: unexpected argument '{}' (see '{} --help')", path, word, path);
  }
  return fmt::format("{}: {} (see '{} --help')", path, one_line(e.what()), path);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace asynclab::cli;

  CLI::App app{"asynclab — a playground for Rust/Tokio-style async, on an instrumented runtime", "asynclab"};
  app.set_version_flag("--version", std::string("asynclab ") + ASYNCLAB_VERSION);
  app.require_subcommand(0, 1);

  // asynclab trace info|export
  auto* trace = app.add_subcommand("trace", "Inspect and export recorded traces (.altrace files)");
  trace->require_subcommand(1);

  std::string info_file;
  TimelineStyle info_timeline;
  int info_width = 0;
  std::string info_color = "auto";
  bool info_no_color = false;
  auto* info = trace->add_subcommand("info", "Summarize a trace (tasks, lints, marks) and draw its timeline");
  info->add_option("FILE", info_file, "The .altrace file")->required();
  info->add_flag("--timeline,!--no-timeline", info_timeline.show,
                 "Draw the swimlane timeline after the summary (default: on)");
  info->add_option("--width", info_width, "Columns to draw in (default: the terminal's width, else 100)")
      ->check(CLI::Range(40, 4096));
  info->add_option("--color", info_color, "Colour the timeline: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  info->add_flag("--no-color", info_no_color, "The same as --color never");

  std::string export_file;
  std::string chrome_out;
  std::string jsonl_out;
  auto* exporter = trace->add_subcommand("export", "Export a trace as Chrome trace-event JSON and/or JSON Lines");
  exporter->add_option("FILE", export_file, "The .altrace file")->required();
  exporter->add_option("--chrome", chrome_out, "Write Chrome trace-event JSON here (opens in Perfetto)");
  exporter->add_option("--jsonl", jsonl_out, "Write JSON Lines here (one event per line)");

  // asynclab demo
  DemoOptions demo_options;
  std::string demo_out;
  auto* demo = app.add_subcommand("demo", "Run a small built-in scenario on the virtual-time runtime and narrate it");
  demo->add_option("-o,--output", demo_out, "Save the recorded trace to this .altrace file");
  demo->add_option("--seed", demo_options.seed, "The runtime's seed (same seed, same trace)");

  // asynclab lessons, asynclab run LESSON
  auto* lessons_cmd = app.add_subcommand("lessons", "List the lessons in syllabus order, with done marks");
  LessonRunOptions run_options;
  std::string run_color = "auto";
  auto* run = app.add_subcommand("run", "Step through a lesson in the terminal, or write its trace");
  run->add_option("LESSON", run_options.lesson, "The lesson: 08, 8, 08-join or join")->required();
  run->add_option("--param", run_options.params, "Set a parameter (a GUI slider): NAME=VALUE; repeatable");
  run->add_option("--seed", run_options.seed, "The runtime's seed (same seed, same trace)");
  run->add_option("--step", run_options.step, "Start at this step (1-based); with --format, whose parameters to use")
      ->check(CLI::Range(1, 10000));
  run->add_option("--format", run_options.format, "text (default): the steps with their timelines; json (JSON Lines), "
                                                  "chrome (Perfetto) or altrace: the trace")
      ->check(CLI::IsMember({"text", "json", "chrome", "altrace"}));
  run->add_option("-o,--output", run_options.output, "Write the trace here (with --format; text: as .altrace)");
  run->add_option("--color", run_color, "Colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  // asynclab grade, hint, reset
  GradeOptions grade_options;
  std::string grade_color = "auto";
  auto* grade = app.add_subcommand("grade", "Grade exercises: build, run each grader in its own process, give the verdict");
  grade->add_option("EXERCISE", grade_options.exercises, "Exercises to grade (default: the current one, the first not done)");
  grade->add_flag("--all", grade_options.all, "Grade every exercise");
  grade->add_flag("--watch", grade_options.watch, "Grade again whenever the exercise file is saved; move on when it passes");
  grade->add_option("--seeds", grade_options.seeds, "How many seeds each grader tries (default 5)")->check(CLI::Range(1, 1000));
  grade->add_option("--timeout", grade_options.timeout_s, "Seconds each grader may run (default 30)")->check(CLI::Range(1.0, 3600.0));
  // What one grader run may take (exercises/grading/limits.hpp): a limits file first, then these.
  std::vector<std::pair<std::string, std::string>> grade_limit_values(std::size(asynclab::grading::limit_names));
  const asynclab::grading::Limits default_limits;
  const std::vector<std::pair<std::string_view, std::string>> limit_help{
      {"memory", fmt::format("Memory (address space) a grader run may use, e.g. 4G (default {})",
                             asynclab::grading::format_bytes(default_limits.memory))},
      {"cpu-seconds", fmt::format("CPU seconds a grader run may use (default {})", default_limits.cpu_seconds)},
      {"processes", fmt::format("Processes a grader run may hold at once (default {})", default_limits.processes)},
      {"file-size", fmt::format("The largest file a grader run may write, e.g. 64M (default {})",
                                asynclab::grading::format_bytes(default_limits.file_size))},
      {"open-files", fmt::format("Files a grader run may hold open at once (default {})", default_limits.open_files)},
      {"output-kept", fmt::format("How much of a grader run's output is kept, e.g. 1M (default {}); the rest is counted",
                                  asynclab::grading::format_bytes(default_limits.output_kept))},
  };
  for (std::size_t i = 0; i < limit_help.size(); ++i) {
    grade_limit_values[i].first = std::string(limit_help[i].first);
    grade->add_option(fmt::format("--{}", limit_help[i].first), grade_limit_values[i].second, limit_help[i].second);
  }
  grade->add_option("--limits", grade_options.limits_file,
                    "A file of limits, one 'name = value' per line (names as the options above)");
  grade->add_option("--build-timeout", grade_options.build_timeout_s, "Seconds building a grader may take (default 600)")
      ->check(CLI::Range(10.0, 86400.0));
  // Read as a word, checked against the names (CLI11 prints them in its help and errors), then made
  // the enum once parsing is done.
  std::string grade_format = "text";
  grade->add_option("--format", grade_format, "text (default), exercism, gradescope or classroom")
      ->check(CLI::IsMember(std::vector<std::string>(asynclab::grading::results_format_names.begin(),
                                                     asynclab::grading::results_format_names.end())));
  grade->add_option("-o,--output", grade_options.output, "Write the results file here (with --format)");
  grade->add_option("--color", grade_color, "Colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  std::string hint_exercise;
  auto* hint = app.add_subcommand("hint", "Show the next hint of an exercise");
  hint->add_option("EXERCISE", hint_exercise, "The exercise: 04, 4, 04-join-fetches or join-fetches")->required();
  std::string solution_exercise;
  auto* solution = app.add_subcommand("solution", "Show an exercise's reference solution, once yours passes");
  solution->add_option("EXERCISE", solution_exercise, "The exercise")->required();
  std::string reset_exercise;
  bool reset_yes = false;
  auto* reset = app.add_subcommand("reset", "Put an exercise's shipped exercise.cpp back (yours is kept as .bak)");
  reset->add_option("EXERCISE", reset_exercise, "The exercise")->required();
  reset->add_flag("-y,--yes", reset_yes, "Do not ask first");

  // asynclab doc
  DocOptions doc_options;
  std::string doc_color = "auto";
  auto* doc = app.add_subcommand("doc", "What a type offers (JoinHandle, mpsc::Sender, sleep...), with its Rust name");
  doc->add_option("NAME", doc_options.name, "The type or function, in C++ or Rust spelling (none: the list)");
  doc->add_flag("--all", doc_options.all, "Every entry, one after the other");
  doc->add_option("--color", doc_color, "Colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  // asynclab gui
  asynclab::vis::GuiOptions gui_options;
  std::string gui_trace;
  std::string gui_screenshot;
  std::string gui_size;
  std::string gui_report;
  std::string gui_lesson;
  auto* gui = app.add_subcommand("gui", "Open the visualizer window (Dear ImGui) on a trace");
  gui->add_option("--lesson", gui_lesson, "Open this lesson: 08, 8, 08-join or join");
  gui->add_flag("--exercises", gui_options.exercises, "Open with the Exercises window (check, hints, your run)");
  std::string gui_check;
  auto* gui_check_option =
      gui->add_option("--check", gui_check, "Open the Exercises window on this exercise and check it at once");
  std::string gui_doc;
  gui->add_option("--doc", gui_doc, "Open the API window on this entry (as asynclab doc NAME finds it)");
  gui->add_flag("--show-my-run", gui_options.show_my_run,
                "With --check: then open your run in the timeline, the reference run's lanes under it (Show my run)")
      ->needs(gui_check_option);
  gui->add_option("--open", gui_options.open_windows,
                  "Open this view at start too: Legend, Task, Code, Tasks, Executor, Resources, Warnings, Pinning "
                  "(repeatable)")
      ->check(CLI::Validator(
          [](std::string& name) {
            return asynclab::vis::window_open_flag(name) != nullptr
                       ? std::string()
                       : "no view '" + name + "'; there is: " + asynclab::vis::view_window_titles(asynclab::vis::WindowList::trace_views);
          },
          "VIEW"));
  gui->add_flag("--lessons", gui_options.lesson_browser, "Open at the lesson browser (what asynclab with no arguments does)");
  gui->add_option("--step", gui_options.step, "Start the lesson at this step (1-based)")->check(CLI::Range(1, 10000));
  gui->add_option("--trace", gui_trace, "Open this trace (.altrace or Chrome JSON; default: the built-in demo)");
  std::size_t gui_at = 0;
  auto* gui_at_option = gui->add_option("--at", gui_at, "Start at this event: events before it have happened (default: the end)");
  gui->add_flag("--present", gui_options.present, "Presentation mode: large fonts, driven by the keyboard");
  gui->add_option("--screenshot", gui_screenshot, "Draw --frames frames, save the last one as this PNG, and exit");
  gui->add_option("--frames", gui_options.frames, "How many frames to draw (default: until closed; 3 with --screenshot)")
      ->check(CLI::Range(0, 1000000));
  gui->add_option("--size", gui_size, "Window size WIDTHxHEIGHT, e.g. 1280x800 (default 1600x1000)")
      ->check(CLI::Validator(
          [](std::string& text) {
            auto size = asynclab::vis::parse_window_size(text);
            return size ? std::string() : size.error();
          },
          "WxH"));
  gui->add_option("--ui-report", gui_report, "After the last frame, write what was drawn (windows, items, errors) as JSON");
  auto* gui_every_step = gui->add_flag("--every-step", gui_options.every_step,
                                       "With --lesson and --screenshot or --ui-report: draw every step from --step on, "
                                       "writing NAME.stepK.EXT for each");
  std::string gui_live;
  auto* gui_live_option =
      gui->add_option("--live", gui_live,
                      "Watch a built-in program live: real threads, real time, real sockets (default: echo)")
          ->expected(0, 1)
          ->check(CLI::Validator(
              [](std::string& name) {
                if (name.empty() || asynclab::cli::find_live_scenario(name) != nullptr) return std::string();
                std::string known;
                for (const auto& scenario : asynclab::cli::live_scenarios()) known += " " + scenario.name;
                return "no live scenario '" + name + "'; there is:" + known;
              },
              "NAME"))
          // A live run is the window's trace: it cannot share the window with another one.
          ->excludes("--trace")
          ->excludes("--lesson");
  // For the tests: the live scenario's real pauses, shortened so a whole run takes a fraction of a second.
  int gui_live_pause_ms = -1;
  gui->add_option("--live-pause-ms", gui_live_pause_ms)->check(CLI::Range(0, 10000))->group("");
  // For the tests: write the outputs after --frames frames even while the live program still runs
  // (a picture of live mode mid-run).
  gui->add_flag("--live-mid-run", gui_options.live_mid_run)->group("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << usage_error(app, e) << "\n";
    return exit_usage;
  }

  try {
    if (info->parsed()) {
      info_timeline.columns = info_width > 0 ? info_width : terminal_columns();
      info_timeline.color = use_color(info_no_color ? "never" : info_color);
      return trace_info(info_file, std::cout, std::cerr, info_timeline);
    }
    if (exporter->parsed()) {
      ExportTargets targets;
      if (!chrome_out.empty()) targets.chrome = chrome_out;
      if (!jsonl_out.empty()) targets.jsonl = jsonl_out;
      return trace_export(export_file, targets, std::cout, std::cerr);
    }
    if (gui->parsed()) {
      if (!gui_trace.empty()) gui_options.trace = gui_trace;
      if (!gui_screenshot.empty()) gui_options.screenshot = gui_screenshot;
      if (!gui_report.empty()) gui_options.ui_report = gui_report;
      if (!gui_lesson.empty()) gui_options.lesson = gui_lesson;
      if (gui_every_step->count() > 0 && (gui_lesson.empty() || (gui_screenshot.empty() && gui_report.empty()))) {
        std::cerr << "asynclab gui: --every-step needs --lesson and --screenshot or --ui-report\n";
        return exit_usage;
      }
      if (gui_at_option->count() > 0) gui_options.at = gui_at;
      if (!gui_check.empty()) gui_options.check_exercise = gui_check;
      if (!gui_doc.empty()) {
        const auto entry = resolve_doc_name(gui_doc);
        if (!entry) {
          std::cerr << "asynclab gui: --doc: " << entry.error() << "\n";
          return exit_usage;
        }
        gui_options.doc = *entry;
      }
      if (!gui_size.empty()) {
        const auto size = asynclab::vis::parse_window_size(gui_size);  // checked while parsing
        gui_options.width = size->width;
        gui_options.height = size->height;
      }
      if (gui_live_option->count() > 0) {
        const LiveScenario& scenario = *find_live_scenario(gui_live.empty() ? "echo" : gui_live);
        LiveScenarioOptions live_options;
        if (gui_live_pause_ms >= 0) live_options.pause = std::chrono::milliseconds(gui_live_pause_ms);
        gui_options.live_title = "live: " + scenario.name;
        gui_options.live_program = [run = scenario.run, live_options](asynclab::trace::Recorder& recorder,
                                                                      std::stop_token stop) {
          run(recorder, std::move(stop), live_options);
        };
      }
      if (!gui_options.trace && !gui_options.live_program && !gui_options.lesson_browser && !gui_options.exercises &&
          gui_check.empty())
        gui_options.record_trace = [] { return record_demo(); };
      return asynclab::vis::run_gui(gui_options, std::cerr);
    }
    if (grade->parsed()) {
      grade_options.format = *asynclab::grading::results_format_named(grade_format);
      for (const auto& [name, value] : grade_limit_values)
        if (!value.empty()) grade_options.limit_values.emplace_back(name, value);
      grade_options.color = use_color(grade_color);
      grade_options.interactive = stdin_is_terminal() && stdout_is_terminal();
      return grade_command(grade_options, std::cin, std::cout, std::cerr);
    }
    if (hint->parsed()) return hint_command(hint_exercise, std::cout, std::cerr);
    if (solution->parsed()) return solution_command(solution_exercise, std::cout, std::cerr);
    if (doc->parsed()) {
      doc_options.columns = terminal_columns();
      doc_options.color = use_color(doc_color);
      return doc_command(doc_options, std::cout, std::cerr);
    }
    if (reset->parsed()) return reset_command(reset_exercise, reset_yes, std::cin, std::cout, std::cerr);
    if (lessons_cmd->parsed()) return list_lessons(std::cout, std::cerr, terminal_columns());
    if (run->parsed()) {
      run_options.columns = terminal_columns();
      run_options.color = use_color(run_color);
      run_options.interactive = stdin_is_terminal();
      if (run_options.format == "text" && run_options.output) {
        // Text on the terminal, and the trace of the first step's run saved for `asynclab gui --trace`.
        LessonRunOptions save = run_options;
        save.format = "altrace";
        if (const int status = run_lesson_command(save, std::cin, std::cout, std::cerr); status != exit_ok)
          return status;
        run_options.output.reset();
      }
      return run_lesson_command(run_options, std::cin, std::cout, std::cerr);
    }
    if (demo->parsed()) {
      if (!demo_out.empty()) demo_options.output = demo_out;
      demo_options.timeline.columns = terminal_columns();
      demo_options.timeline.color = use_color("auto");
      return run_demo(demo_options, std::cout, std::cerr);
    }
  } catch (const std::exception& e) {
    std::cerr << fmt::format("asynclab: internal error: {}\n", e.what());
    return exit_failed;
  }

  // No command: the main job. With a display, the visualizer at the lesson browser; without one (over
  // SSH, in a plain terminal, in CI) the next lesson in the terminal.
  try {
    if (has_display()) {
      asynclab::vis::GuiOptions options;
      options.record_trace = [] { return record_demo(); };
      options.lesson_browser = true;
      const int status = asynclab::vis::run_gui(options, std::cerr);
      if (status != exit_usage) return status;
      std::cerr << "asynclab: no usable display; the lessons run in the terminal instead\n\n";
    }
    LessonRunOptions options;
    options.columns = terminal_columns();
    options.color = use_color("auto");
    options.interactive = stdin_is_terminal();
    return start_lessons_in_terminal(options, std::cin, std::cout, std::cerr, usage);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("asynclab: internal error: {}\n", e.what());
    return exit_failed;
  }
}
