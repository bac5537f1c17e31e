#pragma once
// FutureTree: how join, try_join, select and timeout appear in the trace — a node for the combinator
// and one per branch, so the visualizer can draw the tree inside a task and cross out the branches
// that were dropped.
//
// Rules:
// * Nodes are created at the combinator's first poll (futures are lazy: creation is not an event),
//   with consecutive ids: the combinator's own, then its branches in order.
// * Each branch poll is recorded with its answer; each branch is recorded once more when it goes
//   away, as completed, as dropped mid-flight (cancelled), or as a select branch disabled by its
//   precondition or its pattern (trace::FutureEnd).
// * Untraced runtimes pay one pointer test per poll of the combinator and nothing per branch.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

#include "asynclab/borrow.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::detail {

class FutureTree {
 public:
  // Drops every branch still held, as cancellation: when a combinator that has been polled goes
  // away mid-flight (its task was aborted, an outer select dropped it, a branch threw), its
  // remaining branches are cancelled, not forgotten. Each is recorded as dropped mid-flight, but a
  // borrowed future (borrow.hpp), which lives on, as released.
  template <class... Fs>
  void cancel_remaining(std::tuple<std::optional<Fs>...>& branches) {
    Scheduler::CancellingScope cancelling(Scheduler::current());
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::get<I>(branches)
            ? (std::get<I>(branches).reset(),
               gone(I, is_borrowed_v<Fs> ? trace::FutureEnd::released : trace::FutureEnd::cancelled))
            : void()),
       ...);
    }(std::index_sequence_for<Fs...>{});
  }

  // Called at every poll of the combinator; creates the nodes the first time, if tracing.
  void open(Context& cx, trace::FutureNode kind, std::uint16_t branches) {
    if (self_ != 0) return;
    Scheduler* s = Scheduler::current();
    if (!s || !s->recorder()) return;
    scheduler_ = s;
    self_ = s->next_future_node();
    const std::uint32_t task = s->running_id();
    s->emit(trace::EventKind::future_created, task, self_, cx.future_node(), static_cast<std::uint16_t>(kind));
    for (std::uint16_t i = 0; i < branches; ++i) {
      std::uint32_t node = s->next_future_node();
      s->emit(trace::EventKind::future_created, task, node, self_,
              static_cast<std::uint16_t>(static_cast<std::uint16_t>(trace::FutureNode::branch) | (i << 8)));
    }
  }
  bool traced() const { return self_ != 0; }
  std::uint32_t branch_node(std::uint16_t i) const { return self_ + 1 + i; }

  void polled(std::uint16_t i, bool ready) {
    if (self_) scheduler_->emit(trace::EventKind::future_polled, scheduler_->running_id(), branch_node(i), 0, ready ? 1 : 0);
  }
  void gone(std::uint16_t i, trace::FutureEnd end) {
    if (self_)
      scheduler_->emit(trace::EventKind::future_dropped, scheduler_->running_id(), branch_node(i), 0,
                       static_cast<std::uint16_t>(end));
  }
  void gone(std::uint16_t i, bool completed) { gone(i, completed ? trace::FutureEnd::completed : trace::FutureEnd::cancelled); }

  // While a branch is polled, combinators nested in it name that branch as their parent.
  class BranchScope {
   public:
    BranchScope(Context& cx, const FutureTree& tree, std::uint16_t i)
        : cx_(cx), saved_(tree.self_ ? cx.swap_future_node(tree.branch_node(i)) : cx.future_node()), active_(tree.self_ != 0) {}
    ~BranchScope() {
      if (active_) cx_.swap_future_node(saved_);
    }
    BranchScope(const BranchScope&) = delete;
    BranchScope& operator=(const BranchScope&) = delete;

   private:
    Context& cx_;
    std::uint32_t saved_;
    bool active_;
  };

 private:
  Scheduler* scheduler_ = nullptr;
  std::uint32_t self_ = 0;
};

}  // namespace asynclab::detail
