#pragma once
// NestedLanes: what happens *inside* a task, as rows under its lane — each branch of a join,
// try_join, select or timeout, each simulated request, each blocking job and each lock the task
// waited for or held. Lesson 08's staircase is three request rows one after another; its join is
// three rows side by side; lesson 10's losing branch is a row cut at the winner's moment; lesson 15's
// chefs hold one lock each and wait for the other's.
//
// Rules:
// * Built once per trace from the TraceIndex (one extra pass over the events, for labels and lock
//   holders); the index must outlive it. Like LaneIndex, it never changes after construction.
// * A row is one thing's life, or several things of the same kind and label whose lives do not
//   overlap (a select in a loop: every iteration's "recv on messages" branch on one row). Spans in a
//   row are sorted and never overlap, so the timeline folds them as it folds polls.
// * A span runs from its start (branch created, request sent, job begun, lock asked for) to its end:
//   `done` (the branch answered Ready, the request answered, the job finished, the lock was
//   released), `cancelled` (dropped mid-flight: a select's loser, a timed-out request), `failed` (a
//   request that failed or answered an error status) or `running` (still going when the trace ends).
//   A lock gives two spans: waiting (from lock_waiting to lock_acquired, with the holder at the time
//   the wait began) and held (from lock_acquired to lock_released).
// * A branch the runtime never reported gone (timeout's deadline after its inner future won) ends
//   with the last of its siblings, as cancelled; a branch never polled gets no span.
// * A branch's label says what it awaited first: the first request, sleep, channel receive, send on
//   a full channel, lock or blocking job recorded while it was polled (events between the previous
//   branch poll and this branch's future_polled, inside one poll of the task). Failing that, its
//   combinator and index ("select branch 2"). Rows are packed by that label less a sleep's duration
//   (a deadline in a loop sleeps a little less each time), and say the duration when all agree.
// * Rows of a task are ordered by when they start.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/trace_index.hpp"

namespace asynclab::vis {

enum class NestedKind : std::uint8_t {
  future,   // a branch of a join / try_join / select / timeout. ref: index into index.future_nodes()
  request,  // a simulated HTTP request. ref: index into index.requests()
  lock,     // a Mutex or Semaphore the task waited for or held. ref: the resource id
  job,      // a blocking job of the task (spawn_blocking, or block_for on the worker). ref: index into index.blocking()
};

// disabled: a select branch that answered Ready but whose pattern refused the output (Some(v) got None),
// so the select raced on without it.
// released: a borrowed future's branch that ended unfinished (borrow(fut) lost the race); the future
// itself lives on.
enum class SpanEnd : std::uint8_t { done, cancelled, failed, running, disabled, released };

struct NestedSpan {
  std::uint64_t begin_ns = 0;
  std::uint64_t end_ns = 0;
  EventIndex begin_event = 0;
  EventIndex end_event = npos;  // npos: running when the trace ends
  std::uint32_t ref = 0;        // see NestedKind
  std::uint32_t holder = 0;     // lock waits: the task holding the lock when the wait began (0: none known)
  SpanEnd end = SpanEnd::running;
  bool waiting = false;         // lock: waiting to acquire, rather than holding
};

struct NestedRow {
  NestedKind kind = NestedKind::future;
  std::uint32_t task = 0;  // the task id whose lane it sits under
  std::string label;
  std::uint32_t first_span = 0;  // spans [first_span, first_span + span_count) of NestedLanes::spans()
  std::uint32_t span_count = 0;
};

// "join", "try_join", "select", "timeout", "branch": the word rows and the future tree use for a node.
const char* future_node_word(trace::FutureNode kind);

class NestedLanes {
 public:
  NestedLanes() = default;
  explicit NestedLanes(const TraceIndex& index);

  const std::vector<NestedRow>& rows() const { return rows_; }
  const std::vector<NestedSpan>& spans() const { return spans_; }
  std::span<const NestedSpan> spans_of(std::uint32_t row) const {
    const NestedRow& r = rows_[row];
    return std::span<const NestedSpan>(spans_).subspan(r.first_span, r.span_count);
  }
  // The rows under one task (by task slot), as indices into rows(), in the order they start.
  std::span<const std::uint32_t> rows_of_task(std::uint32_t task_slot) const;
  // The label a branch got (empty for a node that is not a branch or had nothing to say).
  const std::string& future_label(std::uint32_t future_index) const;
  std::size_t memory_bytes() const;

 private:
  std::vector<NestedRow> rows_;
  std::vector<NestedSpan> spans_;
  std::vector<std::uint32_t> task_start_;  // by task slot: its rows are task_rows_[start[s], start[s + 1])
  std::vector<std::uint32_t> task_rows_;
  std::vector<std::string> future_labels_;  // by future node index
};

// "api.example/users" for "https://api.example/users": the part a row has room for.
std::string short_url(std::string_view url);

}  // namespace asynclab::vis
