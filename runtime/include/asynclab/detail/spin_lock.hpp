#pragma once
// SpinLock: the lock the scheduler's own structures (a task header, a worker's queue, the timer heap)
// take around a few loads and stores. A sync primitive's shared state uses StateLock instead
// (state_lock.hpp): users can make those contended, and a spinning waiter is costly there.
//
// Why not std::mutex: the sections it guards are a handful of instructions (a state word, a waker,
// a queue's head), taken on every poll, wake and send. Uncontended, this costs one atomic exchange
// and one store, and it has no constructor or destructor to run. Contended, a waiter spins briefly
// with a pause instruction and then yields its core, so a holder that was preempted gets to finish.
//
// Rules:
// * Hold it for a bounded handful of instructions. Never wake a task, drop a Waker, run a
//   destructor of user data or take another lock that can be waiting on this one while holding it:
//   take what must be woken out, unlock, then wake (a wake may re-enter the same primitive).
// * It meets std's BasicLockable (lock/unlock), so std::lock_guard and std::unique_lock work.
// * acquire on lock, release on unlock: what one holder wrote, the next holder reads. TSan sees the
//   same ordering, so it reports no race on what the lock guards.
#include <atomic>
#include <thread>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace asynclab::detail {

class SpinLock {
 public:
  void lock() noexcept {
    if (!locked_.exchange(true, std::memory_order_acquire)) [[likely]]
      return;
    lock_slow();
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  void lock_slow() noexcept {
    for (unsigned spins = 0;; ++spins) {
      // Test before test-and-set: spinning on a plain load keeps the cache line shared.
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < 64) {
          pause();
          ++spins;
        } else {
          std::this_thread::yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }
  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }

  std::atomic<bool> locked_{false};
};

}  // namespace asynclab::detail
