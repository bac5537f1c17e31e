// See learner_notes.hpp.
#include "learner_notes.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"
#include "asynclab/trace/file.hpp"

namespace asynclab::grading {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t most_notes_per_source = 3;
// std::regex in libstdc++ recurses once per character it matches: lines and sources past these
// sizes are not scanned (a hostile exercise.cpp must not crash the grade).
constexpr std::size_t longest_scanned_line = 4096;
constexpr std::size_t largest_scanned_source = 512 * 1024;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The source with comments, string and character literals blanked out (newlines kept), so a
// scan sees code only and its offsets still give the right line.
std::string code_only(const std::string& src) {
  std::string out = src;
  enum class In { code, line_comment, block_comment, string, character } in = In::code;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = src[i];
    const char next = i + 1 < src.size() ? src[i + 1] : '\0';
    switch (in) {
      case In::code:
        if (c == '/' && next == '/') in = In::line_comment;
        else if (c == '/' && next == '*') in = In::block_comment;
        else if (c == '"') in = In::string;
        else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(src[i - 1])))) in = In::character;
        else continue;
        out[i] = ' ';
        break;
      case In::line_comment:
        if (c == '\n') in = In::code;
        else out[i] = ' ';
        break;
      case In::block_comment:
        if (c == '*' && next == '/') {
          out[i] = out[i + 1] = ' ';
          ++i;
          in = In::code;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      case In::string:
      case In::character:
        if (c == '\\' && i + 1 < src.size()) {
          out[i] = ' ';
          if (src[i + 1] != '\n') out[i + 1] = ' ';
          ++i;
        } else if ((in == In::string && c == '"') || (in == In::character && c == '\'')) {
          out[i] = ' ';
          in = In::code;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
    }
  }
  return out;
}

int line_of(const std::string& text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

std::vector<std::string> compiler_warnings(const std::string& build_log, const fs::path& exercise_dir) {
  static const std::regex warning(R"(^(.*?):(\d+):(?:\d+:)? warning: (.*?)(?: \[-W[^\]]*\])?$)");
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(exercise_dir, ec);
  std::vector<std::string> notes;
  std::istringstream lines(build_log);
  for (std::string l; std::getline(lines, l) && notes.size() < most_notes_per_source;) {
    std::smatch m;
    if (l.size() > longest_scanned_line || l.find(" warning: ") == std::string::npos) continue;
    if (!std::regex_match(l, m, warning)) continue;
    const fs::path file = fs::weakly_canonical(fs::path(m[1].str()), ec);
    if (ec || file.parent_path() != dir) continue;
    const std::string note = fmt::format("{} line {}: the compiler warns: {}", file.filename().string(), m[2].str(), m[3].str());
    if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
  }
  return notes;
}

std::vector<std::string> run_lints(const fs::path& trace_file) {
  auto loaded = trace::load(trace_file);
  if (!loaded) return {};
  const trace::Trace& t = *loaded;
  std::map<std::string, std::size_t> forgotten;  // where the future's coroutine is → how often
  std::vector<std::string> order;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto lint = trace::as<trace::ev::Lint>(t[i]);
    if (!lint || lint->lint != trace::LintKind::forgotten_future) continue;
    std::string function(t.string(t.location(lint->location).function));
    for (auto at = function.find("(anonymous namespace)::"); at != std::string::npos;
         at = function.find("(anonymous namespace)::"))
      function.erase(at, 23);
    function.erase(std::min(function.find('('), function.size()));
    if (auto space = function.find_last_of(' '); space != std::string::npos) function.erase(0, space + 1);
    const std::string where = fmt::format("{} ({})", function.empty() ? "a coroutine" : function, t.describe_location(lint->location));
    if (forgotten[where]++ == 0) order.push_back(where);
  }
  std::vector<std::string> notes;
  for (const auto& where : order) {
    if (notes.size() == most_notes_per_source) break;
    const std::size_t n = forgotten[where];
    notes.push_back(fmt::format("in your run, a future of {} was dropped without ever being polled (a forgotten "
                                "future{}): it was built, never awaited or spawned, so its work never happened",
                                where, n > 1 ? fmt::format(", {} times", n) : ""));
  }
  return notes;
}

// Where the statement holding `at` begins: walking back over balanced (), [] and {} groups (earlier
// lambdas and arguments of the same call), up to a `;` or the `{` of the enclosing block.
std::size_t statement_start(const std::string& code, std::size_t at) {
  int depth = 0;
  for (std::size_t i = at; i-- > 0;) {
    const char c = code[i];
    if (c == ')' || c == ']' || c == '}') {
      ++depth;
    } else if (c == '(' || c == '[' || c == '{') {
      if (depth > 0) --depth;
      else if (c == '{') return i + 1;  // the enclosing block: the statement starts after it
      // an unmatched '(' or '[': `at` is inside a call's arguments; the statement goes on further back
    } else if (c == ';' && depth == 0) {
      return i + 1;
    }
  }
  return 0;
}

std::vector<std::string> dangling_coroutine_lambdas(const std::string& source, const std::string& file_name) {
  if (source.size() > largest_scanned_source) return {};
  const std::string code = code_only(source);
  // [captures](parameters) [mutable] -> [asynclab::]Task<   (bounded: see longest_scanned_line)
  static const std::regex head(
      R"(\[([^\[\];{}]{0,300})\]\s{0,20}\(([^();{}]{0,300})\)\s{0,20}(?:mutable\s{0,20})?->\s{0,20}(?:asynclab::)?Task\s{0,5}<)");
  std::vector<std::string> notes;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), head); it != std::sregex_iterator(); ++it) {
    const std::string captures = (*it)[1].str();
    if (captures.find_first_not_of(" \t\n") == std::string::npos) continue;  // [] captures nothing
    const std::size_t start = static_cast<std::size_t>(it->position());
    std::size_t brace = code.find('{', start + static_cast<std::size_t>(it->length()));
    if (brace == std::string::npos) continue;
    int depth = 0;
    std::size_t end = brace;
    for (; end < code.size(); ++end) {
      if (code[end] == '{') ++depth;
      else if (code[end] == '}' && --depth == 0) break;
    }
    if (end >= code.size()) continue;
    std::size_t after = code.find_first_not_of(" \t\n", end + 1);
    if (after == std::string::npos || code[after] != '(') continue;  // kept, not called on the spot
    // Awaited in the statement that calls it, the lambda outlives its coroutine (safe) — unless the
    // statement spawns it: a spawned task may outlive the statement (a select it loses detaches it).
    const std::size_t statement = statement_start(code, start);
    const std::string before = code.substr(statement, start - statement);
    static const std::regex awaited(R"(\bco_await\b)");
    static const std::regex spawned(R"(\bspawn\s*\()");
    if (std::regex_search(before, awaited) && !std::regex_search(before, spawned)) continue;
    std::string shown = captures;
    shown.erase(std::remove(shown.begin(), shown.end(), '\n'), shown.end());
    notes.push_back(fmt::format(
        "{} line {}: a coroutine lambda with captures ([{}]) is called on the spot, and its task runs after that "
        "statement has ended. The lambda object holds the captures, and it is destroyed at the end of the "
        "statement: the coroutine then reads them from freed memory (C++'s rule; it may even seem to work). "
        "Make it a named function taking them as parameters, which the coroutine copies (lesson 07, step 1).",
        file_name, line_of(code, start), shown));
    if (notes.size() == most_notes_per_source) break;
  }
  return notes;
}

std::vector<std::string> coroutine_reference_parameters(const std::string& source, const std::string& file_name) {
  if (source.size() > largest_scanned_source) return {};
  const std::string code = code_only(source);
  // [asynclab::]Task<...> name(parameters) {   — a coroutine function's definition (bounded)
  static const std::regex definition(
      R"(\b(?:asynclab::)?Task\s{0,5}<[^;{}()]{0,200}>\s{1,20}([A-Za-z_]\w{0,80})\s{0,20}\(([^();{}]{0,400})\)\s{0,20}\{)");
  // One parameter that binds a temporary and is kept by reference: `const T& name` or a string_view.
  // (A parameter's commas are its type's template arguments': the list is split at the others.)
  static const std::regex borrowed(
      R"(^\s*(?:(const\s[^&]{1,120}&)|([^&]{0,60}\bconst\s{0,5}&)|((?:std::)?string_view))\s{0,20}([A-Za-z_]\w{0,80})\s*(?:=.*)?$)");
  std::vector<std::string> notes;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), definition); it != std::sregex_iterator(); ++it) {
    const std::string function = (*it)[1].str();
    std::string parameters = (*it)[2].str();
    std::replace(parameters.begin(), parameters.end(), '\n', ' ');
    // Split at top-level commas (a parameter's type may hold template arguments with commas).
    std::vector<std::string> each(1);
    int angle = 0;
    for (char c : parameters) {
      if (c == '<') ++angle;
      if (c == '>') --angle;
      if (c == ',' && angle == 0) each.emplace_back();
      else each.back() += c;
    }
    for (const std::string& parameter : each) {
      std::smatch m;
      if (!std::regex_match(parameter, m, borrowed)) continue;
      std::string type = parameter.substr(0, static_cast<std::size_t>(m.position(4)));
      while (!type.empty() && type.back() == ' ') type.pop_back();
      while (!type.empty() && type.front() == ' ') type.erase(type.begin());
      notes.push_back(fmt::format(
          "{} line {}: the coroutine {} takes {} as `{}`. A coroutine keeps the reference, not the value: if what "
          "it refers to is a temporary (a string literal, a `url + \"...\"`), or dies before the coroutine is done "
          "(it was spawned, or stored), the coroutine reads freed memory. Take it by value, which the coroutine "
          "copies into its frame (C++ Core Guidelines CP.53).",
          file_name, line_of(code, static_cast<std::size_t>(it->position())), function, m[4].str(), type));
      if (notes.size() == most_notes_per_source) return notes;
    }
  }
  return notes;
}

std::vector<std::string> learner_notes(const fs::path& exercise_dir, const fs::path& exercise_file,
                                       const std::string& build_log, const std::optional<fs::path>& trace) {
  const std::string source = read_text(exercise_file);
  std::vector<std::string> notes = dangling_coroutine_lambdas(source, exercise_file.filename().string());
  for (auto& n : coroutine_reference_parameters(source, exercise_file.filename().string())) notes.push_back(std::move(n));
  for (auto& n : compiler_warnings(build_log, exercise_dir)) notes.push_back(std::move(n));
  if (trace)
    for (auto& n : run_lints(*trace)) notes.push_back(std::move(n));
  return notes;
}

}  // namespace asynclab::grading
