// The epoll reactor. See detail/reactor.hpp for the rules this file keeps.
#include "asynclab/detail/reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <utility>

namespace asynclab::detail {

namespace {
// The eventfd's epoll data: a token no IoSource can have.
constexpr std::uint64_t eventfd_token = ~std::uint64_t{0};
}  // namespace

bool IoSource::park(Interest i, const Waker& waker, std::uint32_t seen) {
  Waker replaced;  // dropped after the lock is released (see the rules)
  std::unique_lock<SpinLock> lock;
  if (reactor) lock = std::unique_lock(reactor->lock_);
  if (ticks[static_cast<int>(i)].load(std::memory_order_relaxed) != seen) return false;
  Waker& slot = waiters[static_cast<int>(i)];
  if (!slot) {
    slot = waker;
    if (reactor) reactor->parked_.fetch_add(1, std::memory_order_relaxed);
  } else if (!slot.will_wake(waker)) {
    replaced = std::exchange(slot, waker);
  }
  return true;
}

void IoSource::unpark(Interest i) {
  Waker dropped;  // dropped after the lock is released
  std::unique_lock<SpinLock> lock;
  if (reactor) lock = std::unique_lock(reactor->lock_);
  Waker& slot = waiters[static_cast<int>(i)];
  if (!slot) return;
  dropped = std::move(slot);
  if (reactor) reactor->parked_.fetch_sub(1, std::memory_order_relaxed);
}

Reactor::Reactor() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) {
    const int err = errno;
    ::close(epoll_fd_);
    throw std::system_error(err, std::generic_category(), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered: a notify before the wait still ends it
  ev.data.u64 = eventfd_token;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) < 0) {
    const int err = errno;
    ::close(event_fd_);
    ::close(epoll_fd_);
    throw std::system_error(err, std::generic_category(), "epoll_ctl(eventfd)");
  }
}

Reactor::~Reactor() {
  ::close(event_fd_);
  ::close(epoll_fd_);
}

void Reactor::add(IoSource* source) {
  std::uint64_t token;
  {
    std::lock_guard lock(lock_);
    if (free_slots_.empty()) {
      source->table_slot = static_cast<std::uint32_t>(sources_.size());
      sources_.emplace_back();
    } else {
      source->table_slot = free_slots_.back();
      free_slots_.pop_back();
    }
    SourceSlot& s = sources_[source->table_slot];
    s.source = source;
    token = source->table_slot | std::uint64_t{s.generation} << 32;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, source->fd, &ev) < 0) {
    const int err = errno;
    forget(source);
    throw std::system_error(err, std::generic_category(), "epoll_ctl(ADD)");
  }
  source->reactor = this;
}

void Reactor::forget(IoSource* source) {
  std::lock_guard lock(lock_);
  SourceSlot& s = sources_[source->table_slot];
  s.source = nullptr;
  ++s.generation;
  free_slots_.push_back(source->table_slot);
}

void Reactor::remove(IoSource* source) {
  source->unpark(Interest::read);
  source->unpark(Interest::write);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, source->fd, nullptr);  // closing the fd would do it too
  forget(source);  // an event of it already returned by a wait is skipped by dispatch
  source->reactor = nullptr;
}

std::size_t Reactor::wait(std::int64_t timeout_ns) {
  epoll_event events[max_events];
  ready_count_ = 0;
  int n = -1;
  static std::atomic<bool> has_pwait2{true};  // until the kernel says ENOSYS
  if (has_pwait2.load(std::memory_order_relaxed)) {
    timespec timeout{static_cast<time_t>(timeout_ns / 1'000'000'000), static_cast<long>(timeout_ns % 1'000'000'000)};
    n = ::epoll_pwait2(epoll_fd_, events, max_events, timeout_ns < 0 ? nullptr : &timeout, nullptr);
    if (n < 0 && errno == ENOSYS) has_pwait2.store(false, std::memory_order_relaxed);
  }
  if (!has_pwait2.load(std::memory_order_relaxed)) {
    // Whole milliseconds, rounded up: looking at a timer early would only spin.
    const std::int64_t ms = timeout_ns < 0 ? -1 : std::min<std::int64_t>((timeout_ns + 999'999) / 1'000'000, 1 << 30);
    n = ::epoll_wait(epoll_fd_, events, max_events, static_cast<int>(ms));
  }
  if (n < 0) {
    if (errno == EINTR) return 0;  // a signal: the caller's loop looks again
    throw std::system_error(errno, std::generic_category(), "epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 == eventfd_token) {
      std::uint64_t count;
      while (::read(event_fd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    ready_[ready_count_++] = Ready{events[i].data.u64, events[i].events};
  }
  return static_cast<std::size_t>(ready_count_);
}

std::size_t Reactor::dispatch() {
  // Taken out under the lock, woken after it: a wake may run on another worker at once and park
  // this very socket again.
  Waker woken[2 * max_events];
  std::size_t n = 0;
  {
    std::lock_guard lock(lock_);
    const int count = std::exchange(ready_count_, 0);
    for (int i = 0; i < count; ++i) {
      const std::uint32_t index = static_cast<std::uint32_t>(ready_[i].token);
      if (index >= sources_.size() || sources_[index].generation != ready_[i].token >> 32) continue;
      IoSource* source = sources_[index].source;  // still registered: not freed (see forget)
      if (!source) continue;
      const std::uint32_t e = ready_[i].events;
      // An error or hang-up ends both directions' waits: the next attempt reports it.
      const bool readable = e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
      const bool writable = e & (EPOLLOUT | EPOLLHUP | EPOLLERR);
      for (auto [ready, interest] : {std::pair{readable, Interest::read}, std::pair{writable, Interest::write}}) {
        if (!ready) continue;
        source->ticks[static_cast<int>(interest)].fetch_add(1, std::memory_order_release);
        Waker& slot = source->waiters[static_cast<int>(interest)];
        if (!slot) continue;
        woken[n++] = std::move(slot);
        parked_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) woken[i].wake();
  return n;
}

void Reactor::notify() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the wait will end anyway.
  [[maybe_unused]] auto r = ::write(event_fd_, &one, sizeof one);
}

}  // namespace asynclab::detail
