// `asynclab doc`: see doc_command.hpp.
#include "doc_command.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine/api_reference.hpp"
#include "engine/catalog.hpp"
#include "exit_codes.hpp"
#include "invocation.hpp"
#include "markdown_text.hpp"

namespace asynclab::cli {

std::filesystem::path api_reference_file() { return lessons::default_lessons_dir() / "api.md"; }

std::expected<std::string, std::string> resolve_doc_name(std::string_view name) {
  const auto reference = lessons::ApiReference::load(api_reference_file());
  if (!reference) return std::unexpected(reference.error());
  const auto found = reference->find(name);
  if (found.size() == 1) return found.front()->name;
  if (found.empty()) return std::unexpected(fmt::format("no entry called '{}' (asynclab doc lists them)", name));
  std::string which;
  for (const auto* e : found) which += (which.empty() ? "" : ", ") + e->name;
  return std::unexpected(fmt::format("'{}' names {} entries: {}", name, found.size(), which));
}

int doc_command(const DocOptions& options, std::ostream& out, std::ostream& err) {
  const auto reference = lessons::ApiReference::load(api_reference_file());
  if (!reference) {
    err << "asynclab doc: " << reference.error() << "\n";
    return exit_failed;
  }
  const MarkdownStyle style{.columns = options.columns, .color = options.color};
  if (options.all) {
    print_markdown(reference->intro(), style, out);
    for (const auto& e : reference->entries()) print_markdown(e.markdown, style, out);
    return exit_ok;
  }
  if (options.name.empty()) {
    out << with_invocation("What each type offers, with its Rust name: asynclab doc NAME shows one (--all: every one).\n\n");
    std::size_t width = 0;
    for (const auto& e : reference->entries()) width = std::max(width, e.name.size());
    width = std::min<std::size_t>(width, 34);
    for (const auto& e : reference->entries()) out << fmt::format("  {:<{}}  {}\n", e.name, width, e.rust);
    return exit_ok;
  }
  const auto found = reference->find(options.name);
  if (found.size() == 1) {
    print_markdown(found.front()->markdown, style, out);
    return exit_ok;
  }
  if (found.size() > 1) {
    out << fmt::format("{} names {} entries; ask for one of them:\n", options.name, found.size());
    for (const auto* e : found)
      out << with_invocation(
          fmt::format("  asynclab doc {:<28}  ({})\n", lessons::without_template_arguments(e->name), e->rust));
    return exit_ok;
  }
  err << fmt::format("asynclab doc: no entry called '{}'.", options.name);
  const auto mentioned = reference->mentioning(options.name);
  if (!mentioned.empty()) {
    err << " It appears in:";
    for (const auto* e : mentioned) err << " " << e->name << (e == mentioned.back() ? "" : ",");
  }
  err << with_invocation("\nasynclab doc (no name) lists every entry.\n");
  return exit_failed;
}

}  // namespace asynclab::cli
