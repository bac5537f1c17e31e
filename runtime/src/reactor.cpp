// The epoll reactor. See detail/reactor.hpp for the rules this file keeps.
#include "asynclab/detail/reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <system_error>
#include <utility>

namespace asynclab::detail {

namespace {
// The eventfd's epoll data: a pointer no IoSource can have.
void* const eventfd_tag = nullptr;
}  // namespace

void IoSource::park(Interest i, const Waker& waker) {
  Waker& slot = waiters[static_cast<int>(i)];
  if (!slot) {
    slot = waker;
    if (reactor) ++reactor->parked_;
  } else if (!slot.will_wake(waker)) {
    slot = waker;
  }
}

void IoSource::unpark(Interest i) {
  Waker& slot = waiters[static_cast<int>(i)];
  if (!slot) return;
  slot.reset();
  if (reactor) --reactor->parked_;
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
  ev.data.ptr = eventfd_tag;
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
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = source;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, source->fd, &ev) < 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD)");
  source->reactor = this;
}

void Reactor::remove(IoSource* source) {
  source->unpark(Interest::read);
  source->unpark(Interest::write);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, source->fd, nullptr);  // closing the fd would do it too
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
    if (events[i].data.ptr == eventfd_tag) {
      std::uint64_t count;
      while (::read(event_fd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    ready_[ready_count_++] = Ready{static_cast<IoSource*>(events[i].data.ptr), events[i].events};
  }
  return static_cast<std::size_t>(ready_count_);
}

std::size_t Reactor::dispatch() {
  std::size_t woken = 0;
  const int count = std::exchange(ready_count_, 0);
  for (int i = 0; i < count; ++i) {
    IoSource* source = ready_[i].source;
    const std::uint32_t e = ready_[i].events;
    // An error or hang-up ends both directions' waits: the next attempt reports it.
    const bool readable = e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    const bool writable = e & (EPOLLOUT | EPOLLHUP | EPOLLERR);
    for (auto [ready, interest] : {std::pair{readable, Interest::read}, std::pair{writable, Interest::write}}) {
      Waker& slot = source->waiters[static_cast<int>(interest)];
      if (!ready || !slot) continue;
      Waker w = std::move(slot);
      --parked_;
      w.wake();
      ++woken;
    }
  }
  return woken;
}

void Reactor::notify() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the wait will end anyway.
  [[maybe_unused]] auto r = ::write(event_fd_, &one, sizeof one);
}

}  // namespace asynclab::detail
