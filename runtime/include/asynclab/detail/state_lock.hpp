#pragma once
// StateLock: the lock of a sync primitive's shared state (a channel, Mutex, Semaphore, Notify).
//
// Why not SpinLock (spin_lock.hpp): a program decides how contended a primitive is — five
// producers on one channel — and may run more worker threads than the machine has cores. A spinning
// waiter whose holder was preempted burns its whole time slice (medians of mpsc_contention with 4
// workers on 2 cores: 1,610 ns/op that way, 1,108 with this lock). So a waiter spins only briefly,
// backing off between checks, then sleeps on a futex until the holder's unlock wakes it. Why not
// std::mutex: it cannot be switched off (below), and it never spins, while most waits here last a
// handful of instructions.
//
// Rules:
// * Taken only when the primitive may be used from several threads at once. Decided once, when the
//   primitive is made (detail::may_be_shared_across_threads in resource.hpp): one made inside a
//   current-thread or simulated runtime serves that runtime's one thread — whose tasks' wakers are
//   single-threaded anyway (waker.hpp) — so it skips the atomic instructions, and the
//   single-threaded runtimes keep their speed. One made on worker threads, or outside any runtime,
//   locks.
// * The word has Drepper's three states ("Futexes Are Tricky"): unlocked, locked, and locked with a
//   possible sleeper. Only an unlock that finds the third makes a system call.
// * Same contract as SpinLock otherwise: held for a bounded handful of instructions, never across a
//   wake or a Waker's drop; acquire on lock, release on unlock; std's BasicLockable.
#include <atomic>
#include <cstdint>

namespace asynclab::detail {

class StateLock {
 public:
  explicit StateLock(bool enabled) noexcept : enabled_(enabled) {}
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  void lock() noexcept {
    if (!enabled_) return;
    std::uint32_t expected = unlocked;
    if (word_.compare_exchange_strong(expected, locked, std::memory_order_acquire, std::memory_order_relaxed))
        [[likely]]
      return;
    lock_slow();
  }
  bool try_lock() noexcept {
    if (!enabled_) return true;
    std::uint32_t expected = unlocked;
    return word_.load(std::memory_order_relaxed) == unlocked &&
           word_.compare_exchange_strong(expected, locked, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void unlock() noexcept {
    if (!enabled_) return;
    if (word_.exchange(unlocked, std::memory_order_release) == contended) [[unlikely]]
      wake_one();
  }
  bool enabled() const noexcept { return enabled_; }

  // How many times a waiter stopped spinning and went to sleep on any StateLock in this process
  // (counting a futex wait refused because the lock changed meanwhile): tests use it to know the
  // sleeping path was taken, not only the spin.
  static std::uint64_t sleeps_so_far() noexcept;

 private:
  static constexpr std::uint32_t unlocked = 0, locked = 1, contended = 2;

  void lock_slow() noexcept;  // spin a little, then sleep (src/state_lock.cpp)
  void wake_one() noexcept;

  std::atomic<std::uint32_t> word_{unlocked};
  bool enabled_;
};

}  // namespace asynclab::detail
