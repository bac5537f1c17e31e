#pragma once
// Markdown, parsed into blocks a renderer can walk: the GUI's lesson pane draws them with ImGui, the
// terminal runner prints them with ANSI styles. md4c (Debian's libmd4c) does the parsing; this is the
// small document model on top.
//
// Rules:
// * Supported: headings, paragraphs, emphasis, strong, inline code, links (text kept, target kept),
//   bullet and numbered lists (nested), fenced code blocks with their language, block quotes, tables,
//   thematic breaks. HTML (the lesson directives are HTML comments) is dropped: it is for the player,
//   not the reader.
// * A block quote whose text starts with "Notice:" is a `notice` call-out; other quotes are `quote`.
//   Blocks inside a quote carry quote_depth > 0 and the call-out's kind.
// * Soft line breaks become spaces; hard breaks become '\n' inside the span text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asynclab::lessons {

struct Span {
  std::string text;
  bool strong = false;
  bool emphasis = false;
  bool code = false;
  std::string link;  // the target when the span is inside a link
};

enum class BlockKind { heading, paragraph, list_item, code, table_row, rule };
enum class Callout { none, quote, notice };

struct Block {
  BlockKind kind = BlockKind::paragraph;
  int level = 0;            // heading: 1..6; list_item: nesting depth (1 = top level)
  int number = 0;           // list_item in a numbered list: its number (0 in a bullet list)
  bool first_in_item = true;  // list_item: false for a second paragraph inside the same item
  Callout callout = Callout::none;
  std::string language;     // code: "rust", "cpp", ...
  std::string code;         // code: the text, ending in '\n'
  std::vector<Span> spans;  // heading, paragraph, list_item
  std::vector<std::vector<Span>> cells;  // table_row
  bool header_row = false;               // table_row: the table's head
  int table = 0;                         // table_row: which table of the document (1-based)

  std::string plain_text() const;  // spans (or cells, tab-separated) without styles
};

struct MarkdownDoc {
  std::vector<Block> blocks;
};

// Never fails: Markdown has no syntax errors; anything md4c cannot place stays as text.
MarkdownDoc parse_markdown(std::string_view text);

// Where a ```rust block is followed directly by a ```cpp block: the index of the rust block of each
// such pair, which renderers draw side by side.
std::vector<std::size_t> side_by_side_pairs(const MarkdownDoc& doc);

}  // namespace asynclab::lessons
