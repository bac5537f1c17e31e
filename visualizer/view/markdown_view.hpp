#pragma once
// Draws a lesson step's Markdown (engine/markdown.hpp) with ImGui: headings in a larger bold face,
// paragraphs word-wrapped to the window with bold, oblique and `code` spans, lists with bullets and
// numbers, code blocks in the monospace face on a dark panel, "Notice:" call-outs in a framed box,
// tables as aligned columns, and a ```rust block followed by a ```cpp block side by side — the seeds'
// Rust on the left, the scenario's C++ on the right.
//
// Rules:
// * Pure drawing: the document is parsed once per step by the caller and passed in.
// * Each block reports its plain text to the UI report once (not word by word), so a test can ask
//   whether a step's sentence or call-out is on screen.
#include "engine/markdown.hpp"

namespace asynclab::vis {

// What of a step to draw: all of it, all but the "Notice:" call-out, or only that call-out (the lesson
// pane keeps the Notice in view under the scrolled text).
enum class MarkdownPart { all, body, notice };
void show_markdown(const lessons::MarkdownDoc& doc, MarkdownPart part = MarkdownPart::all);
bool has_notice(const lessons::MarkdownDoc& doc);

}  // namespace asynclab::vis
