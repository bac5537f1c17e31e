#pragma once
// The "API" window: the API reference (lessons/api.md, engine/api_reference.hpp) beside the
// exercises — a filtered list of the runtime's types and functions on the left, the chosen one's
// table (C++, its Rust name, what it does) on the right. `asynclab doc NAME` prints the same
// sections in a terminal.
//
// Rules:
// * The file is read once, when the window first opens; a broken file is said in the window (with
//   its line), and the rest of the GUI goes on.
// * The filter matches a name, an `also:` name or the Rust name, ignoring case: typing "oneshot"
//   or "tokio::time" narrows the list.
#include <optional>
#include <string>
#include <string_view>

#include "engine/api_reference.hpp"
#include "engine/markdown.hpp"

namespace asynclab::vis {

struct ApiWindowState {
  bool show = false;
  bool loaded = false;
  std::optional<lessons::ApiReference> reference;
  std::string error;
  std::string filter;
  std::size_t selected = 0;
  std::size_t parsed_of = static_cast<std::size_t>(-1);  // the entry parsed into `section`
  lessons::MarkdownDoc section;
};

// Shows the window on the entry `name` names (as `asynclab doc NAME` finds it). False, with the
// window open on the entry it showed before, when nothing or several entries answer to it.
bool show_api_entry(ApiWindowState& state, std::string_view name);
void show_api_window(ApiWindowState& state, bool* open);

}  // namespace asynclab::vis
