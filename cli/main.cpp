// asynclab — the command that fronts the project (design.md §6). This file only parses arguments
// (CLI11) and dispatches; each subcommand lives in its own file. Subcommands are added as their
// parts land.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "demo.hpp"
#include "exit_codes.hpp"
#include "trace_commands.hpp"

#ifndef ASYNCLAB_VERSION
#define ASYNCLAB_VERSION "unknown"
#endif

namespace {

constexpr const char* usage = R"(asynclab — a playground for Rust/Tokio-style async, on an instrumented runtime

Usage:
  asynclab demo [-o FILE.altrace] [--seed N]     run a small built-in scenario and narrate it
  asynclab trace info FILE                       summarize a recorded trace (.altrace)
  asynclab trace export FILE --chrome OUT.json   export for Perfetto / chrome://tracing
  asynclab trace export FILE --jsonl OUT.jsonl   export as JSON Lines (one event per line)

Coming with later parts: gui, lessons, run, grade, hint, reset.
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
  auto* info = trace->add_subcommand("info", "Print a summary of a trace: runtime, tasks, lints, marks");
  info->add_option("FILE", info_file, "The .altrace file")->required();

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
    if (info->parsed()) return trace_info(info_file, std::cout, std::cerr);
    if (exporter->parsed()) {
      ExportTargets targets;
      if (!chrome_out.empty()) targets.chrome = chrome_out;
      if (!jsonl_out.empty()) targets.jsonl = jsonl_out;
      return trace_export(export_file, targets, std::cout, std::cerr);
    }
    if (demo->parsed()) {
      if (!demo_out.empty()) demo_options.output = demo_out;
      return run_demo(demo_options, std::cout, std::cerr);
    }
  } catch (const std::exception& e) {
    std::cerr << fmt::format("asynclab: internal error: {}\n", e.what());
    return exit_failed;
  }

  std::cout << usage;
  return exit_ok;
}
