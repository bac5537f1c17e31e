#pragma once
// Budget: how many resource operations a task may still complete in its current poll — the
// counter behind cooperative scheduling (asynclab/coop.hpp), tokio's coop::Budget.
//
// Rules:
// * A task's poll starts with `per_poll` units (tokio's 128). Each resource future that completes
//   an operation spends one; one that answers Pending gets its unit back, so only progress counts.
// * An unconstrained budget never runs out: a Context made outside a task poll (polling a future
//   by hand, block_on taking main's result) and the inside of coop::unconstrained have one.
// * Plain data, kept in the Context of the poll: no atomics, no thread-locals, nothing shared.
#include <cstdint>

namespace asynclab::detail {

class Budget {
 public:
  static constexpr std::uint8_t per_poll = 128;

  static constexpr Budget unconstrained() { return Budget(); }
  static constexpr Budget for_poll() { return Budget(per_poll); }

  bool constrained() const { return constrained_; }
  std::uint8_t left() const { return left_; }

  // Takes a unit; false when none is left (an unconstrained budget always has one).
  bool take() {
    if (!constrained_) return true;
    if (left_ == 0) return false;
    --left_;
    return true;
  }
  // Gives back the unit the last take() took: the operation made no progress.
  void give_back() {
    if (constrained_ && left_ < per_poll) ++left_;
  }

 private:
  constexpr Budget() = default;
  explicit constexpr Budget(std::uint8_t units) : left_(units), constrained_(true) {}
  std::uint8_t left_ = 0;
  bool constrained_ = false;
};

}  // namespace asynclab::detail
