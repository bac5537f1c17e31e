// The future tree (model/future_tree.hpp) and the branch rows (model/nested_lanes.hpp) of a recorded
// run: a select branch disabled by its precondition or its pattern is shown as disabled, apart from
// a cancelled one; a loop's selects are listed newest first, the older finished ones folded.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "model/future_tree.hpp"
#include "model/nested_lanes.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using namespace std::chrono_literals;

namespace {

// One select: branch 1 off by its precondition, branch 2 a closed channel's None refused by some(),
// branch 3 the winner at 5 ms, branch 4 a loser cancelled then.
trace::Trace one_select_of_every_end() {
  trace::Recorder rec;
  asynclab::testing::virtual_runtime(rec).block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1, "feed");
    drop(std::move(tx));
    (void)co_await select_biased(when(false, sleep(1ms)), some(rx.recv()), sleep(5ms), sleep(9ms));
  });
  return rec.take();
}

// A join, then five rounds of a loop, each a select of a sleep against a channel closed from the start.
trace::Trace a_loop_of_selects() {
  trace::Recorder rec;
  asynclab::testing::virtual_runtime(rec).block_on([&]() -> Task<void> {
    auto [tx, rx] = sync::mpsc::channel<int>(1, "feed");
    drop(std::move(tx));
    (void)co_await join(sleep(1ms), sleep(2ms));
    for (int round = 0; round < 5; ++round) (void)co_await select(some(rx.recv()), sleep(1ms));
  });
  return rec.take();
}

}  // namespace

TEST_CASE("the future tree tells a branch disabled by its precondition, one disabled by its pattern and a "
          "cancelled one apart",
          "[vis][future-tree]") {
  const trace::Trace t = one_select_of_every_end();
  const TraceIndex index(t);
  const LaneIndex lanes(index);
  const std::vector<FutureTreeLine> tree = future_tree_at(lanes, 1, t.size());
  REQUIRE(tree.size() == 5);
  CHECK(tree[0].state == FutureNodeState::finished);
  CHECK(tree[1].state == FutureNodeState::disabled_by_precondition);
  CHECK(tree[2].state == FutureNodeState::disabled_by_pattern);
  CHECK(tree[3].state == FutureNodeState::completed);
  CHECK(tree[4].state == FutureNodeState::dropped);
  CHECK_THAT(future_tree_line_text(tree[1]), Catch::StartsWith("∅ branch 1") && Catch::Contains("precondition was false"));
  CHECK_THAT(future_tree_line_text(tree[2]), Catch::StartsWith("∅ branch 2") && Catch::Contains("pattern refused"));
  CHECK_THAT(future_tree_line_text(tree[4]), Catch::StartsWith("✗ branch 4") && Catch::Contains("cancelled"));

  // The nodes themselves: a disabled branch is neither completed-and-used nor cancelled.
  std::vector<trace::FutureEnd> ends;
  for (const FutureNodeInfo& n : index.future_nodes())
    if (n.kind == trace::FutureNode::branch) ends.push_back(n.end);
  CHECK(ends == std::vector<trace::FutureEnd>{trace::FutureEnd::disabled_by_precondition, trace::FutureEnd::disabled_by_pattern,
                                              trace::FutureEnd::completed, trace::FutureEnd::cancelled});
}

TEST_CASE("a branch its pattern refused ends its timeline row as disabled, a never-polled one has no row",
          "[vis][future-tree]") {
  const trace::Trace t = one_select_of_every_end();
  const TraceIndex index(t);
  const LaneIndex lanes(index);
  const NestedLanes& nested = lanes.nested();
  std::vector<SpanEnd> ends;
  for (std::size_t r = 0; r < nested.rows().size(); ++r)
    for (const NestedSpan& span : nested.spans_of(static_cast<std::uint32_t>(r)))
      if (nested.rows()[r].kind == NestedKind::future) ends.push_back(span.end);
  // Branch 1 was never polled, so it started nothing and gets no row.
  CHECK(std::ranges::count(ends, SpanEnd::disabled) == 1);
  CHECK(std::ranges::count(ends, SpanEnd::done) == 1);
  CHECK(std::ranges::count(ends, SpanEnd::cancelled) == 1);
  CHECK(std::string(span_end_name(SpanEnd::disabled)) == "disabled");
}

TEST_CASE("a loop's selects are listed newest first, and finished ones beyond the newest three fold into one line",
          "[vis][future-tree]") {
  const trace::Trace t = a_loop_of_selects();
  const TraceIndex index(t);
  const LaneIndex lanes(index);
  const std::vector<FutureTreeLine> tree = future_tree_at(lanes, 1, t.size());
  // The newest three selects of three lines each, then "3 earlier combinators" (two selects, the join).
  REQUIRE(tree.size() == 10);
  CHECK(tree.back().label == "3 earlier combinators");
  CHECK(tree.back().depth == 0);
  for (std::size_t top : {0u, 3u, 6u}) {
    CHECK(tree[top].label == "select");
    CHECK(tree[top].depth == 0);
    CHECK(tree[top + 1].state == FutureNodeState::disabled_by_pattern);
    CHECK(tree[top + 2].state == FutureNodeState::completed);
  }

  // Before the third select is made: two selects and the join, all shown, the join (oldest) last.
  std::size_t third_select = 0, seen = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::future_created &&
        (t[i].flags & 0xff) == static_cast<std::uint16_t>(trace::FutureNode::select) && ++seen == 3) {
      third_select = i;
      break;
    }
  REQUIRE(third_select > 0);
  const std::vector<FutureTreeLine> early = future_tree_at(lanes, 1, third_select);
  REQUIRE(early.size() == 9);
  CHECK(early[0].label == "select");
  CHECK(early[6].label == "join");
  for (const FutureTreeLine& line : early) CHECK(line.label.find("earlier") == std::string::npos);
}
