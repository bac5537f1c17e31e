// See compile_errors.hpp. One table: the pattern of a compiler's error line, and what it means.
#include "compile_errors.hpp"

#include <optional>
#include <regex>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace asynclab::grading {

namespace {

struct KnownError {
  std::regex pattern;  // over the text after "error: "
  // The paragraph; "{0}" in it is the member function the error names in backquotes (when the
  // pattern captures it), else "this call".
  const char* words;
};

// Ordered: the most telling first, since one mistake may produce several errors (Clang reports a
// `return` in a coroutine as a failed conversion to Task, then says "did you mean 'co_return'?").
const std::vector<KnownError>& known_errors() {
  // Futures a learner awaits: a call of an async function, and the runtime's own futures.
  static const std::string future =
      R"((asynclab::)?(Task|JoinHandle|Join|TryJoin|Select|Timeout|Recv|Send|Lock|Acquire|Notified)<)";
  static const std::vector<KnownError> table = [] {
    const auto re = [](const std::string& s) { return std::regex(s, std::regex::ECMAScript | std::regex::optimize); };
    std::vector<KnownError> t;
    t.push_back({re(R"((a 'return' statement is|return statement) not allowed in coroutine)"),
                 "this function is a coroutine (it uses co_await), so it gives its value with `co_return value;`, "
                 "not `return value;` — C++'s way of writing the last expression of an `async fn`."});
    t.push_back({re(R"((co_await|co_return|co_yield)'? cannot be used in a function with a deduced return type|)"
                    R"(unable to find the promise type for this coroutine|deduced return type.*co_(await|return))"),
                 "a lambda that uses co_await or co_return must say what it returns: `[...]() -> Task<int> { ... }` "
                 "(`-> Task<void>` when it returns nothing). C++ cannot work out a coroutine's type the way Rust "
                 "does for an `async move { }` block."});
    t.push_back({re(R"(no viable conversion from returned value of type .* to function return type '(asynclab::)?Task<|)"
                    R"(could not convert .* to '(asynclab::)?Task<)"),
                 "a value is returned where the function's Task is expected: an async function gives its value "
                 "with `co_return value;`, not `return value;`."});
    t.push_back({re(R"(no matching member function for call to 'return_value'|return_value\(.*(Task|JoinHandle|Join)<)"),
                 "`co_return` is given a future, not its value. Await it first: `co_return co_await fetch(...);` "
                 "(in Rust, `fetch(...).await`)."});
    t.push_back({re(R"(cannot decompose (private|inaccessible) member '[^']*futures_'|'(asynclab::)?(Join|TryJoin)<.*' decomposes into)"),
                 "`join(...)` is a future itself: its results exist only once it is awaited. Write "
                 "`auto [a, b] = co_await join(f(), g());` (Rust's `join!(f(), g())` awaits for you)."});
    t.push_back({re("no viable conversion from '" + future + "|conversion from '" + future + R"(.*' to non-scalar type|)" +
                    "cannot convert '" + future + "|no member named '\\w+' in '" + future),
                 "a future is used as if it were its value. Calling an async function (or join, select, a "
                 "JoinHandle) only builds a future, and nothing runs until it is awaited: put `co_await` in "
                 "front, `auto v = co_await fetch(...);` (Rust's `fetch(...).await`)."});
    t.push_back({re("(call to (implicitly-)?deleted (copy )?constructor of|use of deleted function) '" + future),
                 "a future cannot be copied, only moved: Rust moves a future into `select!`, `join!` or "
                 "`spawn`, and C++ wants it said. Pass it with `std::move`, `select(std::move(fut), sleep(1s))`, "
                 "or build it in place, `select(fetch(...), sleep(1s))`. After `std::move(fut)` the variable is "
                 "empty: do not await it again."});
    t.push_back({re(R"('this' argument to member function '(\w+)' has type '[^']*'( \(aka '[^']*'\))?, but function is not marked const|)"
                    R"(passing 'const [^']*'( \{aka '[^']*'\})? as 'this' argument discards qualifiers)"),
                 "{0} changes the object it is called on, but a lambda's captures are const unless the lambda "
                 "is `mutable`: write `[rx = std::move(rx)]() mutable -> Task<void> { ... }` (a Rust `async move` "
                 "block owns what it captures)."});
    t.push_back({re(R"('this' argument to member function '(\w+)' is an lvalue, but function has rvalue ref-qualifier|)"
                    R"(passing '[^c'][^']*'( \{aka '[^']*'\})? as 'this' argument discards qualifiers)"),
                 "{0} uses up the object it is called on, as Rust's `tx.send(v)` takes `self`: write "
                 "`std::move(tx).send(v)`. After that line the sender is gone."});
    return t;
  }();
  return table;
}

struct ErrorLine {
  std::string file;
  int line = 0;
  std::string message;  // after "error: "
};

// A header of the runtime or of the system: an error there was caused by a line of the learner's.
bool library_file(std::string_view path) {
  return path.find("include/asynclab/") != std::string_view::npos || path.starts_with("/usr/");
}

std::vector<ErrorLine> error_lines(const std::string& log) {
  static const std::regex located(R"(^(.*?):(\d+):(?:\d+:)? (?:fatal )?error: (.*)$)");
  // Where a template was used: Clang's "in instantiation of ... requested here" notes come after its
  // error, GCC's "file:line:col:   required from here" lines before it.
  static const std::regex place(R"(^(.*?):(\d+):(?:\d+:)?\s.*$)");
  // std::regex recurses per character in libstdc++: a longer line (an echoed source line of a
  // hostile exercise.cpp) is cut before it is matched.
  constexpr std::size_t longest_line = 4096;
  std::vector<ErrorLine> out;
  bool find_learner_line = false;          // the last error is in a library header: a note after it says where
  std::optional<ErrorLine> required_from;  // GCC: the learner's line the next library error comes from
  std::istringstream lines(log);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.size() > longest_line) l.resize(longest_line);
    // GCC quotes with ‘ ’ where Clang uses ' ': one spelling for the table.
    for (const std::string_view quote : {"‘", "’"})
      for (auto at = l.find(quote); at != std::string::npos; at = l.find(quote, at)) l.replace(at, quote.size(), "'");
    std::smatch m;
    if (std::regex_match(l, m, located)) {
      out.push_back({m[1].str(), std::stoi(m[2].str()), m[3].str()});
      find_learner_line = library_file(out.back().file);
      if (find_learner_line && required_from) {
        out.back().file = required_from->file;
        out.back().line = required_from->line;
        find_learner_line = false;
      }
      required_from.reset();
    } else if (const auto at = l.find("error: "); at != std::string::npos) {
      out.push_back({"", 0, l.substr(at + 7)});
      find_learner_line = false;
      required_from.reset();
    } else if (l.find("required from here") != std::string::npos) {
      if (std::regex_match(l, m, place) && !library_file(m[1].str()))
        required_from = ErrorLine{m[1].str(), std::stoi(m[2].str()), {}};
    } else if (find_learner_line && l.find("requested here") != std::string::npos && std::regex_match(l, m, place) &&
               !library_file(m[1].str())) {
      out.back().file = m[1].str();
      out.back().line = std::stoi(m[2].str());
      find_learner_line = false;
    }
  }
  return out;
}

std::string file_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >" is what the
// linker says; "std::string" is what the learner wrote.
std::string readable_symbol(std::string symbol) {
  static const std::vector<std::pair<std::string, std::string>> spellings = {
      {"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string"},
      {"std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string"},
      {"std::__cxx11::", "std::"},
      {"asynclab::", ""},
  };
  for (const auto& [from, to] : spellings)
    for (auto at = symbol.find(from); at != std::string::npos; at = symbol.find(from, at)) {
      symbol.replace(at, from.size(), to);
      at += to.size();
    }
  return symbol;
}

// A link error: the grader calls a function exercise.cpp declares nowhere, or under another
// signature. The linker's line ("undefined reference to `total_bytes(...)'") names it.
std::optional<CompileErrorExplanation> explain_link_error(const std::string& log) {
  static const std::regex undefined(R"(undefined reference to [`']([^'`\n]{1,2000})')");
  std::smatch m;
  if (!std::regex_search(log, m, undefined)) return std::nullopt;
  CompileErrorExplanation out;
  out.words = fmt::format(
      "the program could not be linked: nothing defines `{}`, which the grader (or your own code) calls. "
      "Is it still in exercise.cpp, with the same name and the same parameter types, outside any "
      "namespace? Renaming it, changing a parameter, or leaving only its declaration gives this error.",
      readable_symbol(m[1].str()));
  return out;
}

}  // namespace

std::optional<CompileErrorExplanation> explain_compile_error(const std::string& log) {
  if (auto link = explain_link_error(log)) return link;
  const std::vector<ErrorLine> errors = error_lines(log);
  for (const KnownError& known : known_errors()) {
    for (const ErrorLine& e : errors) {
      std::smatch m;
      if (!std::regex_search(e.message, m, known.pattern)) continue;
      // The member function, from whichever alternative matched (GCC's message does not name it).
      std::string member = "this call";
      for (std::size_t g = m.size(); g-- > 1;)
        if (m[g].matched && !m[g].str().empty() && m[g].str().find_first_not_of(
                                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                                                       std::string::npos) {
          member = "`" + m[g].str() + "`";
          break;
        }
      CompileErrorExplanation out;
      out.file = file_name(e.file);
      out.line = e.line;
      const std::string where = e.line > 0 ? fmt::format("{} line {}: ", out.file, e.line) : std::string();
      std::string words = known.words;
      if (const auto at = words.find("{0}"); at != std::string::npos) words.replace(at, 3, member);
      out.words = where + words;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace asynclab::grading
