#pragma once
// drop(x): Rust's `drop(x)` — end a value's life here, before its scope ends.
//
// Rules:
// * `drop(tx)` moves x into a local that is destroyed before drop returns, so whatever x's
//   destructor does happens now: a Sender closes its side of the channel (once it was the last),
//   a MutexGuard unlocks, a permit goes back to its semaphore, a JoinHandle lets its task go on
//   alone (detached, as in Tokio), a Sleep or a Task future is cancelled.
// * Every handle of the runtime is empty once moved from, so x may still be destroyed or assigned
//   afterwards, but must not be used: as in Rust, a dropped value is gone.
// * A const value cannot be given up (it cannot be moved from); that is a compile error, not a
//   copy that drops nothing.
// * drop moves its argument, and a future must not move once it has been polled (future.hpp): a
//   Task, a Sleep or a JoinHandle may be dropped at any time, but a combinator or a lock/acquire
//   future that a poll has started (Select, Join, MutexLock, Acquire, Notified) must be dropped by
//   ending its scope, as Rust would drop it in place.
#include <type_traits>
#include <utility>

namespace asynclab {

template <class T>
void drop(T&& x) {
  static_assert(!std::is_const_v<std::remove_reference_t<T>>,
                "drop(x) takes x away, so x cannot be const (Rust's drop takes ownership too)");
  using Value = std::remove_cvref_t<T>;
  static_assert(std::is_move_constructible_v<Value>, "drop(x) needs a value it can move out of x");
  [[maybe_unused]] Value gone(std::move(x));
}

}  // namespace asynclab
