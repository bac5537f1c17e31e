#pragma once
// oneshot — `tokio::sync::oneshot`: a channel for exactly one value, from one sender to one receiver.
//
// Rules:
// * channel<T>() gives {Sender, Receiver}. Sender::send(v) consumes the sender and never waits: it
//   gives the value back (std::unexpected) when the receiver is already gone.
// * Awaiting the Receiver gives std::expected<T, RecvError>: the value, or RecvError when the sender
//   was dropped without sending.
// * Receiver::close() refuses any future send; Sender::is_closed() tells whether the receiver is gone.
// * Cancel safety: dropping a pending receive loses nothing the receiver could still have read; the
//   Receiver itself can be awaited again later.
// * Single-threaded: both halves live on the runtime's thread.
#include <expected>
#include <memory>
#include <optional>
#include <utility>

#include "asynclab/future.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::oneshot {

struct RecvError {
  const char* message() const { return "the sender was dropped without sending a value"; }
};

namespace detail {
template <class T>
struct Shared {
  std::optional<T> value;
  Waker receiver_waker;
  bool sender_alive = true;
  bool receiver_alive = true;
};
}  // namespace detail

template <class T>
class Sender {
 public:
  explicit Sender(std::shared_ptr<detail::Shared<T>> s) : shared_(std::move(s)) {}
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&& other) noexcept {
    if (this != &other) {
      close_sender();
      shared_ = std::move(other.shared_);
    }
    return *this;
  }
  ~Sender() { close_sender(); }

  // Sends the value; gives it back when the receiver has gone away. Consumes the sender.
  std::expected<void, T> send(T value) && {
    auto s = std::move(shared_);
    s->sender_alive = false;
    if (!s->receiver_alive) return std::unexpected(std::move(value));
    s->value.emplace(std::move(value));
    if (s->receiver_waker) s->receiver_waker.wake();
    return {};
  }
  bool is_closed() const { return !shared_ || !shared_->receiver_alive; }

 private:
  void close_sender() {
    if (!shared_) return;
    shared_->sender_alive = false;
    if (shared_->receiver_waker) shared_->receiver_waker.wake();
    shared_.reset();
  }
  std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
class [[nodiscard("futures are lazy: a oneshot Receiver does nothing until it is awaited")]] Receiver {
 public:
  using Output = std::expected<T, RecvError>;

  explicit Receiver(std::shared_ptr<detail::Shared<T>> s) : shared_(std::move(s)) {}
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&&) noexcept = default;
  ~Receiver() {
    if (shared_) {
      shared_->receiver_alive = false;
      shared_->receiver_waker.reset();
    }
  }

  Poll<Output> poll(Context& cx) {
    auto& s = *shared_;
    if (s.value) {
      T v = std::move(*s.value);
      s.value.reset();
      s.receiver_waker.reset();
      return Poll<Output>::ready(Output(std::move(v)));
    }
    if (!s.sender_alive) return Poll<Output>::ready(std::unexpected(RecvError{}));
    if (!s.receiver_waker.will_wake(cx.waker())) s.receiver_waker = cx.waker();
    return Poll<Output>::pending();
  }

  // Refuses any later send; a value already sent can still be received.
  void close() { shared_->receiver_alive = false; }

 private:
  std::shared_ptr<detail::Shared<T>> shared_;
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel() {
  auto shared = std::make_shared<detail::Shared<T>>();
  return {Sender<T>(shared), Receiver<T>(shared)};
}

}  // namespace asynclab::sync::oneshot
