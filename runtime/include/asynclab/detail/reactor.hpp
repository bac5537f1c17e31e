#pragma once
// The I/O reactor: one epoll instance per real-time scheduler — tokio's runtime/io driver, cut down
// to what TCP on loopback needs.
//
// Rules:
// * One per real-time Scheduler, made with it. On the current-thread runtime everything happens on
//   its thread. On worker threads (tokio's multi_thread), sockets are used from any worker and one
//   idle worker at a time drives the reactor (see "Worker threads" in scheduler.hpp): the waker
//   slots and `parked_` change only under `lock_`, and wakers are woken and dropped after it is
//   released; wait() and dispatch() are called by one thread at a time (the driver), and
//   `notify()` by any thread (post_remote and a push of new work use it to end a wait).
// * A socket is registered once, edge-triggered, for read and write readiness together
//   (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET). Futures try the system call first and only on
//   EAGAIN park their waker in the IoSource (one reader and one writer slot). An edge that arrives
//   after the EAGAIN wakes the parked waker; an edge that no future waited for is dropped, since the
//   next attempt will find the data anyway. A wake that finds nothing is harmless: the future tries
//   again and parks again.
// * On worker threads an edge may be dispatched by another worker between a future's EAGAIN and
//   its park, and would be lost. So every dispatched edge bumps the direction's `ticks` (under the
//   lock); a future reads the tick before its system call and parks with it, and park refuses (the
//   future tries again at once) when an edge came in between — tokio's readiness tick, cut down.
// * Events are dispatched right after epoll_wait returns, before the driver runs any task. Each
//   event names its source by slot and generation (see sources_), so a source deregistered on
//   another worker in between is recognised and skipped.
// * `parked()` counts the waker slots that are filled: while it is non-zero the runtime is not stuck
//   (an event may still come), so an idle scheduler waits in epoll_wait instead of reporting a
//   deadlock. A future dropped while parked empties its slot (see IoSource::unpark), so a cancelled
//   read never keeps a runtime waiting.
// * The eventfd is registered level-triggered and read back when it fires; the remote completions
//   it announced are drained by the scheduler's loop (remote_pending_), not here.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "asynclab/detail/spin_lock.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::detail {

class Reactor;

enum class Interest : std::uint8_t { read = 0, write = 1 };

// What the reactor knows of one registered socket. Owned by the socket (heap-allocated, so the
// pointer epoll holds stays put when the socket object moves).
struct IoSource {
  int fd = -1;
  Reactor* reactor = nullptr;
  Waker waiters[2];  // [Interest::read], [Interest::write]
  std::atomic<std::uint32_t> ticks[2] = {0, 0};  // edges dispatched, per direction (see the rules)
  std::uint32_t table_slot = 0;  // in the reactor's table (see Reactor::sources_)

  // Read before the system call whose EAGAIN leads to park(i, waker, tick).
  std::uint32_t tick(Interest i) const { return ticks[static_cast<int>(i)].load(std::memory_order_acquire); }
  // Stores (or keeps, if it would wake the same task) the waker for this direction — unless an edge
  // was dispatched since `tick` was read: then false, nothing stored, and the caller tries again.
  bool park(Interest i, const Waker& waker, std::uint32_t tick);
  // Forgets the waker of this direction, if any (the future that parked it was dropped).
  void unpark(Interest i);
};

class Reactor {
 public:
  Reactor();
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Registers `source` (its fd set); throws std::system_error if epoll refuses.
  void add(IoSource* source);
  // Deregisters and forgets the source's wakers. The fd is the caller's to close.
  void remove(IoSource* source);

  // Waits up to timeout_ns (-1: no limit, 0: just look) and keeps the events that arrived (reading
  // the eventfd back if it fired). Returns the number of socket events kept. The wait is exact to the
  // nanosecond (epoll_pwait2) where the kernel has it (Linux 5.11+); elsewhere it is rounded up to
  // whole milliseconds, so a timer may fire up to a millisecond late but never early.
  std::size_t wait(std::int64_t timeout_ns);
  // Wakes the wakers parked on the sockets of the events kept by the last wait(). Returns how many.
  std::size_t dispatch();
  // Any thread: ends a wait in poll() that is under way or about to start.
  void notify();

  // A snapshot on worker threads: a socket may be parked or woken on another worker meanwhile.
  std::size_t parked() const { return parked_.load(std::memory_order_relaxed); }

 private:
  friend struct IoSource;
  void forget(IoSource* source);  // frees its slot and bumps the slot's generation
  static constexpr int max_events = 256;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  SpinLock lock_;  // the waker slots of every registered IoSource, parked_ and sources_
  std::atomic<std::size_t> parked_{0};
  // Registered sources by slot. epoll carries (slot, generation), not the pointer: on worker threads
  // a socket may be closed and freed on one worker after the driver's epoll_wait returned its event
  // and before dispatch; dispatch then finds the generation changed and skips it.
  struct SourceSlot {
    IoSource* source = nullptr;
    std::uint32_t generation = 0;
  };
  std::vector<SourceSlot> sources_;
  std::vector<std::uint32_t> free_slots_;
  struct Ready {
    std::uint64_t token;  // slot | generation << 32
    std::uint32_t events;
  };
  Ready ready_[max_events];
  int ready_count_ = 0;
};

}  // namespace asynclab::detail
