#pragma once
// `asynclab doc [NAME]`: the API reference (lessons/api.md, engine/api_reference.hpp) in the
// terminal — what a type offers, in C++ and in Rust's names.
//
// * No NAME: the list of entries, each with its Rust name, and how to ask for one.
// * NAME: that entry's section (`JoinHandle`, `mpsc::Sender`, `tokio::time::sleep`, `unwrap`...).
//   A name several entries answer to lists them; an unknown name lists the entries that mention it
//   and exits 1.
// * --all: every section, in the file's order.
// Returns an exit status (exit_codes.hpp); a broken reference file is exit 1 with its line.
#include <expected>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

namespace asynclab::cli {

struct DocOptions {
  std::string name;  // empty: the list
  bool all = false;
  int columns = 100;
  bool color = false;
};

std::filesystem::path api_reference_file();
// The one entry `name` names (its heading), or why there is not exactly one — for `gui --doc`.
std::expected<std::string, std::string> resolve_doc_name(std::string_view name);
int doc_command(const DocOptions& options, std::ostream& out, std::ostream& err);

}  // namespace asynclab::cli
