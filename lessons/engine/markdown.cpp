// Markdown via md4c. See markdown.hpp.
#include "engine/markdown.hpp"

#include <md4c.h>

namespace asynclab::lessons {

namespace {

// md4c calls back block by block and span by span; this builder keeps the stacks of what is open.
class Builder {
 public:
  MarkdownDoc doc;

  static int enter_block(MD_BLOCKTYPE type, void* detail, void* self) {
    return static_cast<Builder*>(self)->enter(type, detail);
  }
  static int leave_block(MD_BLOCKTYPE type, void*, void* self) { return static_cast<Builder*>(self)->leave(type); }
  static int enter_span(MD_SPANTYPE type, void* detail, void* self) {
    auto* b = static_cast<Builder*>(self);
    switch (type) {
      case MD_SPAN_STRONG: ++b->strong_; break;
      case MD_SPAN_EM: ++b->emphasis_; break;
      case MD_SPAN_CODE: ++b->code_span_; break;
      case MD_SPAN_A: {
        auto* a = static_cast<MD_SPAN_A_DETAIL*>(detail);
        b->link_.assign(a->href.text, a->href.size);
        break;
      }
      default: break;
    }
    return 0;
  }
  static int leave_span(MD_SPANTYPE type, void*, void* self) {
    auto* b = static_cast<Builder*>(self);
    switch (type) {
      case MD_SPAN_STRONG: --b->strong_; break;
      case MD_SPAN_EM: --b->emphasis_; break;
      case MD_SPAN_CODE: --b->code_span_; break;
      case MD_SPAN_A: b->link_.clear(); break;
      default: break;
    }
    return 0;
  }
  static int text(MD_TEXTTYPE type, const MD_CHAR* data, MD_SIZE size, void* self) {
    static_cast<Builder*>(self)->add_text(type, std::string_view(data, size));
    return 0;
  }

 private:
  struct ListLevel {
    bool ordered = false;
    int next = 1;
  };

  int enter(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_QUOTE:
        ++quote_depth_;
        if (quote_depth_ == 1) quote_starts_ = true;
        break;
      case MD_BLOCK_UL:
        close();
        lists_.push_back({false, 0});
        break;
      case MD_BLOCK_OL:
        close();
        lists_.push_back({true, static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start)}); break;
      case MD_BLOCK_LI:
        close();
        item_open_ = true;
        item_has_block_ = false;
        item_number_ = lists_.empty() || !lists_.back().ordered ? 0 : lists_.back().next++;
        break;
      case MD_BLOCK_H: open(BlockKind::heading).level = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level); break;
      case MD_BLOCK_P: open(in_item() ? BlockKind::list_item : BlockKind::paragraph); break;
      case MD_BLOCK_CODE: {
        auto& b = open(BlockKind::code);
        auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        b.language.assign(d->lang.text, d->lang.size);
        break;
      }
      case MD_BLOCK_HR: open(BlockKind::rule); close(); break;
      case MD_BLOCK_TABLE: ++tables_; break;
      case MD_BLOCK_THEAD: in_head_ = true; break;
      case MD_BLOCK_TBODY: in_head_ = false; break;
      case MD_BLOCK_TR: {
        auto& b = open(BlockKind::table_row);
        b.header_row = in_head_;
        b.table = tables_;
        break;
      }
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        if (current_ != nullptr) current_->cells.emplace_back();
        break;
      case MD_BLOCK_HTML: in_html_ = true; break;
      default: break;
    }
    return 0;
  }

  int leave(MD_BLOCKTYPE type) {
    switch (type) {
      case MD_BLOCK_QUOTE: --quote_depth_; break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL: lists_.pop_back(); break;
      case MD_BLOCK_LI:
        // A tight list's item has no paragraph block: its text arrived straight into the item.
        close();
        item_open_ = false;
        break;
      case MD_BLOCK_H:
      case MD_BLOCK_P:
      case MD_BLOCK_CODE:
      case MD_BLOCK_TR: close(); break;
      case MD_BLOCK_HTML: in_html_ = false; break;
      default: break;
    }
    return 0;
  }

  bool in_item() const { return !lists_.empty() && item_open_; }

  Block& open(BlockKind kind) {
    close();
    Block b;
    b.kind = kind;
    if (kind == BlockKind::list_item) {
      b.level = static_cast<int>(lists_.size());
      b.number = item_number_;
      b.first_in_item = !item_has_block_;
      item_has_block_ = true;
    }
    if (quote_depth_ > 0) b.callout = Callout::quote;
    doc.blocks.push_back(std::move(b));
    current_ = &doc.blocks.back();
    return *current_;
  }

  void close() {
    if (current_ != nullptr && quote_depth_ > 0 && quote_starts_) {
      // The first block of a quote decides the call-out for all of it.
      notice_ = current_->plain_text().starts_with("Notice:");
      quote_starts_ = false;
    }
    if (current_ != nullptr && quote_depth_ > 0 && notice_) current_->callout = Callout::notice;
    current_ = nullptr;
  }

  void add_text(MD_TEXTTYPE type, std::string_view s) {
    if (in_html_ || type == MD_TEXT_HTML) return;
    if (current_ == nullptr && in_item()) {
      // Text of a tight list item: it gets a block of its own.
      open(BlockKind::list_item);
    }
    if (current_ == nullptr) return;
    if (current_->kind == BlockKind::code) {
      current_->code.append(s);
      return;
    }
    std::string piece;
    switch (type) {
      case MD_TEXT_SOFTBR: piece = " "; break;
      case MD_TEXT_BR: piece = "\n"; break;
      case MD_TEXT_NULLCHAR: piece = "\xEF\xBF\xBD"; break;
      default: piece = std::string(s);
    }
    auto& spans = current_->kind == BlockKind::table_row
                      ? (current_->cells.empty() ? current_->cells.emplace_back() : current_->cells.back())
                      : current_->spans;
    const bool strong = strong_ > 0, emphasis = emphasis_ > 0, code = code_span_ > 0;
    if (!spans.empty() && spans.back().strong == strong && spans.back().emphasis == emphasis &&
        spans.back().code == code && spans.back().link == link_) {
      spans.back().text += piece;
    } else {
      spans.push_back({piece, strong, emphasis, code, link_});
    }
  }

  std::vector<ListLevel> lists_;
  bool item_open_ = false;
  bool item_has_block_ = false;
  int item_number_ = 0;
  int quote_depth_ = 0;
  bool quote_starts_ = false;
  bool notice_ = false;
  bool in_head_ = false;
  bool in_html_ = false;
  int tables_ = 0;
  int strong_ = 0, emphasis_ = 0, code_span_ = 0;
  std::string link_;
  Block* current_ = nullptr;  // doc.blocks only grows at the back while a block is open
};

}  // namespace

std::string Block::plain_text() const {
  std::string out;
  if (kind == BlockKind::table_row) {
    for (const auto& cell : cells) {
      if (!out.empty()) out += '\t';
      for (const auto& s : cell) out += s.text;
    }
    return out;
  }
  for (const auto& s : spans) out += s.text;
  return out;
}

MarkdownDoc parse_markdown(std::string_view text) {
  Builder builder;
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOINDENTEDCODEBLOCKS;
  parser.enter_block = &Builder::enter_block;
  parser.leave_block = &Builder::leave_block;
  parser.enter_span = &Builder::enter_span;
  parser.leave_span = &Builder::leave_span;
  parser.text = &Builder::text;
  md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &builder);
  return std::move(builder.doc);
}

std::vector<std::size_t> side_by_side_pairs(const MarkdownDoc& doc) {
  std::vector<std::size_t> pairs;
  for (std::size_t i = 0; i + 1 < doc.blocks.size(); ++i) {
    const auto& a = doc.blocks[i];
    const auto& b = doc.blocks[i + 1];
    if (a.kind == BlockKind::code && b.kind == BlockKind::code && a.language == "rust" &&
        (b.language == "cpp" || b.language == "c++")) {
      pairs.push_back(i);
      ++i;
    }
  }
  return pairs;
}

}  // namespace asynclab::lessons
