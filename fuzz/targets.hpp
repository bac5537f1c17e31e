#pragma once
// What each fuzz target feeds its bytes to: every parser of a file a learner, a teacher or another
// program hands asynclab, and then the code that trusts what the parser accepted (a trace that loads
// is indexed, replayed and drawn; a lesson that parses is laid out). A target returns normally for
// any input; a crash, a sanitizer report, a hang or a blow-up of memory is a finding.
//
// The same functions run two ways: under libFuzzer (fuzz/libfuzzer_main.cpp, the `fuzz` preset) to
// search, and in the tests (tests/fuzz_inputs_test.cpp) over every saved input of fuzz/corpus/ and
// fuzz/regressions/, so a finding, once saved, is checked on every build.
#include <string_view>

namespace asynclab::fuzz {

void altrace_file(std::string_view bytes);     // trace::from_altrace, then TraceIndex, replay, swimlanes
void chrome_json(std::string_view bytes);      // trace::import_chrome_json, then the same
void lesson_markdown(std::string_view bytes);  // lessons::parse_lesson and the Markdown it holds
void progress_file(std::string_view bytes);    // lessons::Progress::load, read, changed, saved
void param_values(std::string_view bytes);     // `--param NAME=VALUE` lines against a lesson's specs

struct Target {
  std::string_view name;  // also the folder of its inputs: fuzz/corpus/NAME, fuzz/regressions/NAME
  void (*run)(std::string_view);
};

inline constexpr Target targets[] = {
    {"altrace_file", &altrace_file},       {"chrome_json", &chrome_json},   {"lesson_markdown", &lesson_markdown},
    {"progress_file", &progress_file},     {"param_values", &param_values},
};

}  // namespace asynclab::fuzz
