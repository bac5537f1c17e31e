#pragma once
// The I/O reactor: one epoll instance per real-time scheduler — tokio's runtime/io driver, cut down
// to what TCP on loopback needs.
//
// Rules:
// * One per real-time Scheduler, made with it, touched only on its thread — except `notify()`,
//   which any thread may call (post_remote uses it to end an idle wait).
// * A socket is registered once, edge-triggered, for read and write readiness together
//   (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET). Futures do not track readiness: they try the system
//   call first and only on EAGAIN park their waker in the IoSource (one reader and one writer slot).
//   An edge that arrives after the EAGAIN wakes the parked waker; an edge that no future waited for
//   is simply dropped, since the next attempt will find the data anyway. A wake that finds nothing
//   is harmless: the future tries again and parks again.
// * Events are dispatched right after epoll_wait returns, before any task runs, so no IoSource can
//   be deregistered while its event is being handled.
// * `parked()` counts the waker slots that are filled: while it is non-zero the runtime is not stuck
//   (an event may still come), so an idle scheduler waits in epoll_wait instead of reporting a
//   deadlock. A future dropped while parked empties its slot (see IoSource::unpark), so a cancelled
//   read never keeps a runtime waiting.
// * The eventfd is registered level-triggered and read back when it fires; the remote completions
//   it announced are drained by the scheduler's loop (remote_pending_), not here.
#include <cstddef>
#include <cstdint>

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

  // Stores (or keeps, if it would wake the same task) the waker for this direction.
  void park(Interest i, const Waker& waker);
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

  std::size_t parked() const { return parked_; }

 private:
  friend struct IoSource;
  static constexpr int max_events = 256;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  std::size_t parked_ = 0;
  struct Ready {
    IoSource* source;
    std::uint32_t events;
  };
  Ready ready_[max_events];
  int ready_count_ = 0;
};

}  // namespace asynclab::detail
