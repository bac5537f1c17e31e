// The API reference's parser and its name lookup (see api_reference.hpp for the file's shape).
#include "engine/api_reference.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

namespace asynclab::lessons {
namespace {

// A reference page is a few dozen kilobytes; anything past this is not one.
constexpr std::uintmax_t largest_reference_file = 4u << 20;

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_fence(std::string_view line) {
  line = trim_space(line);
  return line.starts_with("```") || line.starts_with("~~~");
}

// The items of "`a`, `b`": each backticked text, in order; an error when anything else is there.
std::expected<std::vector<std::string>, std::string> backticked_list(std::string_view text) {
  std::vector<std::string> items;
  text = trim_space(text);
  while (!text.empty()) {
    if (text.front() != '`') return std::unexpected(fmt::format("expected `a name in backticks` at \"{}\"", text));
    const auto close = text.find('`', 1);
    if (close == std::string_view::npos) return std::unexpected(fmt::format("a backtick is not closed in \"{}\"", text));
    const std::string_view item = trim_space(text.substr(1, close - 1));
    if (item.empty()) return std::unexpected(std::string("an empty name in backticks"));
    items.emplace_back(item);
    text = trim_space(text.substr(close + 1));
    if (text.empty()) break;
    if (text.front() != ',') return std::unexpected(fmt::format("expected a comma before \"{}\"", text));
    text = trim_space(text.substr(1));
  }
  return items;
}

// "Rust: `X` · header: `a`, `b` · also: `C`" into the entry.
std::expected<void, std::string> parse_metadata(std::string_view line, ApiEntry& entry) {
  static constexpr std::string_view separator = " · ";
  bool have_rust = false;
  while (!line.empty()) {
    const auto cut = line.find(separator);
    const std::string_view field = trim_space(line.substr(0, cut));
    line = cut == std::string_view::npos ? std::string_view() : line.substr(cut + separator.size());
    const auto colon = field.find(':');
    if (colon == std::string_view::npos)
      return std::unexpected(fmt::format("\"{}\" is not a field (Rust:, header: or also:)", field));
    const std::string_view key = trim_space(field.substr(0, colon));
    auto items = backticked_list(field.substr(colon + 1));
    if (!items) return std::unexpected(fmt::format("{}: {}", key, items.error()));
    if (key == "Rust") {
      if (items->size() != 1) return std::unexpected(std::string("Rust: takes exactly one name"));
      entry.rust = items->front();
      have_rust = true;
    } else if (key == "header") {
      entry.headers = std::move(*items);
    } else if (key == "also") {
      entry.also = std::move(*items);
    } else {
      return std::unexpected(fmt::format("unknown field \"{}\" (Rust:, header: or also:)", key));
    }
  }
  if (!have_rust) return std::unexpected(std::string("the metadata line has no Rust: name"));
  if (entry.headers.empty()) return std::unexpected(std::string("the metadata line names no header:"));
  return {};
}

// Markdown's backslash escapes taken out: "JoinHandle\<T\>" is JoinHandle<T>.
std::string markdown_unescaped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && std::ispunct(static_cast<unsigned char>(text[i + 1]))) ++i;
    out += text[i];
  }
  return out;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// How well `query` (normalized) names `candidate` (normalized): 2 = the whole name, 1 = the name
// without some of its leading namespaces, 0 = not at all.
int name_match(std::string_view query, std::string_view candidate) {
  if (query == candidate) return 2;
  if (candidate.size() > query.size() + 2 && candidate.ends_with(query) &&
      candidate.substr(candidate.size() - query.size() - 2, 2) == "::")
    return 1;
  return 0;
}

}  // namespace

std::string normalized_api_name(std::string_view name) {
  name = trim_space(name);
  std::string out;
  int depth = 0;  // inside <...>
  for (char c : name) {
    if (c == '<') ++depth;
    else if (c == '>') depth = std::max(0, depth - 1);
    else if (depth == 0 && !std::isspace(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (out.ends_with("()") || out.ends_with("!")) out.resize(out.size() - (out.ends_with("!") ? 1 : 2));
  if (out.starts_with("asynclab::")) out.erase(0, 10);
  return out;
}

std::expected<ApiReference, std::string> ApiReference::parse(std::string_view text, std::string_view origin) {
  ApiReference ref;
  std::istringstream in{std::string(text)};
  std::string line;
  std::size_t number = 0;
  bool in_code = false;
  bool want_metadata = false;  // the line after a heading (blank lines skipped) is its metadata
  std::string* into = &ref.intro_;
  std::unordered_map<std::string, std::size_t> heading_lines;  // normalized heading → its line
  auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("{} line {}: {}", origin, number, why));
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find('\0') != std::string::npos) return fail("a NUL byte: this is not a text file");
    if (want_metadata) {
      if (trim_space(line).empty()) {
        *into += line + "\n";
        continue;
      }
      ApiEntry& entry = ref.entries_.back();
      if (!trim_space(line).starts_with("Rust:"))
        return fail(fmt::format("the line after \"## {}\" must be its metadata: Rust: `...` · header: `...`", entry.name));
      if (auto parsed = parse_metadata(trim_space(line), entry); !parsed) return fail(parsed.error());
      want_metadata = false;
      *into += line + "\n";
      continue;
    }
    if (is_fence(line)) in_code = !in_code;
    if (!in_code && line.starts_with("## ")) {
      std::string_view name = trim_space(std::string_view(line).substr(3));
      // "## JoinHandle\<T\>" or "## `JoinHandle<T>`": escaped or in backticks, <T> is not read
      // as HTML by a Markdown renderer; the name is what is left.
      if (name.size() >= 2 && name.front() == '`' && name.back() == '`') name = trim_space(name.substr(1, name.size() - 2));
      const std::string unescaped = markdown_unescaped(name);
      name = unescaped;
      if (name.empty()) return fail("a heading with no name");
      const auto [seen, fresh] = heading_lines.try_emplace(normalized_api_name(name), number);
      if (!fresh) return fail(fmt::format("\"{}\" is already the heading of line {}", name, seen->second));
      ApiEntry entry;
      entry.name = std::string(name);
      entry.line = number;
      ref.entries_.push_back(std::move(entry));
      into = &ref.entries_.back().markdown;
      want_metadata = true;
    }
    *into += line + "\n";
  }
  if (want_metadata) return fail(fmt::format("\"## {}\" has no metadata line", ref.entries_.back().name));
  if (in_code) return fail("a code block is not closed");
  if (ref.entries_.empty()) return std::unexpected(fmt::format("{}: no entries (a \"## NAME\" heading each)", origin));
  return ref;
}

std::expected<ApiReference, std::string> ApiReference::load(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    return std::unexpected(fmt::format("no API reference at '{}'", file.string()));
  if (!std::filesystem::is_regular_file(status))
    return std::unexpected(fmt::format("'{}' is not a regular file", file.string()));
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return std::unexpected(fmt::format("cannot read '{}': {}", file.string(), ec.message()));
  if (size > largest_reference_file)
    return std::unexpected(fmt::format("'{}' is too large for an API reference ({} bytes)", file.string(), size));
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("cannot read '{}'", file.string()));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, file.string());
}

std::vector<const ApiEntry*> ApiReference::find(std::string_view query) const {
  const std::string q = normalized_api_name(query);
  if (q.empty()) return {};
  // Score: the heading's whole name 6, its short form 5; an also: name 4 / 3; the Rust name 2 / 1.
  int best = 0;
  std::vector<const ApiEntry*> found;
  for (const auto& e : entries_) {
    int score = 0;
    if (const int m = name_match(q, normalized_api_name(e.name)); m > 0) score = std::max(score, 4 + m);
    for (const auto& a : e.also)
      if (const int m = name_match(q, normalized_api_name(a)); m > 0) score = std::max(score, 2 + m);
    if (const int m = name_match(q, normalized_api_name(e.rust)); m > 0) score = std::max(score, m);
    if (score == 0 || score < best) continue;
    if (score > best) {
      best = score;
      found.clear();
    }
    found.push_back(&e);
  }
  if (!found.empty() || q.find("::") == std::string::npos) return found;
  // A path none of the names spells out ("tokio::sync::oneshot::channel", "std::time::Duration"): its
  // last part, among the entries whose Rust name shares the most of its leading namespaces.
  const std::string last = q.substr(q.rfind("::") + 2);
  const auto segments = [](std::string_view path) {
    std::vector<std::string_view> out;
    for (std::size_t at = 0; at <= path.size();) {
      const auto cut = path.find("::", at);
      out.push_back(path.substr(at, cut == std::string_view::npos ? std::string_view::npos : cut - at));
      if (cut == std::string_view::npos) break;
      at = cut + 2;
    }
    return out;
  };
  const auto query_path = segments(q);
  std::size_t best_shared = 0;
  for (const ApiEntry* e : find(last)) {
    const std::string rust = normalized_api_name(e->rust);
    const auto rust_path = segments(rust);
    std::size_t shared = 0;
    while (shared + 1 < query_path.size() && shared + 1 < rust_path.size() && query_path[shared] == rust_path[shared])
      ++shared;
    if (shared < best_shared) continue;
    if (shared > best_shared) {
      best_shared = shared;
      found.clear();
    }
    found.push_back(e);
  }
  return found;
}

std::string without_template_arguments(std::string_view name) {
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '<') ++depth;
    else if (c == '>') depth = std::max(0, depth - 1);
    else if (depth == 0) out += c;
  }
  return out;
}

std::vector<const ApiEntry*> ApiReference::mentioning(std::string_view word) const {
  word = trim_space(word);
  std::vector<const ApiEntry*> found;
  if (word.empty()) return found;
  for (const auto& e : entries_) {
    const std::string& text = e.markdown;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
      const bool starts = at == 0 || !is_word_char(text[at - 1]);
      const bool ends = at + word.size() == text.size() || !is_word_char(text[at + word.size()]);
      if (starts && ends) {
        found.push_back(&e);
        break;
      }
    }
  }
  return found;
}

}  // namespace asynclab::lessons
