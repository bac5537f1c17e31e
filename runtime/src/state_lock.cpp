// StateLock's slow path: a short spin, then sleep on a futex (see state_lock.hpp).
#include "asynclab/detail/state_lock.hpp"

#include <climits>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace asynclab::detail {

namespace {

// How long a waiter spins before it sleeps, in pause instructions. A holder keeps the lock for a
// handful of instructions, so a waiter whose holder is running gets it within a few checks; one
// whose holder was preempted (more threads than cores) would spin for a whole time slice, so it
// sleeps instead.
constexpr int spin_limit = 400;

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

std::uint32_t* futex_word(std::atomic<std::uint32_t>& a) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&a);
}

std::atomic<std::uint64_t> sleeps{0};

}  // namespace

std::uint64_t StateLock::sleeps_so_far() noexcept { return sleeps.load(std::memory_order_relaxed); }

void StateLock::lock_slow() noexcept {
  // Between checks the waiter pauses twice as long each time (up to 64 pauses). Each check pulls the
  // lock's cache line over, and the fields the lock guards share that line (sync/detail/deferred.hpp):
  // a waiter checking on every pause made the holder miss the line on each write. (mpsc_contention
  // on 2 workers: 454 ns/op checking on every pause, 345 ns/op with the back-off.)
  for (int i = 0, pauses = 1; i < spin_limit; i += pauses, pauses = pauses < 64 ? pauses * 2 : pauses) {
    for (int p = 0; p < pauses; ++p) cpu_relax();
    // Test before test-and-set: a plain load keeps the cache line shared.
    if (word_.load(std::memory_order_relaxed) != unlocked) continue;
    std::uint32_t expected = unlocked;
    if (word_.compare_exchange_weak(expected, locked, std::memory_order_acquire, std::memory_order_relaxed))
      return;
  }
  // Sleep until the holder's unlock. Whoever takes the lock from here marks it contended, so its
  // own unlock wakes the next sleeper (at worst one wake too many, never one too few).
  while (word_.exchange(contended, std::memory_order_acquire) != unlocked) {
    sleeps.fetch_add(1, std::memory_order_relaxed);
    ::syscall(SYS_futex, futex_word(word_), FUTEX_WAIT_PRIVATE, contended, nullptr, nullptr, 0);
  }
}

void StateLock::wake_one() noexcept {
  ::syscall(SYS_futex, futex_word(word_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace asynclab::detail
