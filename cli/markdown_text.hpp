#pragma once
// A lesson step's Markdown, printed in a terminal: headings bold, *emphasis* in italics, `code` and
// code blocks coloured, lists indented, "Notice:" call-outs in a box, the seeds' Rust beside the
// scenario's C++ when the terminal is wide enough (one after the other when it is not), and
// paragraphs wrapped to the width. Without colour the same layout in plain text.
#include <ostream>
#include <string_view>

namespace asynclab::cli {

struct MarkdownStyle {
  int columns = 100;
  bool color = false;
};

void print_markdown(std::string_view markdown, const MarkdownStyle& style, std::ostream& out);

}  // namespace asynclab::cli
