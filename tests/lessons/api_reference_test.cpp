// The API reference (lessons/api.md, lessons/engine/api_reference.hpp): the file's shape and its
// errors, finding an entry the way a learner types a name, and the shipped page held to the code —
// every header it names exists, every member its C++ column names is declared in those headers,
// and every runtime type or function an exercise uses has an entry.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/api_reference.hpp"
#include "engine/markdown.hpp"

using asynclab::lessons::ApiEntry;
using asynclab::lessons::ApiReference;
using asynclab::lessons::normalized_api_name;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = ASYNCLAB_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* small_page = R"(# What each type offers

How to read this page.

## `JoinHandle<T>`

Rust: `tokio::task::JoinHandle<T>` · header: `asynclab/spawn.hpp` · also: `JoinError`

What spawn gives back.

| C++ | Rust | What it does |
|---|---|---|
| `co_await handle` | `handle.await` | Waits. |

```cpp
## not a heading: inside a code block
```

## sync::mpsc::Sender\<T\>

Rust: `tokio::sync::mpsc::Sender<T>` · header: `asynclab/sync/mpsc.hpp` · also: `channel`, `SendError`

| C++ | Rust | What it does |
|---|---|---|
| `tx.send(v)` | `tx.send(v).await` | Sends. |

## sync::oneshot::Sender<T>

Rust: `tokio::sync::oneshot::Sender<T>` · header: `asynclab/sync/oneshot.hpp`

| C++ | Rust | What it does |
|---|---|---|
| `tx.send(v)` | `tx.send(v)` | Sends once. |
)";

std::vector<std::string> names(const std::vector<const ApiEntry*>& found) {
  std::vector<std::string> out;
  for (const auto* e : found) out.push_back(e->name);
  return out;
}

std::string parse_error(std::string_view text) {
  auto parsed = ApiReference::parse(text, "api.md");
  return parsed ? std::string("(parsed)") : parsed.error();
}

}  // namespace

TEST_CASE("the reference's entries: heading (its name out of backticks or Markdown escapes), metadata, section "
          "text, a heading in a code block is text",
          "[api-reference]") {
  auto ref = ApiReference::parse(small_page, "api.md");
  REQUIRE(ref);
  REQUIRE(ref->entries().size() == 3);
  const ApiEntry& first = ref->entries()[0];
  CHECK(first.name == "JoinHandle<T>");
  CHECK(first.rust == "tokio::task::JoinHandle<T>");
  CHECK(first.headers == std::vector<std::string>{"asynclab/spawn.hpp"});
  CHECK(first.also == std::vector<std::string>{"JoinError"});
  CHECK(first.line == 5);
  CHECK_THAT(first.markdown, Catch::StartsWith("## `JoinHandle<T>`") && Catch::Contains("not a heading"));
  CHECK(ref->entries()[1].name == "sync::mpsc::Sender<T>");
  CHECK(ref->entries()[1].also == std::vector<std::string>{"channel", "SendError"});
  CHECK(ref->entries()[2].also.empty());
  CHECK_THAT(ref->intro(), Catch::Contains("How to read this page"));
}

TEST_CASE("find() answers to a name as a learner types it", "[api-reference]") {
  auto ref = ApiReference::parse(small_page, "api.md");
  REQUIRE(ref);
  using V = std::vector<std::string>;
  CHECK(names(ref->find("JoinHandle")) == V{"JoinHandle<T>"});
  CHECK(names(ref->find("joinhandle")) == V{"JoinHandle<T>"});
  CHECK(names(ref->find("JoinHandle<int>")) == V{"JoinHandle<T>"});
  CHECK(names(ref->find("asynclab::JoinHandle")) == V{"JoinHandle<T>"});
  CHECK(names(ref->find("tokio::task::JoinHandle")) == V{"JoinHandle<T>"});
  CHECK(names(ref->find("JoinError")) == V{"JoinHandle<T>"});  // an also: name
  CHECK(names(ref->find("channel()")) == V{"sync::mpsc::Sender<T>"});
  CHECK(names(ref->find("mpsc::Sender")) == V{"sync::mpsc::Sender<T>"});
  CHECK(names(ref->find("tokio::sync::oneshot::Sender")) == V{"sync::oneshot::Sender<T>"});
  // Two entries answer equally: both, in the file's order.
  CHECK(names(ref->find("Sender")) == V{"sync::mpsc::Sender<T>", "sync::oneshot::Sender<T>"});
  CHECK(ref->find("Receiver").empty());
  // Rust paths no name spells out: the last part, among the entries sharing most of the namespaces.
  CHECK(names(ref->find("tokio::sync::mpsc::channel")) == V{"sync::mpsc::Sender<T>"});
  CHECK(names(ref->find("tokio::sync::oneshot::Sender")) == V{"sync::oneshot::Sender<T>"});
  CHECK(names(ref->find("tokio::task::spawn_blocking")).empty());  // no such name at all
  CHECK(normalized_api_name("tokio::select!") == "tokio::select");
  CHECK(asynclab::lessons::without_template_arguments("sync::mpsc::Sender<T>") == "sync::mpsc::Sender");
  CHECK(ref->find("").empty());
  CHECK(ref->find("oin").empty());  // a part of a name is not the name
}

TEST_CASE("mentioning() finds whole words in an entry's text", "[api-reference]") {
  auto ref = ApiReference::parse(small_page, "api.md");
  REQUIRE(ref);
  using V = std::vector<std::string>;
  CHECK(names(ref->mentioning("once")) == V{"sync::oneshot::Sender<T>"});
  CHECK(names(ref->mentioning("Sends")) == V{"sync::mpsc::Sender<T>", "sync::oneshot::Sender<T>"});
  CHECK(ref->mentioning("Send").empty());  // only inside longer words ("Sends", "SendError", "Sender")
}

TEST_CASE("a malformed reference is an error that names the line, never a partial page", "[api-reference]") {
  CHECK(parse_error("# Title\n\n## JoinHandle\n\nWhat it is.\n") ==
        "api.md line 5: the line after \"## JoinHandle\" must be its metadata: Rust: `...` · header: `...`");
  CHECK(parse_error("## A\n\nRust: `a` · header: `x.hpp` · see: `b`\n") ==
        "api.md line 3: unknown field \"see\" (Rust:, header: or also:)");
  CHECK(parse_error("## A\nRust: `a`\n") == "api.md line 2: the metadata line names no header:");
  CHECK(parse_error("## A\nheader: `x.hpp`\n") ==
        "api.md line 2: the line after \"## A\" must be its metadata: Rust: `...` · header: `...`");
  CHECK(parse_error("## A\nRust: `a` · header: x.hpp\n") ==
        "api.md line 2: header: expected `a name in backticks` at \"x.hpp\"");
  CHECK(parse_error("## A\nRust: `a` · header: `x.hpp\n") == "api.md line 2: header: a backtick is not closed in \"`x.hpp\"");
  CHECK(parse_error("## A\nRust: `a`, `b` · header: `x.hpp`\n") == "api.md line 2: Rust: takes exactly one name");
  CHECK(parse_error("## A<T>\nRust: `a` · header: `x.hpp`\n## a\nRust: `b` · header: `y.hpp`\n") ==
        "api.md line 3: \"a\" is already the heading of line 1");
  CHECK(parse_error("## A\n\n") == "api.md line 2: \"## A\" has no metadata line");
  CHECK(parse_error("## A\nRust: `a` · header: `x.hpp`\n```cpp\nint x;\n") == "api.md line 4: a code block is not closed");
  CHECK(parse_error("# Only a title\n") == "api.md: no entries (a \"## NAME\" heading each)");
  CHECK(parse_error(std::string_view("## A\0\n", 6)) == "api.md line 1: a NUL byte: this is not a text file");
}

TEST_CASE("load() refuses what is not a reference file, and says where it looked", "[api-reference]") {
  const fs::path dir = fs::temp_directory_path() / "asynclab-api-reference-test";
  fs::create_directories(dir);
  auto missing = ApiReference::load(dir / "nothing.md");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::StartsWith("no API reference at") && Catch::Contains("nothing.md"));
  auto folder = ApiReference::load(dir);
  REQUIRE_FALSE(folder);
  CHECK_THAT(folder.error(), Catch::EndsWith("is not a regular file"));
  fs::remove_all(dir);
}

// --- The shipped page, held to the code -------------------------------------------------------

namespace {

const ApiReference& shipped() {
  static const ApiReference ref = [] {
    auto loaded = ApiReference::load(source_dir / "lessons" / "api.md");
    if (!loaded) FAIL(loaded.error());
    return *loaded;
  }();
  return ref;
}

// The first cell of each body row of the entry's table.
std::vector<std::string> cpp_column(const ApiEntry& e) {
  std::vector<std::string> cells;
  for (const auto& block : asynclab::lessons::parse_markdown(e.markdown).blocks) {
    if (block.kind != asynclab::lessons::BlockKind::table_row || block.header_row || block.cells.empty()) continue;
    std::string text;
    for (const auto& span : block.cells.front()) text += span.text;
    cells.push_back(text);
  }
  return cells;
}

std::string without_comments(std::string text) {
  text = std::regex_replace(text, std::regex(R"(//[^\n]*)"), "");
  return text;
}

}  // namespace

TEST_CASE("the shipped reference: every entry names headers that exist and has a table", "[api-reference]") {
  const auto& ref = shipped();
  CHECK(ref.entries().size() >= 25);
  for (const auto& e : ref.entries()) {
    INFO(e.name << " (lessons/api.md line " << e.line << ")");
    CHECK_FALSE(e.rust.empty());
    for (const auto& h : e.headers) CHECK(fs::is_regular_file(source_dir / "runtime" / "include" / h));
    CHECK_FALSE(cpp_column(e).empty());
  }
}

TEST_CASE("the shipped reference: every member and function its C++ column names is declared in its headers",
          "[api-reference]") {
  // std::expected / std::optional's own members, C++ keywords and std:: names are not the runtime's.
  static const std::set<std::string> not_ours{
      "has_value", "value", "error", "value_or", "co_await", "co_return", "co_yield", "return", "if", "while",
      "for", "auto", "const", "sizeof", "decltype", "operator", "requires", "unexpected", "move", "get",
      "count", "template", "int", "void", "bool", "using", "namespace", "size"};
  const std::regex call(R"(([A-Za-z_]\w*)\s*\()");
  const std::regex member(R"((?:\.|->|::)([A-Za-z_]\w*))");
  const std::regex std_name(R"(std::\w+(?:::\w+)*)");
  for (const auto& e : shipped().entries()) {
    std::string declared;
    for (const auto& h : e.headers) declared += without_comments(slurp(source_dir / "runtime" / "include" / h));
    for (const std::string& cell : cpp_column(e)) {
      const std::string code = std::regex_replace(cell, std_name, "");
      std::set<std::string> named;
      for (auto it = std::sregex_iterator(code.begin(), code.end(), call); it != std::sregex_iterator(); ++it)
        named.insert((*it)[1]);
      for (auto it = std::sregex_iterator(code.begin(), code.end(), member); it != std::sregex_iterator(); ++it)
        named.insert((*it)[1]);
      for (const std::string& name : named) {
        if (not_ours.contains(name)) continue;
        INFO(e.name << " (lessons/api.md line " << e.line << "): `" << cell << "` names " << name);
        CHECK(std::regex_search(declared, std::regex("\\b" + name + "\\b")));
      }
    }
  }
}

TEST_CASE("the shipped reference: every runtime type and function an exercise or its solution uses has an entry",
          "[api-reference]") {
  // The runtime's public names: types and namespace-scope functions declared at the start of a line
  // in its headers (members are indented), outside detail/ and trace/.
  std::set<std::string> public_names;
  const std::regex type_decl(R"(^(?:class|struct|using|enum class)\s+(?:\[\[[^\]]*\]\]\s*)*([A-Za-z_]\w*))");
  const std::regex function_decl(
      R"(^(?:inline\s+|constexpr\s+|\[\[[^\]]*\]\]\s*)*[A-Za-z_][\w:<>,&\*\s]*?\s[&\*]?([a-z_]\w*)\s*\()");
  for (const auto& f : fs::recursive_directory_iterator(source_dir / "runtime" / "include" / "asynclab")) {
    const std::string path = f.path().generic_string();
    if (f.path().extension() != ".hpp" || path.find("/detail/") != std::string::npos ||
        path.find("/trace/") != std::string::npos)
      continue;
    std::istringstream lines(without_comments(slurp(f.path())));
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, type_decl) || std::regex_search(line, m, function_decl))
        public_names.insert(m[1]);
    }
  }
  REQUIRE(public_names.contains("JoinHandle"));
  REQUIRE(public_names.contains("spawn"));
  REQUIRE(public_names.contains("sleep"));

  std::vector<fs::path> learner_files;
  for (const auto& f : fs::recursive_directory_iterator(source_dir / "exercises")) {
    const std::string path = f.path().generic_string();
    const bool exercise_folder = f.path().parent_path().filename().string().substr(0, 2).find_first_not_of("0123456789") ==
                                 std::string::npos;
    const bool solution = path.find("/solutions/") != std::string::npos;
    if ((f.path().extension() == ".cpp" || f.path().extension() == ".hpp") && (exercise_folder || solution) &&
        f.path().filename() != "grade.cpp")
      learner_files.push_back(f.path());
  }
  REQUIRE(learner_files.size() >= 32);
  std::set<std::string> used;
  const std::regex word(R"(\b[A-Za-z_]\w*\b)");
  for (const auto& f : learner_files) {
    const std::string text = without_comments(slurp(f));
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator(); ++it)
      if (public_names.contains(it->str())) used.insert(it->str());
  }
  // Members that share a name with a namespace-scope function, and the runtime's inner workings an
  // exercise file mentions only to implement a future: not looked up by a learner under that name.
  static const std::set<std::string> not_entries{"message", "poll", "files", "requires"};
  REQUIRE(used.contains("Task"));
  for (const std::string& name : used) {
    if (not_entries.contains(name)) continue;
    INFO("an exercise uses " << name << ": asynclab doc " << name << " must find it in lessons/api.md");
    CHECK_FALSE(shipped().find(name).empty());
  }
}
