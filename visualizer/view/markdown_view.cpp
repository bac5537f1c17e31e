// See markdown_view.hpp.
//
// Index of this file:
// [SECTION] Flowing styled words
// [SECTION] Blocks
#include "view/markdown_view.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "view/fonts.hpp"
#include "view/ui_report.hpp"
#include "view/palette.hpp"
#include "view/widgets.hpp"

namespace asynclab::vis {

namespace {

using lessons::Block;
using lessons::BlockKind;
using lessons::Callout;
using lessons::Span;

//-----------------------------------------------------------------------------
// [SECTION] Flowing styled words
//-----------------------------------------------------------------------------

ImFont* font_for(const Span& span) {
  if (span.code) return mono_font();
  if (span.strong) return bold_font();
  if (span.emphasis) return italic_font();
  return ImGui::GetFont();
}

// Lays styled words out left to right, wrapping at the content region's right edge, as a browser
// flows inline text. ImGui's own wrapping works on one string in one font; lessons mix faces.
void flow(const std::vector<Span>& spans, ImFont* base_font = nullptr, float indent = 0) {
  const float left = ImGui::GetCursorPosX() + indent;
  // The right edge of what may be drawn in: the window's, or in a table the cell's (ImGui narrows the
  // available region to the column; the window's content region stays the whole window).
  const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
  bool line_empty = true;
  ImGui::SetCursorPosX(left);
  auto new_line = [&] {
    ImGui::NewLine();
    ImGui::SetCursorPosX(left);
    line_empty = true;
  };
  for (const Span& span : spans) {
    ImFont* font = base_font != nullptr && !span.code ? base_font : font_for(span);
    ImGui::PushFont(font);
    const palette::Rgba colour = span.code ? palette::code_text
                                 : !span.link.empty() ? palette::accent_text
                                                      : palette::Rgba{1, 1, 1, 1};
    const bool tinted = span.code || !span.link.empty();
    if (tinted) ImGui::PushStyleColor(ImGuiCol_Text, colour.vec());
    std::string_view text = span.text;
    // A code span keeps its inner spaces unless it is wider than a whole line (a long call in a
    // narrow table column): then it breaks at its spaces as prose does.
    const bool whole_code =
        span.code && ImGui::CalcTextSize(text.data(), text.data() + text.size()).x <= right - left;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == '\n') {
        new_line();
        ++i;
        continue;
      }
      // A word and the spaces after it travel together; a code span keeps its inner spaces.
      std::size_t end = whole_code ? text.size() : text.find(' ', i);
      end = end == std::string_view::npos ? text.size() : end;
      while (end < text.size() && text[end] == ' ') ++end;
      const auto nl = text.find('\n', i);
      if (nl != std::string_view::npos && nl < end) end = nl;
      std::string_view word = text.substr(i, end - i);
      const ImVec2 size = ImGui::CalcTextSize(word.data(), word.data() + word.size());
      if (!line_empty) {
        ImGui::SameLine(0, 0);
        if (ImGui::GetCursorPosX() + size.x > right) new_line();
      }
      if (line_empty) {  // no spaces at the start of a line
        while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
      }
      if (span.code) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const ImVec2 box = ImGui::CalcTextSize(word.data(), word.data() + word.size());
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x - 1, at.y), ImVec2(at.x + box.x + 1, at.y + box.y),
                                                  palette::code_background.u32(), 3.0f);
      }
      ImGui::TextUnformatted(word.data(), word.data() + word.size());
      line_empty = false;
      i = end;
    }
    if (tinted) ImGui::PopStyleColor();
    ImGui::PopFont();
  }
}

std::string plain(const std::vector<Span>& spans) {
  std::string out;
  for (const auto& s : spans) out += s.text;
  return out;
}

//-----------------------------------------------------------------------------
// [SECTION] Blocks
//-----------------------------------------------------------------------------

void code_panel(const Block& code, const char* id, float width, std::string_view caption) {
  ImGui::PushFont(mono_font());
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const std::size_t lines = std::max<std::size_t>(1, std::ranges::count(code.code, '\n'));
  const float caption_h = caption.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette::code_background.vec());
  ImGui::BeginChild(id, ImVec2(width, caption_h + line * static_cast<float>(lines) + 2 * ImGui::GetStyle().WindowPadding.y),
                    false, ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  if (!caption.empty()) ImGui::TextColored(palette::muted_text.vec(), "%.*s", static_cast<int>(caption.size()), caption.data());
  ImGui::PushStyleColor(ImGuiCol_Text, palette::code_text.vec());
  ImGui::TextUnformatted(code.code.data(), code.code.data() + code.code.size());
  ImGui::PopStyleColor();
  ImGui::EndChild();
  ImGui::PopStyleColor();
  ImGui::PopFont();
  ui_report::text(code.code);
}

// The width the rows [begin, end) of a table would take with no cell wrapped: per column, its widest
// cell, spans measured in their own faces.
float table_content_width(const lessons::MarkdownDoc& doc, std::size_t begin, std::size_t end, std::size_t columns) {
  std::vector<float> widest(columns, 0.0f);
  for (std::size_t r = begin; r < end; ++r) {
    const auto& cells = doc.blocks[r].cells;
    for (std::size_t c = 0; c < cells.size() && c < columns; ++c) {
      float width = 0;
      for (const Span& span : cells[c]) {
        ImGui::PushFont(font_for(span));
        width += ImGui::CalcTextSize(span.text.data(), span.text.data() + span.text.size()).x;
        ImGui::PopFont();
      }
      widest[c] = std::max(widest[c], width);
    }
  }
  float total = 0;
  for (float w : widest) total += w + 2 * ImGui::GetStyle().CellPadding.x;
  return total;
}

// The width of a code block's longest line in the monospace face.
float code_width(const Block& code) {
  ImGui::PushFont(mono_font());
  float widest = 0;
  std::size_t start = 0;
  while (start < code.code.size()) {
    std::size_t end = code.code.find('\n', start);
    if (end == std::string::npos) end = code.code.size();
    widest = std::max(widest, ImGui::CalcTextSize(code.code.data() + start, code.code.data() + end).x);
    start = end + 1;
  }
  ImGui::PopFont();
  return widest + 2 * ImGui::GetStyle().WindowPadding.x;
}

std::string_view language_caption(const std::string& language) {
  if (language == "rust") return "Rust — the seeds";
  if (language == "cpp" || language == "c++") return "C++ — asynclab";
  return language;
}

}  // namespace

bool has_notice(const lessons::MarkdownDoc& doc) {
  return std::ranges::any_of(doc.blocks, [](const Block& b) { return b.callout == Callout::notice; });
}

void show_markdown(const lessons::MarkdownDoc& doc, MarkdownPart part) {
  const auto pairs = lessons::side_by_side_pairs(doc);
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  for (std::size_t i = 0; i < doc.blocks.size(); ++i) {
    const Block& b = doc.blocks[i];
    const bool notice_block = b.callout == Callout::notice;
    if ((part == MarkdownPart::body && notice_block) || (part == MarkdownPart::notice && !notice_block)) continue;
    ImGui::PushID(static_cast<int>(i));

    // A call-out: its blocks drawn inside a framed box with a coloured bar on the left.
    std::size_t callout_end = i;
    if (b.callout != Callout::none) {
      while (callout_end + 1 < doc.blocks.size() && doc.blocks[callout_end + 1].callout == b.callout) ++callout_end;
      const bool notice = b.callout == Callout::notice;
      const ImVec2 top = ImGui::GetCursorScreenPos();
      ImDrawList* draw = ImGui::GetWindowDrawList();
      draw->ChannelsSplit(2);
      draw->ChannelsSetCurrent(1);
      ImGui::Indent(14.0f);
      ImGui::Dummy(ImVec2(0, 2));
      std::string said;
      for (std::size_t k = i; k <= callout_end; ++k) {
        flow(doc.blocks[k].spans);
        said += (said.empty() ? "" : "\n") + plain(doc.blocks[k].spans);
      }
      ImGui::Dummy(ImVec2(0, 2));
      ImGui::Unindent(14.0f);
      const ImVec2 bottom(top.x + ImGui::GetContentRegionAvail().x, ImGui::GetCursorScreenPos().y);
      draw->ChannelsSetCurrent(0);
      draw->AddRectFilled(top, bottom, (notice ? palette::notice_background : palette::code_background).u32(), 4.0f);
      draw->AddRectFilled(top, ImVec2(top.x + 4, bottom.y), (notice ? palette::pending : palette::muted_text).u32());
      draw->ChannelsMerge();
      ui_report::text(said);
      report_if_cut(said, top, bottom);
      i = callout_end;
      ImGui::Dummy(ImVec2(0, gap));
      ImGui::PopID();
      continue;
    }

    const ImVec2 block_top = ImGui::GetCursorScreenPos();
    switch (b.kind) {
      case BlockKind::heading:
        flow(b.spans, heading_font());
        ui_report::text(plain(b.spans));
        break;
      case BlockKind::paragraph:
        flow(b.spans);
        ui_report::text(plain(b.spans));
        break;
      case BlockKind::list_item: {
        const float indent = ImGui::GetFontSize() * 1.2f * static_cast<float>(std::max(b.level, 1));
        if (b.first_in_item) {
          const std::string marker = b.number > 0 ? fmt::format("{}.", b.number) : "•";
          ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent - ImGui::CalcTextSize(marker.c_str()).x - 6);
          ImGui::TextUnformatted(marker.c_str());
          ImGui::SameLine(0, 6);
          ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMin().x + indent);
          const float x = ImGui::GetCursorPosX();
          // flow() wraps back to where it started: the item's text column.
          ImGui::SetCursorPosX(x);
          ImGui::BeginGroup();
          flow(b.spans);
          ImGui::EndGroup();
        } else {
          ImGui::Indent(indent);
          flow(b.spans);
          ImGui::Unindent(indent);
        }
        ui_report::text(plain(b.spans));
        // Items of one list sit close together.
        if (i + 1 < doc.blocks.size() && doc.blocks[i + 1].kind == BlockKind::list_item) {
          ImGui::PopID();
          continue;
        }
        break;
      }
      case BlockKind::code:
        if (std::ranges::find(pairs, i) != pairs.end()) {
          // Side by side when both fit; else the Rust above the C++, each whole (a narrow pane).
          const Block& cpp = doc.blocks[i + 1];
          const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
          if (std::max(code_width(b), code_width(cpp)) <= half) {
            code_panel(b, "left", half, language_caption(b.language));
            ImGui::SameLine();
            code_panel(cpp, "right", half, language_caption(cpp.language));
          } else {
            code_panel(b, "left", ImGui::GetContentRegionAvail().x, language_caption(b.language));
            code_panel(cpp, "right", ImGui::GetContentRegionAvail().x, language_caption(cpp.language));
          }
          ++i;
        } else {
          code_panel(b, "code", ImGui::GetContentRegionAvail().x, language_caption(b.language));
        }
        break;
      case BlockKind::table_row: {
        std::size_t end = i;
        std::size_t columns = 0;
        while (end < doc.blocks.size() && doc.blocks[end].kind == BlockKind::table_row &&
               doc.blocks[end].table == b.table) {
          columns = std::max(columns, doc.blocks[end].cells.size());
          ++end;
        }
        // Columns share the width in proportion to their contents when the table fits; a table wider
        // than the pane (the API reference's, in presentation mode) gives each column the same
        // share, so no column is squeezed to a word per line while another keeps a long call whole.
        const bool too_wide = table_content_width(doc, i, end, columns) > ImGui::GetContentRegionAvail().x;
        if (columns > 0 && ImGui::BeginTable("table", static_cast<int>(columns),
                                             ImGuiTableFlags_Borders | (too_wide ? ImGuiTableFlags_SizingStretchSame
                                                                                 : ImGuiTableFlags_SizingStretchProp))) {
          for (std::size_t r = i; r < end; ++r) {
            const Block& row = doc.blocks[r];
            ImGui::TableNextRow(row.header_row ? ImGuiTableRowFlags_Headers : 0);
            for (std::size_t c = 0; c < row.cells.size(); ++c) {
              ImGui::TableSetColumnIndex(static_cast<int>(c));
              ImGui::PushID(static_cast<int>(r * 64 + c));
              if (row.header_row) ImGui::PushFont(bold_font());
              flow(row.cells[c]);
              if (row.header_row) ImGui::PopFont();
              ImGui::PopID();
            }
            ui_report::text(row.plain_text());
          }
          ImGui::EndTable();
        }
        i = end - 1;
        break;
      }
      case BlockKind::rule: ImGui::Separator(); break;
    }
    if (b.kind == BlockKind::heading || b.kind == BlockKind::paragraph || b.kind == BlockKind::list_item)
      report_if_cut(plain(b.spans), block_top,
                    ImVec2(block_top.x + ImGui::GetContentRegionAvail().x, ImGui::GetCursorScreenPos().y - 1));
    ImGui::Dummy(ImVec2(0, gap));
    ImGui::PopID();
  }
}

}  // namespace asynclab::vis
