// See invocation.hpp.
#include "invocation.hpp"

#include <array>
#include <cstdlib>

namespace asynclab::cli {

namespace {

constexpr std::array<std::string_view, 12> subcommands{"lessons", "run",   "grade", "hint",  "solution", "reset",
                                                        "doc",     "gui",   "trace", "demo",  "info",     "export"};

bool starts_word(std::string_view text, std::size_t at) {
  if (at == 0) return true;
  const char before = text[at - 1];
  return before == ' ' || before == '\n' || before == '\t' || before == '`' || before == '(' || before == '\'' ||
         before == '"' || before == ':';
}

bool names_a_subcommand(std::string_view rest) {
  for (std::string_view word : subcommands)
    if (rest.starts_with(word) && (rest.size() == word.size() || rest[word.size()] == ' ' ||
                                   rest[word.size()] == '`' || rest[word.size()] == '\n' ||
                                   rest[word.size()] == ')' || rest[word.size()] == '\'' || rest[word.size()] == ','))
      return true;
  return false;
}

}  // namespace

std::string invoked_as() {
  const char* env = std::getenv("ASYNCLAB_INVOKED_AS");
  if (env == nullptr || *env == '\0') return "asynclab";
  const std::string_view given(env);
  if (given.size() > 200) return "asynclab";
  bool space = false;
  for (unsigned char c : given) {
    if (c < 0x20 || c == 0x7f || c == '\'') return "asynclab";
    space = space || c == ' ';
  }
  return space ? "'" + std::string(given) + "'" : std::string(given);
}

std::string with_invocation(std::string_view text) {
  const std::string as = invoked_as();
  if (as == "asynclab") return std::string(text);
  constexpr std::string_view name = "asynclab ";
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0;
  for (std::size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    if (!starts_word(text, at) || !names_a_subcommand(text.substr(at + name.size()))) continue;
    out.append(text.substr(from, at - from));
    out += as;
    out += ' ';
    from = at + name.size();
  }
  out.append(text.substr(from));
  return out;
}

}  // namespace asynclab::cli
