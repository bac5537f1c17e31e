#pragma once
// watch — `tokio::sync::watch`: one sender, many receivers, and only the latest value matters.
//
// * channel<T>(init, name) → {Sender, Receiver}. The channel always holds exactly one value; a send
//   replaces it. A receiver that was busy while three values were sent sees only the third.
// * Receiver::borrow() reads the current value without marking it seen; borrow_and_update() reads
//   it and marks it seen. `co_await rx.changed()` completes at once if the current value is newer
//   than the last one this receiver marked seen (and marks it seen), otherwise waits for the next
//   send; it gives RecvError only when the sender is gone and nothing unseen is left.
// * Sender::send(v) fails, giving v back, when every receiver is gone (the value is not stored);
//   send_replace(v) stores v even then and returns the old value; send_modify(f) edits the value in
//   place and always notifies; send_if_modified(f) notifies only when f returns true.
// * Receiver is copyable (a clone starts with the same "seen" mark); Sender::subscribe() makes a
//   receiver that has seen the current value.
//
// States of the shared state (channel_detail::WatchState), who may touch what:
// * `value` and `version` — written only by the Sender; every send adds 1 to `version`. Each
//   Receiver owns `seen`, the version it last marked seen: it has a change waiting iff
//   seen != version.
// * `tx_alive`, `receivers` — the sender exists; receivers alive. Dropping the Sender wakes every
//   changed() waiter (they then see RecvError once they have seen the last value); dropping the last
//   Receiver wakes every Sender::closed() waiter. Every one of these wakes (and a send's) goes out as
//   Tokio's Notify::notify_waiters sends them: up to 32 waiters newest first (see notify.hpp).
// * `borrows` — Refs alive. Tokio's Ref holds a read lock, so sending while one is alive on the
//   same thread deadlocks; here it throws std::logic_error with that explanation instead of hanging.
//   A Ref alive on ANOTHER thread makes the send wait (spinning, then yielding) until it ends, as the
//   read lock would. Never hold a Ref across a co_await.
// * Threads: the Sender and the Receivers (and clones) may be used from several threads at once.
//   Every field above is read and written under the state's StateLock (channel_state.hpp); a Ref
//   reads `value` without it — the count of Refs alive keeps writers out. Wakes and Waker drops
//   happen after the unlock; a replaced value is destroyed after it too. send_modify's and
//   send_if_modified's function runs under the lock: keep it short, and never touch the channel
//   from it. A Receiver's seen mark belongs to that Receiver (one thread at a time).
// * Waiting changed() and closed() futures queue a node kept inside themselves.
//
// Pinning: a pending changed() is pinned and refers to its Receiver for the seen mark; moving the
// Receiver carries it along, and dropping the Receiver makes it answer RecvError.
//
// Cancel safety (Tokio's wording): changed() is cancel safe — if it is dropped before completing,
// no value has been marked seen by it: the mark only moves when it answers Ready. Sender::closed()
// is cancel safe: once every receiver is gone it completes at once, forever (until a subscribe).
//
// Trace: resource_created with kind watch, limit 1; channel_value with the label of the new value (send,
// send_replace, send_modify, a modifying send_if_modified; trace/value_label.hpp) right before its
// channel_send; channel_send with 1 value held (sent) or closed
// (no receivers); channel_recv when changed() completes (received, 0 unseen after it), starts
// waiting (empty) or finds the sender gone (closed); channel_closed when the sender drops
// (senders_dropped) and whenever the last receiver drops (receiver_dropped).
#include <cassert>
#include <cstdint>
#include <expected>
#include <stdexcept>
#include <string>
#include <string_view>
#include <algorithm>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "asynclab/coop.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/channel_state.hpp"
#include "asynclab/sync/detail/channel_waiters.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::watch {

template <class T>
struct SendError {
  T value;
  const char* message() const { return "channel has no receivers"; }
};

struct RecvError {
  const char* message() const { return "the sender was dropped"; }
  friend bool operator==(RecvError, RecvError) = default;
};

}  // namespace asynclab::sync::watch

namespace asynclab::sync::channel_detail {

template <class T>
class WatchState final : public ChannelState {
 public:
  WatchState(T init, std::string_view name) : ChannelState(trace::ResourceKind::watch, name, 1), value(std::move(init)) {}

  T value;
  std::uint64_t version = 0;
  std::uint32_t receivers = 1;
  std::uint32_t borrows = 0;
  bool tx_alive = true;
  ChannelWaitList changed_waiters;
  ChannelWaitList closed_waiters;

  // The Refs alive on this thread, by state: a send on a state with one of them would deadlock.
  static std::vector<const void*>& borrowed_here() {
    thread_local std::vector<const void*> states;
    return states;
  }
  bool borrowed_on_this_thread() const {
    auto& here = borrowed_here();
    return std::find(here.begin(), here.end(), static_cast<const void*>(this)) != here.end();
  }
  // Under the Guard g: returns once no Ref is alive (waiting, with the lock released, for Refs held
  // by other threads); throws when this thread holds one.
  void before_write(Guard& g) {
    while (borrows != 0) {
      if (!borrowed_on_this_thread()) {
        g.unlock();
        std::this_thread::yield();
        g.lock();
        continue;
      }
      throw std::logic_error(
          "watch: a value was sent while a borrow() of it is still alive. In Tokio the Ref holds a read "
          "lock, so this send would deadlock; end the Ref's scope before sending, and never hold it across "
          "co_await");
    }
  }
  void publish() {
    ++version;
    trace_value(value);
    trace_send(1, trace::SendResult::sent);
    changed_waiters.wake_all_like_notify_waiters(ChannelWaiter::Outcome::notified, [this](Waker& w) { defer_wake(w); });
  }
  void note_send_closed() { trace_send(1, trace::SendResult::closed); }
  void note_changed() { trace_recv(0, trace::RecvResult::received); }
  void note_recv_empty() { trace_recv(0, trace::RecvResult::empty); }
  void note_recv_closed() { trace_recv(0, trace::RecvResult::closed); }

  // sender_dropped and receiver_dropped take the lock; every other member expects the caller's Guard.
  void sender_dropped() {
    Guard g(*this);
    tx_alive = false;
    trace_closed(trace::CloseReason::senders_dropped);
    changed_waiters.wake_all_like_notify_waiters(ChannelWaiter::Outcome::closed, [this](Waker& w) { defer_wake(w); });
  }
  void receiver_dropped() {
    Guard g(*this);
    if (--receivers != 0) return;
    trace_closed(trace::CloseReason::receiver_dropped);
    closed_waiters.wake_all_like_notify_waiters(ChannelWaiter::Outcome::notified, [this](Waker& w) { defer_wake(w); });
  }
  void borrow_started() {
    ++borrows;
    borrowed_here().push_back(this);
  }
  void borrow_ended() {
    {
      std::lock_guard g(lock_);
      --borrows;
    }
    auto& here = borrowed_here();
    if (auto it = std::find(here.rbegin(), here.rend(), static_cast<const void*>(this)); it != here.rend())
      here.erase(std::next(it).base());
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    std::string s = "version " + std::to_string(version) + ", " + count_of(receivers, "receiver", "receivers");
    if (!changed_waiters.empty()) s += " (" + std::to_string(changed_waiters.size()) + " waiting for a change)";
    s += tx_alive ? ", sender alive" : ", sender dropped";
    out.state = std::move(s);
  }
};

}  // namespace asynclab::sync::channel_detail

namespace asynclab::sync::watch {

template <class T>
using State = channel_detail::WatchState<T>;

template <class T>
class Receiver;

// A read of the current value — Tokio's watch::Ref. Short-lived: sending while one is alive throws.
template <class T>
class [[nodiscard]] Ref {
 public:
  // Under the state's lock.
  Ref(State<T>* s, bool changed) : state_(s), has_changed_(changed) { state_->borrow_started(); }
  Ref(Ref&& o) noexcept : state_(std::exchange(o.state_, nullptr)), has_changed_(o.has_changed_) {}
  Ref& operator=(Ref&&) = delete;
  ~Ref() {
    if (state_) state_->borrow_ended();
  }

  const T& operator*() const { return state_->value; }
  const T* operator->() const { return &state_->value; }
  const T& get() const { return state_->value; }
  // Whether this value had not been marked seen by the receiver when it was borrowed.
  bool has_changed() const { return has_changed_; }

 private:
  State<T>* state_;
  bool has_changed_;
};

// What Receiver::changed returns.
template <class T>
class [[nodiscard("futures are lazy: changed() does nothing until it is awaited")]] Changed {
 public:
  using Output = std::expected<void, RecvError>;

  explicit Changed(Receiver<T>* receiver) : receiver_(receiver), state_(receiver->state_) {}
  Changed(Changed&& o) noexcept : receiver_(o.receiver_), state_(std::move(o.state_)) {
    assert(!o.waiter_.linked && (!receiver_ || receiver_->active_ != &o) &&
           "a changed() future was moved while it waited");
  }
  Changed& operator=(Changed&&) = delete;
  ~Changed() {
    if (state_) {
      typename State<T>::Guard g(*state_);
      state_->changed_waiters.remove(waiter_);
    }
    detach();
  }

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    if (!receiver_) return done(std::unexpected(RecvError{}));  // its Receiver is gone
    if (receiver_->seen_ != s.version) {
      receiver_->seen_ = s.version;
      s.note_changed();
      return done(Output());
    }
    if (!s.tx_alive) {
      s.note_recv_closed();
      return done(std::unexpected(RecvError{}));
    }
    s.refresh_waker(waiter_.waker, cx.waker());
    if (!waiter_.linked) {
      s.changed_waiters.push_back(waiter_);
      if (!waited_) {
        waited_ = true;
        s.note_recv_empty();
      }
    }
    receiver_->active_ = this;
    s.waiting();
    return Poll<Output>::pending();
  }

 private:
  friend class Receiver<T>;
  Poll<Output> done(Output out) {
    state_->changed_waiters.remove(waiter_);
    detach();
    return Poll<Output>::ready(std::move(out));
  }
  void detach() {
    if (receiver_ && receiver_->active_ == this) receiver_->active_ = nullptr;
  }

  Receiver<T>* receiver_;
  channel_detail::ChannelRef<State<T>> state_;
  channel_detail::ChannelWaiter waiter_;
  bool waited_ = false;
};

// What Sender::closed returns: completes once every receiver is gone.
template <class T>
class [[nodiscard("futures are lazy: closed() does nothing until it is awaited")]] Closed {
 public:
  using Output = void;
  explicit Closed(State<T>* s) : state_(s) {}
  Closed(Closed&& o) noexcept : state_(std::move(o.state_)) {
    assert(!o.waiter_.linked && "a closed() future was moved while it waited");
  }
  Closed& operator=(Closed&&) = delete;
  ~Closed() {
    if (state_) {
      typename State<T>::Guard g(*state_);
      state_->closed_waiters.remove(waiter_);
    }
  }

  Poll<void> poll(Context& cx) {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    if (s.receivers == 0) {
      s.closed_waiters.remove(waiter_);
      return Poll<void>::ready();
    }
    s.refresh_waker(waiter_.waker, cx.waker());
    if (!waiter_.linked) s.closed_waiters.push_back(waiter_);
    s.waiting();
    return Poll<void>::pending();
  }

 private:
  channel_detail::ChannelRef<State<T>> state_;
  channel_detail::ChannelWaiter waiter_;
};

template <class T>
class Receiver {
 public:
  Receiver(State<T>* s, std::uint64_t seen) : state_(s), seen_(seen) {}
  // A clone: one more receiver, starting with the same seen mark.
  Receiver(const Receiver& o) : state_(o.state_), seen_(o.seen_) {
    if (state_) {
      typename State<T>::Guard g(*state_);
      ++state_->receivers;
    }
  }
  Receiver(Receiver&& o) noexcept
      : state_(std::move(o.state_)), seen_(o.seen_), active_(std::exchange(o.active_, nullptr)) {
    if (active_) active_->receiver_ = this;
  }
  Receiver& operator=(const Receiver& o) {
    if (this != &o) *this = Receiver(o);
    return *this;
  }
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      drop();
      state_ = std::move(o.state_);
      seen_ = o.seen_;
      active_ = std::exchange(o.active_, nullptr);
      if (active_) active_->receiver_ = this;
    }
    return *this;
  }
  ~Receiver() { drop(); }

  // The current value; does not mark it seen.
  Ref<T> borrow() const {
    typename State<T>::Guard g(*state_);
    return Ref<T>(state_.get(), seen_ != state_->version);
  }
  // The current value, marked seen.
  Ref<T> borrow_and_update() {
    typename State<T>::Guard g(*state_);
    const bool changed = seen_ != state_->version;
    seen_ = state_->version;
    return Ref<T>(state_.get(), changed);
  }
  // Whether a value this receiver has not marked seen exists; RecvError once the sender is gone.
  std::expected<bool, RecvError> has_changed() const {
    typename State<T>::Guard g(*state_);
    if (!state_->tx_alive) return std::unexpected(RecvError{});
    return seen_ != state_->version;
  }
  // Waits for a value newer than the last one marked seen, then marks it seen. Cancel safe.
  Changed<T> changed() { return Changed<T>(this); }
  bool same_channel(const Receiver& o) const { return state_ == o.state_; }

 private:
  friend class Changed<T>;
  void drop() {
    if (active_) std::exchange(active_, nullptr)->receiver_ = nullptr;
    if (state_) std::exchange(state_, {})->receiver_dropped();
  }

  channel_detail::ChannelRef<State<T>> state_;
  std::uint64_t seen_;
  Changed<T>* active_ = nullptr;  // the pending changed() using this seen mark
};

template <class T>
class Sender {
 public:
  explicit Sender(State<T>* s) : state_(s) {}
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender&& o) noexcept {
    if (this != &o) {
      drop();
      state_ = std::move(o.state_);
    }
    return *this;
  }
  ~Sender() { drop(); }

  // Replaces the value and notifies every receiver; fails (value back, nothing stored) when none is left.
  std::expected<void, SendError<T>> send(T value) const {
    auto& s = *state_;
    std::optional<T> old;  // the replaced value, destroyed after the unlock
    typename State<T>::Guard g(s);
    if (s.receivers == 0) {
      s.note_send_closed();
      return std::unexpected(SendError<T>{std::move(value)});
    }
    s.before_write(g);
    old.emplace(std::move(s.value));
    s.value = std::move(value);
    s.publish();
    return {};
  }
  // Replaces the value even with no receivers; returns the previous one.
  T send_replace(T value) const {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    s.before_write(g);
    std::swap(s.value, value);
    s.publish();
    return value;
  }
  // Edits the value in place and notifies, receivers or not. `modify` runs under the lock.
  template <class F>
  void send_modify(F&& modify) const {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    s.before_write(g);
    std::forward<F>(modify)(s.value);
    s.publish();
  }
  // Edits the value in place; notifies only when `modify` returns true. `modify` runs under the lock.
  template <class F>
  bool send_if_modified(F&& modify) const {
    auto& s = *state_;
    typename State<T>::Guard g(s);
    s.before_write(g);
    if (!std::forward<F>(modify)(s.value)) return false;
    s.publish();
    return true;
  }

  Ref<T> borrow() const {
    typename State<T>::Guard g(*state_);
    return Ref<T>(state_.get(), false);
  }
  bool is_closed() const {
    typename State<T>::Guard g(*state_);
    return state_->receivers == 0;
  }
  Closed<T> closed() const { return Closed<T>(state_.get()); }
  // A new receiver that has seen the current value.
  Receiver<T> subscribe() const {
    typename State<T>::Guard g(*state_);
    ++state_->receivers;
    return Receiver<T>(state_.get(), state_->version);
  }
  std::size_t receiver_count() const {
    typename State<T>::Guard g(*state_);
    return state_->receivers;
  }

 private:
  void drop() {
    if (state_) std::exchange(state_, {})->sender_dropped();
  }
  channel_detail::ChannelRef<State<T>> state_;
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel(T init, std::string_view name = {}) {
  auto* s = new State<T>(std::move(init), name);
  return {Sender<T>(s), Receiver<T>(s, 0)};
}

}  // namespace asynclab::sync::watch
