#pragma once
// The "Legend" window: what every colour, bar, arrow and glyph of the timeline means, drawn with the
// same colours and shapes. F1, the View menu or the timeline's "?" opens it; the terminal's swimlanes
// print their own legend.
namespace asynclab::vis {

void show_legend(bool* open);

}  // namespace asynclab::vis
