#pragma once
// The API reference (lessons/api.md): what each type a lesson or an exercise uses offers, with the
// Rust name beside each C++ one. `asynclab doc NAME` prints one section; the GUI's "API" window
// shows them with a filter.
//
// Rules:
// * The file is Markdown. Each `## NAME` heading starts an entry (a name with template arguments
//   escapes them, `## JoinHandle\<T\>`, or sits in backticks: Markdown reads a bare <T> as HTML);
//   the first line after it is the
//   entry's metadata, `Rust: `tokio::...` · header: `asynclab/x.hpp` · also: `A`, `B`` (the
//   `also:` part optional, headers one or more, each in backticks). Everything before the first
//   heading is the introduction. A heading inside a code block is text, not an entry.
// * A malformed file is an error naming the line, never a partial reference: a learner asking for
//   JoinHandle must not be told it does not exist because line 40 lost its metadata.
// * find() compares names as a learner types them: case-insensitive, without template arguments
//   or a trailing "()", with or without namespaces (`Sender`, `mpsc::Sender`,
//   `tokio::sync::mpsc::Sender<T>`). The heading beats an `also:` name, which beats the Rust
//   name; a name several entries answer to equally gives all of them (the caller lists them). A
//   path no name spells out (`tokio::sync::oneshot::channel`) finds its last part among the entries
//   whose Rust name shares most of its namespaces.
#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::lessons {

struct ApiEntry {
  std::string name;                  // the heading: "sync::mpsc::Sender<T>"
  std::string rust;                  // "tokio::sync::mpsc::Sender<T>"
  std::vector<std::string> headers;  // "asynclab/sync/mpsc.hpp", relative to runtime/include
  std::vector<std::string> also;     // other names the entry covers: "channel", "SendError"
  std::string markdown;              // the whole section, heading included
  std::size_t line = 0;              // where the heading is (1-based)
};

class ApiReference {
 public:
  // `origin` names the text in errors ("lessons/api.md").
  static std::expected<ApiReference, std::string> parse(std::string_view text, std::string_view origin);
  static std::expected<ApiReference, std::string> load(const std::filesystem::path& file);

  const std::string& intro() const { return intro_; }
  const std::vector<ApiEntry>& entries() const { return entries_; }

  // The entries `query` names (best match first; several when it is ambiguous), or none.
  std::vector<const ApiEntry*> find(std::string_view query) const;
  // Entries whose text mentions `word` as a whole word (for "no entry called recv; it appears in").
  std::vector<const ApiEntry*> mentioning(std::string_view word) const;

 private:
  std::string intro_;
  std::vector<ApiEntry> entries_;
};

// "tokio::sync::mpsc::Sender<T>" → "tokio::sync::mpsc::sender": lower case, no template
// arguments, no trailing "()" or "!" (a macro's), no leading "asynclab::".
std::string normalized_api_name(std::string_view name);
// "sync::mpsc::Sender<T>" → "sync::mpsc::Sender": what to type after `asynclab doc` (a shell reads
// `<T>` as a redirection).
std::string without_template_arguments(std::string_view name);

}  // namespace asynclab::lessons
