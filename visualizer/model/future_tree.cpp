#include "model/future_tree.hpp"

#include <functional>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "model/nested_lanes.hpp"

namespace asynclab::vis {

namespace {

// What each branch of the task awaits, by node index: the label of the timeline row its span sits
// on, without the combinator's "select: " prefix (the tree says that already). A row labelled
// "select branch 2" (nothing awaited was seen) has nothing to add. Only the task's own rows are read.
std::unordered_map<std::uint32_t, std::string_view> awaited_by_branch(const NestedLanes& nested, std::uint32_t task_slot) {
  std::unordered_map<std::uint32_t, std::string_view> out;
  for (std::uint32_t r : nested.rows_of_task(task_slot)) {
    const NestedRow& row = nested.rows()[r];
    const std::size_t colon = row.label.find(": ");
    if (row.kind != NestedKind::future || colon == std::string::npos) continue;
    const std::string_view what = std::string_view(row.label).substr(colon + 2);
    for (const NestedSpan& span : nested.spans_of(r)) out.emplace(span.ref, what);
  }
  return out;
}

}  // namespace

std::vector<FutureTreeLine> future_tree_at(const LaneIndex& lanes, std::uint32_t task_id,
                                           std::size_t cursor) {
  const TraceIndex& index = lanes.index();
  std::vector<FutureTreeLine> out;
  const TaskInfo* task = index.task(task_id);
  if (task == nullptr) return out;
  const auto& nodes = index.future_nodes();
  const auto awaits_of = awaited_by_branch(lanes.nested(), index.task_slot(task_id));
  std::vector<std::uint32_t> visible;
  for (std::uint32_t f : task->future_nodes)
    if (nodes[f].created_event < cursor) visible.push_back(f);
  const auto gone = [&](const FutureNodeInfo& n) {
    return n.dropped_event != npos && n.dropped_event < cursor;
  };
  const auto finished_combinator = [&](std::uint32_t node) {
    bool any = false;
    for (std::uint32_t f : visible) {
      if (nodes[f].parent != node) continue;
      any = true;
      if (!gone(nodes[f])) return false;
    }
    return any;
  };
  // A node is listed once, and no deeper than max_depth: a hostile trace whose parents form a
  // cycle (or name a node as its own parent) cannot recurse for ever.
  constexpr int max_depth = 32;
  std::vector<bool> listed(visible.size(), false);
  std::function<void(std::uint32_t, int)> walk = [&](std::uint32_t parent, int depth) {
    if (depth > max_depth) return;
    for (std::size_t k = 0; k < visible.size(); ++k) {
      const std::uint32_t f = visible[k];
      const FutureNodeInfo& n = nodes[f];
      if (n.parent != parent || listed[k]) continue;
      listed[k] = true;
      FutureTreeLine line;
      line.depth = depth;
      if (n.kind == trace::FutureNode::branch) {
        // Counted from 1, as the timeline's rows count them ("select branch 2").
        const auto awaits = awaits_of.find(f);
        line.label = awaits == awaits_of.end() ? fmt::format("branch {}", n.branch + 1)
                                               : fmt::format("branch {}: {}", n.branch + 1, awaits->second);
        line.state = !gone(n)      ? FutureNodeState::alive
                     : n.completed ? FutureNodeState::completed
                                   : FutureNodeState::dropped;
      } else {
        line.label = future_node_word(n.kind);
        line.state = finished_combinator(n.node) ? FutureNodeState::finished : FutureNodeState::in_progress;
      }
      out.push_back(std::move(line));
      walk(n.node, depth + 1);
    }
  };
  walk(0, 0);
  return out;
}

std::string future_tree_line_text(const FutureTreeLine& line) {
  switch (line.state) {
    case FutureNodeState::in_progress:
      return line.label + "  — in progress";
    case FutureNodeState::finished:
      return line.label + "  — finished";
    case FutureNodeState::alive:
      return line.label + "  — in flight";
    case FutureNodeState::completed:
      return line.label + "  — answered Ready";
    case FutureNodeState::dropped:
      return "✗ " + line.label + "  — dropped mid-flight (cancelled)";
  }
  return line.label;
}

}  // namespace asynclab::vis
