// See wait_for_graph.hpp.
#include "view/wait_for_graph.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

#include "view/ui_report.hpp"
#include "model/describe.hpp"
#include "model/wait_for.hpp"
#include "view/palette.hpp"

namespace asynclab::vis {

namespace {

struct Node {
  std::string label;
  bool task = true;
  ImVec2 centre;
  ImVec2 half;  // half the box's size
};

// Where the segment from `a`'s centre towards `b`'s leaves `a`'s box.
ImVec2 edge_point(const Node& a, ImVec2 towards) {
  const float dx = towards.x - a.centre.x, dy = towards.y - a.centre.y;
  const float sx = dx == 0 ? 1e9f : a.half.x / std::abs(dx), sy = dy == 0 ? 1e9f : a.half.y / std::abs(dy);
  const float t = std::min({sx, sy, 1.0f});
  return ImVec2(a.centre.x + dx * t, a.centre.y + dy * t);
}

void arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour) {
  const float dx = to.x - from.x, dy = to.y - from.y;
  const float len = std::max(std::sqrt(dx * dx + dy * dy), 1.0f);
  const float ux = dx / len, uy = dy / len;
  const ImVec2 base(to.x - ux * 9, to.y - uy * 9);
  draw->AddLine(from, base, colour, 2.0f);
  draw->AddTriangleFilled(to, ImVec2(base.x - uy * 5, base.y + ux * 5), ImVec2(base.x + uy * 5, base.y - ux * 5), colour);
}

}  // namespace

void show_wait_for_cycle(const TraceIndex& index) {
  const std::vector<WaitForEdge> cycle = wait_for_cycle(index);
  if (cycle.empty()) return;
  std::vector<Node> nodes;
  for (const WaitForEdge& e : cycle) {
    nodes.push_back(Node{index.task_label(e.task), true, {}, {}});
    const ResourceInfo* r = index.resource(e.resource);
    nodes.push_back(Node{r && !r->name.empty() ? r->name : fmt::format("resource {}", e.resource), false, {}, {}});
  }
  const float line = ImGui::GetTextLineHeight();
  float widest = 0;
  for (Node& n : nodes) {
    const ImVec2 size = ImGui::CalcTextSize(n.label.c_str());
    n.half = ImVec2(size.x / 2 + line * 0.4f, size.y / 2 + line * 0.2f);
    widest = std::max(widest, n.half.x);
  }
  // A ring as wide as the window allows, tall enough for the boxes.
  const float width = ImGui::GetContentRegionAvail().x;
  const float rx = std::max(width / 2 - widest - 4, line * 3);
  // ... and no taller than what is left of the window (a projector's half screen) above the line
  // that reads the cycle out: the whole graph in view rather than a bigger one cut off. Where even
  // a flat ring does not fit, the nodes stand in one row, the last one's arrow running back under
  // them to the first.
  const float wanted_ry = std::max(line * 2.2f, std::min(rx * 0.45f, line * 4.0f));
  const float avail = ImGui::GetContentRegionAvail().y;
  const float room_ry = (avail - line * 5.5f) / 2;
  float boxes_w = 0;
  for (const Node& node : nodes) boxes_w += 2 * node.half.x;
  const bool in_a_row = avail > line && room_ry < line * 1.6f && boxes_w + line * 2 * static_cast<float>(nodes.size()) < width;
  const float ry = avail > line ? std::clamp(room_ry, line * 1.2f, wanted_ry) : wanted_ry;
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const float n = static_cast<float>(nodes.size());
  float graph_h = 2 * ry + line * 2;
  if (in_a_row) {
    // Equal gaps between the boxes, the row's centre a line below the heading.
    const float gap = (width - boxes_w - 8) / std::max(n - 1, 1.0f);
    float x = top.x + 4;
    for (Node& node : nodes) {
      node.centre = ImVec2(x + node.half.x, top.y + line * 1.3f + node.half.y);
      x += 2 * node.half.x + gap;
    }
    graph_h = line * 1.3f + 2 * nodes.front().half.y + line * 0.9f;
  } else {
    const ImVec2 centre(top.x + width / 2, top.y + ry + line);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      const float angle = -std::numbers::pi_v<float> / 2 + 2 * std::numbers::pi_v<float> * static_cast<float>(k) / n;
      nodes[k].centre = ImVec2(centre.x + rx * std::cos(angle), centre.y + ry * std::sin(angle));
    }
  }
  ImGui::TextColored(palette::muted_text.vec(), "The wait-for cycle");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const Node& a = nodes[k];
    const Node& b = nodes[(k + 1) % nodes.size()];
    // task → lock: "waits for" (the report's colour); lock → task: "held by" (a holder's green).
    const ImU32 colour = (a.task ? palette::waits_for : palette::running).u32();
    if (in_a_row && k + 1 == nodes.size()) {
      // Back to the first: down from the last box, along under the row, up into the first.
      const float below = a.centre.y + a.half.y + line * 0.6f;
      const ImVec2 from(a.centre.x, a.centre.y + a.half.y), to(b.centre.x, b.centre.y + b.half.y);
      draw->AddLine(from, ImVec2(from.x, below), colour, 2.0f);
      draw->AddLine(ImVec2(from.x, below), ImVec2(to.x, below), colour, 2.0f);
      arrow(draw, ImVec2(to.x, below), to, colour);
    } else {
      arrow(draw, edge_point(a, b.centre), edge_point(b, a.centre), colour);
    }
  }
  for (const Node& node : nodes) {
    const ImVec2 min(node.centre.x - node.half.x, node.centre.y - node.half.y);
    const ImVec2 max(node.centre.x + node.half.x, node.centre.y + node.half.y);
    draw->AddRectFilled(min, max, (node.task ? palette::empty_slot : palette::code_background).u32(), node.task ? 8.0f : 1.0f);
    draw->AddRect(min, max, (node.task ? palette::cancelled : palette::lock_held).u32(), node.task ? 8.0f : 1.0f, 0, 1.5f);
    draw->AddText(ImVec2(min.x + line * 0.4f, min.y + line * 0.2f), palette::highlight.u32(), node.label.c_str());
    ui_report::text(node.label);
  }
  ImGui::Dummy(ImVec2(width, graph_h));
  std::string legend = "→ waits for, then → held by: ";
  for (const Node& node : nodes) legend += node.label + " → ";
  legend += nodes.front().label;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextColored(palette::muted_text.vec(), "%s", legend.c_str());
  ImGui::PopTextWrapPos();
  ui_report::text(legend);
}

}  // namespace asynclab::vis
