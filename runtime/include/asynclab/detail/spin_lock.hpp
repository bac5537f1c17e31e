#pragma once
// SpinLock: the lock a task header or a primitive's shared state takes around a few loads and stores.
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

// The lock of a sync primitive's shared state, taken only when the primitive may be used from
// several threads at once. Decided once, when the primitive is made (see
// detail::may_be_shared_across_threads in resource.hpp): one made inside a current-thread or
// simulated runtime serves that runtime's one thread — whose tasks' wakers are single-threaded
// anyway (waker.hpp) — so it skips the atomic instructions, and the single-threaded runtimes keep
// their speed. One made on worker threads, or outside any runtime, locks.
class OptionalSpinLock {
 public:
  explicit OptionalSpinLock(bool enabled) noexcept : enabled_(enabled) {}
  void lock() noexcept {
    if (enabled_) lock_.lock();
  }
  bool try_lock() noexcept { return !enabled_ || lock_.try_lock(); }
  void unlock() noexcept {
    if (enabled_) lock_.unlock();
  }
  bool enabled() const noexcept { return enabled_; }

 private:
  SpinLock lock_;
  bool enabled_;
};

}  // namespace asynclab::detail
