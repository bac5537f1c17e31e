// Markdown in the terminal. See markdown_text.hpp.
#include "markdown_text.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/markdown.hpp"
#include "invocation.hpp"

namespace asynclab::cli {

namespace {

using lessons::Block;
using lessons::BlockKind;
using lessons::Callout;
using lessons::Span;

// Terminal columns of UTF-8 text: one per code point (lessons use no wide glyphs).
std::size_t columns_of(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

struct Sgr {
  bool on;
  std::string operator()(std::string_view code) const { return on ? fmt::format("\x1b[{}m", code) : ""; }
};

// Word-wraps styled spans into lines of at most `width` columns; each line carries its own SGR codes.
std::vector<std::string> wrap_spans(const std::vector<Span>& spans, std::size_t width, const Sgr& sgr,
                                    std::string_view base = "") {
  std::vector<std::string> lines;
  std::string line;
  std::size_t used = 0;
  auto flush = [&] {
    lines.push_back(line);
    line.clear();
    used = 0;
  };
  for (const auto& span : spans) {
    std::string style;
    if (span.strong) style += sgr("1");
    if (span.emphasis) style += sgr("3");
    if (span.code) style += sgr("36");
    if (!span.link.empty()) style += sgr("4");
    const std::string reset = style.empty() ? "" : sgr("0") + std::string(base);
    std::size_t i = 0;
    const std::string& text = span.text;
    while (i < text.size()) {
      if (text[i] == '\n') {
        flush();
        ++i;
        continue;
      }
      if (text[i] == ' ') {
        if (used > 0 && used < width) {
          line += ' ';
          ++used;
        }
        ++i;
        continue;
      }
      auto end = text.find_first_of(" \n", i);
      if (end == std::string::npos) end = text.size();
      std::string_view word(text.data() + i, end - i);
      const auto w = columns_of(word);
      if (used > 0 && used + w > width) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        flush();
      }
      line += style;
      line += word;
      line += reset;
      used += w;
      i = end;
    }
    if (!span.link.empty() && span.link != span.text) {
      std::string target = fmt::format(" <{}>", span.link);
      if (used + columns_of(target) > width) flush();
      line += target;
      used += columns_of(target);
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

// Columns of text that may carry SGR escape codes (which take no room on screen).
std::size_t visible_columns(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// Narrows the widest of a table's columns, a column at a time, until the table (two spaces before
// it and between columns) fits in `width`, or every column is down to a readable minimum.
void shrink_to_fit(std::vector<std::size_t>& widths, std::size_t width) {
  constexpr std::size_t narrowest = 12;
  const std::size_t gaps = 2 * widths.size();
  auto total = [&] {
    std::size_t sum = gaps;
    for (auto w : widths) sum += w;
    return sum;
  };
  while (total() > width) {
    auto widest = std::max_element(widths.begin(), widths.end());
    if (widest == widths.end() || *widest <= narrowest) break;
    --*widest;
  }
}

std::vector<std::string> code_lines(const std::string& code) {
  std::vector<std::string> lines;
  std::istringstream in(code);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string pad(std::string s, std::size_t width) {
  const auto w = columns_of(s);
  if (w < width) s.append(width - w, ' ');
  return s;
}

// Cuts to `width` columns, marking the cut with '…'.
std::string clip(const std::string& s, std::size_t width) {
  if (columns_of(s) <= width) return s;
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < s.size() && used + 1 < width;) {
    std::size_t len = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) len = 4; else if (c >= 0xE0) len = 3; else if (c >= 0xC0) len = 2;
    out.append(s, i, len);
    i += len;
    ++used;
  }
  return out + "…";
}

void print_code(const Block& code, std::size_t width, const Sgr& sgr, std::ostream& out) {
  const std::string label = code.language.empty() ? "" : fmt::format(" {} ", code.language == "cpp" ? "C++" : code.language == "rust" ? "Rust" : code.language);
  out << "  " << sgr("2") << "╭─" << label << sgr("0") << "\n";
  for (const auto& l : code_lines(code.code)) out << "  " << sgr("2") << "│ " << sgr("0") << sgr("36") << clip(l, width - 4) << sgr("0") << "\n";
  out << "  " << sgr("2") << "╰─" << sgr("0") << "\n";
}

void print_side_by_side(const Block& rust, const Block& cpp, std::size_t width, const Sgr& sgr, std::ostream& out) {
  auto left = code_lines(rust.code), right = code_lines(cpp.code);
  std::size_t left_width = 0, right_width = 0;
  for (const auto& l : left) left_width = std::max(left_width, columns_of(l));
  for (const auto& l : right) right_width = std::max(right_width, columns_of(l));
  left_width = std::max<std::size_t>(left_width, 12);
  // Two columns when both fit with their frames ("  │ " + text + "  │ " + text); else one after another.
  if (2 + 2 + left_width + 3 + 2 + right_width > width) {
    print_code(rust, width, sgr, out);
    print_code(cpp, width, sgr, out);
    return;
  }
  out << "  " << sgr("2") << pad("╭─ Rust (the seeds) ", left_width + 5) << "╭─ C++ (asynclab) " << sgr("0") << "\n";
  for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
    const std::string l = i < left.size() ? left[i] : "", r = i < right.size() ? right[i] : "";
    out << "  " << sgr("2") << "│ " << sgr("0") << sgr("33") << pad(l, left_width) << sgr("0") << "   " << sgr("2")
        << "│ " << sgr("0") << sgr("36") << r << sgr("0") << "\n";
  }
  out << "  " << sgr("2") << pad("╰─", left_width + 5) << "╰─" << sgr("0") << "\n";
}

}  // namespace

void print_markdown(std::string_view markdown, const MarkdownStyle& style, std::ostream& out) {
  // `asynclab run 08` in a lesson reads as the learner starts asynclab (invocation.hpp).
  const auto doc = lessons::parse_markdown(with_invocation(markdown));
  const Sgr sgr{style.color};
  const std::size_t width = static_cast<std::size_t>(std::max(style.columns, 40));
  const auto pairs = lessons::side_by_side_pairs(doc);
  for (std::size_t i = 0; i < doc.blocks.size(); ++i) {
    const Block& b = doc.blocks[i];
    const bool callout = b.callout != Callout::none;
    const std::string bar = callout ? (b.callout == Callout::notice ? sgr("33") + "┃ " + sgr("0") : sgr("2") + "│ " + sgr("0")) : "";
    const std::size_t inner = width - (callout ? 2 : 0);
    switch (b.kind) {
      case BlockKind::heading:
        for (const auto& l : wrap_spans(b.spans, inner, sgr, sgr("1"))) out << bar << sgr("1") << l << sgr("0") << "\n";
        break;
      case BlockKind::paragraph:
        for (const auto& l : wrap_spans(b.spans, inner, sgr)) out << bar << l << "\n";
        break;
      case BlockKind::list_item: {
        const std::size_t indent = 2 * static_cast<std::size_t>(std::max(b.level, 1));
        const std::string marker = !b.first_in_item ? "" : b.number > 0 ? fmt::format("{}. ", b.number) : "• ";
        const std::size_t hang = indent + (b.number > 0 ? 3 : 2);
        auto lines = wrap_spans(b.spans, inner > hang + 10 ? inner - hang : 10, sgr);
        for (std::size_t k = 0; k < lines.size(); ++k)
          out << bar << std::string(k == 0 ? indent : hang, ' ') << (k == 0 ? marker : "") << lines[k] << "\n";
        // A list's items sit together: no blank line until the list ends.
        if (i + 1 < doc.blocks.size() && doc.blocks[i + 1].kind == BlockKind::list_item) continue;
        break;
      }
      case BlockKind::code:
        if (std::ranges::find(pairs, i) != pairs.end()) {
          print_side_by_side(b, doc.blocks[i + 1], width, sgr, out);
          ++i;
        } else {
          print_code(b, width, sgr, out);
        }
        break;
      case BlockKind::table_row: {
        // Columns as wide as their widest cell in this table; when the table is wider than the
        // terminal, the widest columns give way and their cells wrap onto more lines.
        std::vector<std::size_t> widths;
        std::size_t end = i;
        while (end < doc.blocks.size() && doc.blocks[end].kind == BlockKind::table_row && doc.blocks[end].table == b.table) {
          const auto& row = doc.blocks[end];
          widths.resize(std::max(widths.size(), row.cells.size()));
          for (std::size_t c = 0; c < row.cells.size(); ++c) {
            std::string text;
            for (const auto& s : row.cells[c]) text += s.text;
            widths[c] = std::max(widths[c], columns_of(text));
          }
          ++end;
        }
        shrink_to_fit(widths, inner);
        for (; i < end; ++i) {
          const auto& row = doc.blocks[i];
          std::vector<std::vector<std::string>> cell_lines(row.cells.size());
          std::size_t height = 1;
          for (std::size_t c = 0; c < row.cells.size(); ++c) {
            std::vector<Span> spans = row.cells[c];
            if (row.header_row)
              for (auto& span : spans) span.strong = true;
            cell_lines[c] = wrap_spans(spans, widths[c], sgr);
            height = std::max(height, cell_lines[c].size());
          }
          for (std::size_t k = 0; k < height; ++k) {
            std::string line = "  ";
            for (std::size_t c = 0; c < cell_lines.size(); ++c) {
              const std::string cell = k < cell_lines[c].size() ? cell_lines[c][k] : std::string();
              const bool last = c + 1 == cell_lines.size();
              line += last ? cell : cell + std::string(widths[c] - std::min(widths[c], visible_columns(cell)) + 2, ' ');
            }
            out << bar << line << "\n";
          }
          if (row.header_row) {
            std::string rule = "  ";
            for (auto w : widths) rule += std::string(w, '-') + "  ";
            while (!rule.empty() && rule.back() == ' ') rule.pop_back();
            out << bar << sgr("2") << clip(rule, inner) << sgr("0") << "\n";
          }
        }
        --i;
        break;
      }
      case BlockKind::rule: out << sgr("2") << std::string(std::min<std::size_t>(width, 60), '-') << sgr("0") << "\n"; break;
    }
    // A blank line between blocks; inside one call-out, the bar continues.
    const bool next_same_callout = callout && i + 1 < doc.blocks.size() && doc.blocks[i + 1].callout == b.callout;
    out << (next_same_callout ? bar : "") << "\n";
  }
}

}  // namespace asynclab::cli
