#pragma once
// In which order a primitive wakes several waiters at once — Tokio's, which is not always the order
// they queued in. Learners compare asynclab's output with real Tokio programs line by line, and
// Tokio 1.24 wakes a batch from its end.
#include <algorithm>
#include <cstddef>

namespace asynclab::sync::lock_detail {

// In which order a WakeList wakes the tasks it was given (oldest waiter first).
enum class WakeOrder {
  // As given: oldest first. Tokio's Semaphore::close and its one-waiter wakes.
  as_released,
  // Tokio's util::WakeList, used by Notify::notify_waiters (so watch's send and its Sender's drop)
  // and by Semaphore::add_permits_locked (add_permits, a permit's drop, a dropped acquire): it takes
  // up to 32 waiters, oldest first, then wakes that batch from its end — the newest first — and goes
  // on with the next 32.
  tokio_batches,
};
inline constexpr std::size_t tokio_wake_batch = 32;  // tokio::util::wake_list::NUM_WAKERS

// Of n waiters given oldest first, the one WakeOrder::tokio_batches wakes k-th (both from 0): with
// n = 3, waiters 2, 1, 0; with n = 40, waiters 31 down to 0, then 39 down to 32.
inline std::size_t tokio_batch_position(std::size_t k, std::size_t n) {
  const std::size_t batch = k / tokio_wake_batch * tokio_wake_batch;
  const std::size_t end = std::min(batch + tokio_wake_batch, n);
  return end - 1 - (k - batch);
}

}  // namespace asynclab::sync::lock_detail
