// StateLock (detail/state_lock.hpp), the lock of a sync primitive's shared state, on its own: mutual
// exclusion with more threads than cores, the sleeping path and its wake, try_lock, and the
// switched-off lock of single-threaded runtimes. This target runs under ThreadSanitizer in CI, which
// sees the lock's acquire and release: a counter guarded by it must not race.
#include <catch2/catch.hpp>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "asynclab/detail/state_lock.hpp"

using asynclab::detail::StateLock;

TEST_CASE("StateLock: 8 threads x 20,000 increments of a plain counter lose none", "[state_lock]") {
  // More threads than this machine's cores: holders get preempted, so waiters sleep as well as spin.
  StateLock lock(true);
  std::uint64_t counter = 0;  // plain: only the lock keeps the increments apart
  constexpr int threads = 8, rounds = 20'000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        std::lock_guard g(lock);
        ++counter;
      }
    });
  for (auto& th : pool) th.join();
  CHECK(counter == std::uint64_t{threads} * rounds);
}

TEST_CASE("StateLock: waiters that went to sleep are woken by the unlock, one after another", "[state_lock]") {
  StateLock lock(true);
  std::uint64_t counter = 0;
  constexpr int waiters = 4;
  const std::uint64_t sleeps_before = StateLock::sleeps_so_far();
  lock.lock();
  std::vector<std::thread> pool;
  for (int t = 0; t < waiters; ++t)
    pool.emplace_back([&] {
      std::lock_guard g(lock);
      ++counter;
    });
  // Hold the lock until every waiter has stopped spinning and gone to sleep (each spins only a
  // hundred pauses first), so the unlock below must wake a sleeper, and each next unlock the next.
  while (StateLock::sleeps_so_far() - sleeps_before < waiters) std::this_thread::yield();
  CHECK(counter == 0);  // nobody got in while it was held
  lock.unlock();
  for (auto& th : pool) th.join();  // a lost wake would hang here (CTest's timeout fails it)
  CHECK(counter == waiters);
  CHECK(lock.try_lock());  // and the lock is free again
  lock.unlock();
}

TEST_CASE("StateLock: try_lock fails while held and succeeds once released", "[state_lock]") {
  StateLock lock(true);
  CHECK(lock.try_lock());
  bool other = true;
  std::thread([&] { other = lock.try_lock(); }).join();
  CHECK_FALSE(other);
  lock.unlock();
  std::thread([&] {
    other = lock.try_lock();
    if (other) lock.unlock();
  }).join();
  CHECK(other);
}

TEST_CASE("StateLock: switched off (a single-threaded runtime's primitive), it never blocks", "[state_lock]") {
  StateLock lock(false);
  CHECK_FALSE(lock.enabled());
  lock.lock();
  CHECK(lock.try_lock());  // a second lock on the same thread goes through: it takes nothing
  lock.lock();
  lock.unlock();
  lock.unlock();
  CHECK(StateLock(true).enabled());
}
