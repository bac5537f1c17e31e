#include "model/future_tree.hpp"

#include <functional>

#include <fmt/format.h>

#include "model/nested_lanes.hpp"

namespace asynclab::vis {

namespace {

const char* node_kind_name(trace::FutureNode k) {
  switch (k) {
    case trace::FutureNode::join:
      return "join";
    case trace::FutureNode::try_join:
      return "try_join";
    case trace::FutureNode::select:
      return "select";
    case trace::FutureNode::branch:
      return "branch";
    case trace::FutureNode::timeout:
      return "timeout";
  }
  return "future";
}

// What a branch awaits: the label of the timeline row its span sits on, without the combinator's
// "select: " prefix (the tree says that already); "" when it has no row.
std::string awaited_by(const NestedLanes& nested, std::uint32_t node_index) {
  for (const NestedRow& row : nested.rows()) {
    if (row.kind != NestedKind::future) continue;
    for (std::uint32_t s = row.first_span; s < row.first_span + row.span_count; ++s) {
      if (nested.spans()[s].ref != node_index) continue;
      // A row labelled "select branch 2" (nothing awaited was seen) has nothing to add.
      const std::size_t colon = row.label.find(": ");
      return colon == std::string::npos ? std::string() : row.label.substr(colon + 2);
    }
  }
  return {};
}

}  // namespace

std::vector<FutureTreeLine> future_tree_at(const LaneIndex& lanes, std::uint32_t task_id,
                                           std::size_t cursor) {
  const TraceIndex& index = lanes.index();
  std::vector<FutureTreeLine> out;
  const TaskInfo* task = index.task(task_id);
  if (task == nullptr) return out;
  const auto& nodes = index.future_nodes();
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
        const std::string awaits = awaited_by(lanes.nested(), f);
        // Counted from 1, as the timeline's rows count them ("select branch 2").
        line.label = awaits.empty() ? fmt::format("branch {}", n.branch + 1)
                                    : fmt::format("branch {}: {}", n.branch + 1, awaits);
        line.state = !gone(n)      ? FutureNodeState::alive
                     : n.completed ? FutureNodeState::completed
                                   : FutureNodeState::dropped;
      } else {
        line.label = node_kind_name(n.kind);
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
