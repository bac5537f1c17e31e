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

FutureNodeState branch_state(trace::FutureEnd end) {
  switch (end) {
    case trace::FutureEnd::completed: return FutureNodeState::completed;
    case trace::FutureEnd::cancelled: return FutureNodeState::dropped;
    case trace::FutureEnd::disabled_by_precondition: return FutureNodeState::disabled_by_precondition;
    case trace::FutureEnd::disabled_by_pattern: return FutureNodeState::disabled_by_pattern;
    case trace::FutureEnd::released: return FutureNodeState::released;
  }
  return FutureNodeState::dropped;
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
  // Each node's children (positions in `visible`, in creation order) and how many of them are gone,
  // gathered once: a loop of thousands of selects stays one pass, not one pass per combinator.
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> children;
  std::unordered_map<std::uint32_t, std::size_t> children_gone;
  for (std::size_t k = 0; k < visible.size(); ++k) {
    const FutureNodeInfo& n = nodes[visible[k]];
    children[n.parent].push_back(k);
    if (gone(n)) ++children_gone[n.parent];
  }
  const auto finished_combinator = [&](std::uint32_t node) {
    const auto c = children.find(node);
    if (c == children.end() || c->second.empty()) return false;
    const auto g = children_gone.find(node);
    return g != children_gone.end() && g->second == c->second.size();
  };
  // A node is listed once, and no deeper than max_depth: a hostile trace whose parents form a
  // cycle (or name a node as its own parent) cannot recurse for ever.
  constexpr int max_depth = 32;
  std::vector<bool> listed(visible.size(), false);
  const auto line_of = [&](const FutureNodeInfo& n, int depth) {
    FutureTreeLine line;
    line.depth = depth;
    if (n.kind == trace::FutureNode::branch) {
      // Counted from 1, as the timeline's rows count them ("select branch 2").
      const auto awaits = awaits_of.find(static_cast<std::uint32_t>(&n - nodes.data()));
      line.label = awaits == awaits_of.end() ? fmt::format("branch {}", n.branch + 1)
                                             : fmt::format("branch {}: {}", n.branch + 1, awaits->second);
      line.state = !gone(n) ? FutureNodeState::alive : branch_state(n.end);
    } else {
      line.label = future_node_word(n.kind);
      line.state = finished_combinator(n.node) ? FutureNodeState::finished : FutureNodeState::in_progress;
    }
    return line;
  };
  // Inside a combinator, its children in the order written.
  std::function<void(std::uint32_t, int)> walk = [&](std::uint32_t parent, int depth) {
    if (depth > max_depth) return;
    const auto c = children.find(parent);
    if (c == children.end()) return;
    for (std::size_t k : c->second) {
      const FutureNodeInfo& n = nodes[visible[k]];
      if (listed[k]) continue;
      listed[k] = true;
      out.push_back(line_of(n, depth));
      walk(n.node, depth + 1);
    }
  };
  // At the top, newest first: in a loop of selects the one that matters is the latest, so it comes
  // first, and finished ones older than the last few fold into one line.
  constexpr std::size_t finished_shown = 3;
  std::size_t finished_seen = 0, folded = 0;
  const std::vector<std::size_t> top = children.contains(0) ? children[0] : std::vector<std::size_t>{};
  for (auto it = top.rbegin(); it != top.rend(); ++it) {
    const std::size_t k = *it;
    const FutureNodeInfo& n = nodes[visible[k]];
    if (listed[k]) continue;
    listed[k] = true;
    // Folded ones are only counted: their lines are never made.
    if (n.kind != trace::FutureNode::branch && finished_combinator(n.node) && ++finished_seen > finished_shown) {
      ++folded;
      continue;
    }
    FutureTreeLine line = line_of(n, 0);
    out.push_back(std::move(line));
    walk(n.node, 1);
  }
  if (folded > 0) {
    FutureTreeLine line;
    line.label = folded == 1 ? std::string("1 earlier combinator") : fmt::format("{} earlier combinators", folded);
    line.state = FutureNodeState::finished;
    out.push_back(std::move(line));
  }
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
    case FutureNodeState::disabled_by_precondition:
      return "∅ " + line.label + "  — disabled: its precondition was false, never polled";
    case FutureNodeState::disabled_by_pattern:
      return "∅ " + line.label + "  — disabled: answered Ready, but its pattern refused the output";
    case FutureNodeState::released:
      return line.label + "  — released: only the borrow ended, the future lives on";
  }
  return line.label;
}

}  // namespace asynclab::vis
