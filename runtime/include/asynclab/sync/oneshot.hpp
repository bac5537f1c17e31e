#pragma once
// oneshot — `tokio::sync::oneshot`: a channel for exactly one value, from one sender to one receiver.
//
// * channel<T>(name) gives {Sender, Receiver}. Sender::send(v) consumes the sender and never waits:
//   it gives the value back (std::unexpected) when the receiver is already gone or closed.
// * Awaiting the Receiver gives std::expected<T, RecvError>: the value, or RecvError when the sender
//   was dropped without sending (or the receiver closed the channel before a value came).
// * Receiver::try_recv() answers at once: the value, or TryRecvError empty (nothing yet) / closed
//   (nothing ever: the sender is gone, the channel was closed, or the value was already taken).
// * Receiver::close() refuses any later send; a value sent before it can still be received.
//   Sender::is_closed() tells whether the receiver is gone or closed; `co_await tx.closed()` waits
//   for that moment (to stop work nobody will read).
//
// States of the shared state (channel_detail::OneshotState), who may touch what:
// * `value` — set once, by Sender::send; taken once, by the Receiver. Dropped with the Receiver if
//   it was never taken.
// * `tx_alive` — the Sender exists and has not sent. Cleared by send or by dropping the Sender; then
//   the receiver is woken.
// * `rx_closed` — close() was called or the Receiver was dropped; then the sender's closed() waiter
//   is woken. `rx_done` — the Receiver has completed (a value or an error): it is never woken again.
// * One waker per side: the receiver's (stored by a pending await) and the sender's (stored by a
//   pending closed()). Each is refreshed with will_wake and consumed by the wake.
// * Threads: the Sender (and its closed() future) and the Receiver may live on different threads.
//   Every field above is read and written under the state's StateLock (channel_state.hpp); wakes,
//   Waker drops and the drop of an unread value happen after the unlock.
//
// Cancel safety:
// * Awaiting the Receiver — cancel safe while the Receiver survives: a `co_await rx` abandoned
//   mid-wait (its task aborted, the coroutine dropped) takes nothing out of the channel, and a
//   Receiver that still exists can be awaited again. Giving the Receiver itself to a select or a
//   timeout moves it there, so losing that race drops it: the channel closes, and a later send fails
//   and hands the value back to the sender — nothing is lost silently. Only a value sent and not yet
//   received when the Receiver is dropped is dropped with it (recorded as receiver_dropped).
// * Sender::closed — cancel safe: once closed, the channel stays closed.
// * send never waits, so there is nothing to cancel.
//
// Trace: resource_created with kind oneshot, limit 1; channel_value with the value's label (when its
// type has one, trace/value_label.hpp) right before a channel_send that sent; channel_send (sent with 1 buffered, or closed);
// channel_recv (received, empty when the receiver starts waiting, closed); channel_closed once for
// each side that ends before a value was delivered: senders_dropped (the sender dropped without
// sending), receiver_closed or receiver_dropped (the receiver closed or went away before receiving
// — with a value sent and unread, that value is dropped with it).
#include <cassert>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "asynclab/coop.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/channel_state.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::oneshot {

struct RecvError {
  const char* message() const { return "the sender was dropped without sending a value"; }
  friend bool operator==(RecvError, RecvError) = default;
};

class TryRecvError {
 public:
  static TryRecvError empty() { return TryRecvError(true); }
  static TryRecvError closed() { return TryRecvError(false); }
  bool is_empty() const { return empty_; }
  bool is_closed() const { return !empty_; }
  const char* message() const { return empty_ ? "no value sent yet" : "the channel is closed"; }
  friend bool operator==(TryRecvError, TryRecvError) = default;

 private:
  explicit TryRecvError(bool empty) : empty_(empty) {}
  bool empty_;
};

}  // namespace asynclab::sync::oneshot

namespace asynclab::sync::channel_detail {

template <class T>
class OneshotState final : public ChannelState {
 public:
  explicit OneshotState(std::string_view name) : ChannelState(trace::ResourceKind::oneshot, name, 1) {}

  std::optional<T> value;
  Waker rx_waker;
  Waker tx_waker;
  const void* tx_waiter = nullptr;  // the closed() future whose waker tx_waker is
  bool tx_alive = true;
  bool rx_closed = false;
  bool rx_done = false;
  bool rx_waiting = false;

  // The entry points below (send, sender_dropped, receiver_dropped, close, the waits_for checks)
  // take the lock themselves; try_take, receiver_waits and forget_sender_waker expect the caller's
  // Guard.
  std::expected<void, T> send(T&& v) {
    Guard g(*this);
    tx_alive = false;
    if (rx_closed) {
      trace_send(0, trace::SendResult::closed);
      return std::unexpected(std::move(v));
    }
    value.emplace(std::move(v));
    trace_value(*value);
    trace_send(1, trace::SendResult::sent);
    wake_receiver();
    return {};
  }
  void sender_dropped() {
    Guard g(*this);
    tx_alive = false;
    tx_waiter = nullptr;
    defer_drop(tx_waker);
    if (!rx_closed && !rx_done) trace_closed(trace::CloseReason::senders_dropped);
    wake_receiver();
  }

  // The receiver's poll and try_recv: a value, an error, or nothing yet (empty optional).
  std::optional<std::expected<T, oneshot::RecvError>> try_take() {
    if (value) {
      std::expected<T, oneshot::RecvError> out(std::move(*value));
      value.reset();
      finish_receiving();
      trace_recv(0, trace::RecvResult::received);
      return out;
    }
    if (!tx_alive || rx_closed) {
      if (!rx_done) trace_recv(0, trace::RecvResult::closed);
      finish_receiving();
      return std::unexpected(oneshot::RecvError{});
    }
    return std::nullopt;
  }
  void receiver_waits(const Waker& w) {
    refresh_waker(rx_waker, w);
    if (!rx_waiting) {
      rx_waiting = true;
      trace_recv(0, trace::RecvResult::empty);
    }
    waiting();
  }
  void close(trace::CloseReason why) {
    Guard g(*this);
    close_receiving_side(why);
  }
  // Dropping the Receiver: an unread value moves into `doomed`, destroyed by the caller after the unlock.
  void receiver_dropped(std::optional<T>& doomed) {
    Guard g(*this);
    rx_waiting = false;
    defer_drop(rx_waker);
    close_receiving_side(trace::CloseReason::receiver_dropped);
    if (value) {
      if (!rx_done) trace_closed(trace::CloseReason::receiver_dropped);  // a value nobody will read
      doomed.emplace(std::move(*value));
      value.reset();
    }
    rx_done = true;
  }
  void forget_sender_waker(const void* closed_future) {
    if (tx_waiter != closed_future) return;
    tx_waiter = nullptr;
    defer_drop(tx_waker);
  }
  void refresh_tx_waker(const Waker& w) { refresh_waker(tx_waker, w); }
  bool sender_waits_for(const void* closed_future) const {
    std::lock_guard g(lock_);
    return tx_waiter == closed_future;
  }
  bool receiver_closed() const {
    std::lock_guard g(lock_);
    return rx_closed;
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    std::string s = value ? "value sent, not yet received" : rx_done ? "value received" : "no value yet";
    s += tx_alive ? ", sender alive" : ", sender gone";
    if (rx_closed) s += ", receiver closed";
    if (rx_waiting) s += ", receiver waiting";
    if (tx_waiter) s += ", sender waiting for the receiver to close";
    out.state = std::move(s);
  }

 private:
  void close_receiving_side(trace::CloseReason why) {
    if (rx_closed) return;
    rx_closed = true;
    if (!rx_done && !value) trace_closed(why);
    if (tx_waiter) {
      tx_waiter = nullptr;
      defer_wake(tx_waker);
    }
  }
  void wake_receiver() {
    if (rx_waiting) {
      rx_waiting = false;
      defer_wake(rx_waker);
    }
  }
  void finish_receiving() {
    rx_done = true;
    rx_waiting = false;
    defer_drop(rx_waker);
  }
};

}  // namespace asynclab::sync::channel_detail

namespace asynclab::sync::oneshot {

template <class T>
using State = channel_detail::OneshotState<T>;

// What Sender::closed returns: completes once the receiver is dropped or closed.
template <class T>
class [[nodiscard("futures are lazy: closed() does nothing until it is awaited")]] Closed {
 public:
  using Output = void;
  explicit Closed(State<T>* s) : state_(s) {}
  Closed(Closed&& o) noexcept : state_(std::move(o.state_)) {
    assert((!state_ || !state_->sender_waits_for(&o)) && "a closed() future was moved while it waited");
  }
  Closed& operator=(Closed&&) = delete;
  ~Closed() {
    if (state_) {
      typename State<T>::Guard g(*state_);
      state_->forget_sender_waker(this);
    }
  }

  Poll<void> poll(Context& cx) {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    if (s.rx_closed) {
      s.forget_sender_waker(this);
      return Poll<void>::ready();
    }
    s.refresh_tx_waker(cx.waker());
    s.tx_waiter = this;
    s.waiting();
    return Poll<void>::pending();
  }

 private:
  channel_detail::ChannelRef<State<T>> state_;
};

template <class T>
class Sender {
 public:
  explicit Sender(State<T>* s) : state_(s) {}
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&& other) noexcept {
    if (this != &other) {
      drop();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~Sender() { drop(); }

  // Sends the value; gives it back when the receiver has gone away or closed. Consumes the sender.
  std::expected<void, T> send(T value) && {
    assert(state_ && "oneshot::Sender::send on a sender already used");
    auto s = std::move(state_);
    return s->send(std::move(value));
  }
  bool is_closed() const { return !state_ || state_->receiver_closed(); }
  // Completes when the receiver is dropped or closed.
  Closed<T> closed() { return Closed<T>(state_.get()); }

 private:
  void drop() {
    if (state_) std::exchange(state_, {})->sender_dropped();
  }
  channel_detail::ChannelRef<State<T>> state_;
};

template <class T>
class [[nodiscard("futures are lazy: a oneshot Receiver does nothing until it is awaited")]] Receiver {
 public:
  using Output = std::expected<T, RecvError>;

  explicit Receiver(State<T>* s) : state_(s) {}
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    if (this != &other) {
      drop();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~Receiver() { drop(); }

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    if (auto r = s.try_take()) return Poll<Output>::ready(std::move(*r));
    s.receiver_waits(cx.waker());
    return Poll<Output>::pending();
  }

  std::expected<T, TryRecvError> try_recv() {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    if (s.rx_done) return std::unexpected(TryRecvError::closed());
    auto r = s.try_take();
    if (!r) return std::unexpected(TryRecvError::empty());
    if (!*r) return std::unexpected(TryRecvError::closed());
    return std::move(**r);
  }

  // Refuses any later send; a value already sent can still be received.
  void close() { state_->close(trace::CloseReason::receiver_closed); }

 private:
  void drop() {
    if (!state_) return;
    std::optional<T> doomed;  // a value sent and never received: destroyed here, after the unlock
    std::exchange(state_, {})->receiver_dropped(doomed);
  }
  channel_detail::ChannelRef<State<T>> state_;
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::string_view name = {}) {
  auto* s = new State<T>(name);
  return {Sender<T>(s), Receiver<T>(s)};
}

}  // namespace asynclab::sync::oneshot
