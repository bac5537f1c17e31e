#pragma once
// borrow(fut) — Rust's `&mut fut` where a future is expected: poll a future the caller keeps, without
// giving it away. The classic use is a select! branch inside a loop: a sleep made before the loop
// keeps its deadline across iterations, a JoinHandle raced against a timeout is not detached when the
// timeout wins.
//
// Rules:
// * Borrowed<F> polls the future it points to; dropping the Borrowed (a select that picked another
//   branch, a timeout that fired) drops nothing: the future stays the caller's, half-done or not, and
//   can be borrowed again or awaited later. The trace records that branch as released, not cancelled.
// * The borrowed future must outlive the Borrowed and must not move while borrowed (a local of the
//   coroutine frame never moves; see future.hpp's pinning rule).
// * A future that has finished may be polled again only if it says so: a Sleep answers Ready again at
//   once (as tokio's does, hence `when(!s.is_elapsed(), borrow(s))` in a loop), a finished Task or
//   JoinHandle throws. Guard the branch with a precondition.
#include <memory>
#include <type_traits>

#include "asynclab/future.hpp"

namespace asynclab {

template <Future F>
class [[nodiscard("futures are lazy: a borrowed future does nothing until it is awaited")]] Borrowed {
 public:
  using Output = output_t<F>;

  explicit Borrowed(F& future) : future_(std::addressof(future)) {}
  // One borrow at a time, as `&mut`: a Borrowed moves but is not copied.
  Borrowed(Borrowed&&) noexcept = default;
  Borrowed& operator=(Borrowed&&) noexcept = default;
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;

  Poll<Output> poll(Context& cx) { return future_->poll(cx); }
  F& get() const { return *future_; }

 private:
  F* future_;
};

// Whether a combinator's branch is a borrow: dropping it unfinished cancels nothing (the trace records
// it as released, not cancelled).
template <class F>
inline constexpr bool is_borrowed_v = false;
template <class F>
inline constexpr bool is_borrowed_v<Borrowed<F>> = true;

template <Future F>
Borrowed<F> borrow(F& future) {
  return Borrowed<F>(future);
}

// Borrowing a temporary would poll it after it is gone: keep the future in a variable first.
template <Future F>
  requires(!std::is_lvalue_reference_v<F>)
void borrow(F&& future) = delete;

}  // namespace asynclab
