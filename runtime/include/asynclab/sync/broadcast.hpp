#pragma once
// broadcast — `tokio::sync::broadcast`: many senders, many receivers, and every receiver sees every
// value sent after it subscribed.
//
// * channel<T>(capacity, name) → {Sender, Receiver}. Sender is copyable (clones count as senders);
//   more receivers come from Sender::subscribe() (or Receiver::resubscribe()). T must be copyable:
//   each receiver gets its own copy (the last reader of a value gets the value itself, moved).
// * send(v) never waits: it answers how many receivers will see v, or gives v back (SendError) when
//   there are no receivers at all — then v is not stored.
// * recv() gives std::expected<T, RecvError>: the next value, RecvError::lagged(n) when this receiver
//   fell so far behind that n values it had not read were overwritten, or RecvError::closed() once
//   every sender is gone and this receiver has read everything still kept.
//
// States of the shared state (channel_detail::BroadcastState), who may touch what:
// * A ring of `capacity` slots. Position p (0, 1, 2, ... counting every value ever sent) lives in
//   slot p % capacity; `tail` is the position the next send writes. Only send writes a slot.
// * Each slot keeps its value until every receiver subscribed at the time of the send has read it
//   (`rem` counts those still to read; the last one takes the value) or until a send overwrites it.
// * Each Receiver owns its cursor `next`, the position it reads next: [next, tail) is what it has
//   not read. If next < tail - capacity the values in between are gone: the next recv reports
//   lagged(tail - capacity - next) once and moves the cursor to the oldest value still kept, which
//   the following recv returns. (Tokio 1.24 rounds capacity up to a power of two; asynclab keeps
//   exactly `capacity`, so a lesson's numbers are the ones written in it.)
// * `senders` and `receivers` count live handles; when senders reach 0, waiting receivers are woken
//   to read what is left and then see closed.
// * Waiting recv futures queue their node (kept inside the future) on the channel; every send wakes
//   them all.
//
// Threads: Senders and Receivers (and their clones) may be used from several threads at once. The
// slots, tail, counts and waiter nodes are read and written under the state's StateLock
// (channel_state.hpp); a receiver's copy of a value is made under it (as Tokio clones under the
// slot's read lock). Wakes and Waker drops happen after the unlock, and so does the destruction of a
// value overwritten by a send or left unread by a dropped receiver. A Receiver's cursor belongs to
// that Receiver (one thread at a time).
//
// Pinning: a pending recv() is pinned (its node is linked) and refers to its Receiver for the cursor;
// moving the Receiver carries a pending recv along, and dropping the Receiver makes it answer closed.
//
// Cancel safety (Tokio's wording): recv is cancel safe — if it is dropped before completing, no
// value was received: the cursor only moves when recv answers Ready. send never waits.
//
// Trace: resource_created with kind broadcast and limit = capacity; channel_value with the label of
// each value sent (trace/value_label.hpp) right before its channel_send; channel_send with the values kept
// after it (sent), or closed when nobody is subscribed; channel_recv with the values this receiver has
// still to read (received), empty when a recv starts waiting, closed, or lagged with the values
// skipped in b; channel_closed when the last sender drops (senders_dropped) and whenever the last
// receiver drops (receiver_dropped; a later subscribe() reopens the channel).
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "asynclab/coop.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/channel_state.hpp"
#include "asynclab/sync/detail/channel_waiters.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::broadcast {

// send found no receiver; the value comes back.
template <class T>
struct SendError {
  T value;
  const char* message() const { return "channel has no receivers"; }
};

class RecvError {
 public:
  static RecvError closed() { return RecvError(0); }
  static RecvError lagged(std::uint64_t skipped) { return RecvError(skipped); }
  bool is_closed() const { return skipped_ == 0; }
  bool is_lagged() const { return skipped_ != 0; }
  // How many values this receiver missed (lagged only).
  std::uint64_t skipped() const { return skipped_; }
  std::string message() const {
    return is_closed() ? "channel closed" : "receiver lagged behind: " + std::to_string(skipped_) + " values skipped";
  }
  friend bool operator==(RecvError, RecvError) = default;

 private:
  explicit RecvError(std::uint64_t skipped) : skipped_(skipped) {}
  std::uint64_t skipped_;
};

class TryRecvError {
 public:
  static TryRecvError empty() { return TryRecvError(Kind::empty, 0); }
  static TryRecvError closed() { return TryRecvError(Kind::closed, 0); }
  static TryRecvError lagged(std::uint64_t skipped) { return TryRecvError(Kind::lagged, skipped); }
  bool is_empty() const { return kind_ == Kind::empty; }
  bool is_closed() const { return kind_ == Kind::closed; }
  bool is_lagged() const { return kind_ == Kind::lagged; }
  std::uint64_t skipped() const { return skipped_; }
  std::string message() const {
    switch (kind_) {
      case Kind::empty: return "channel empty";
      case Kind::closed: return "channel closed";
      case Kind::lagged: return "receiver lagged behind: " + std::to_string(skipped_) + " values skipped";
    }
    return "channel closed";
  }
  friend bool operator==(TryRecvError, TryRecvError) = default;

 private:
  enum class Kind : std::uint8_t { empty, closed, lagged };
  TryRecvError(Kind k, std::uint64_t skipped) : kind_(k), skipped_(skipped) {}
  Kind kind_;
  std::uint64_t skipped_;
};

}  // namespace asynclab::sync::broadcast

namespace asynclab::sync::channel_detail {

template <class T>
class BroadcastState final : public ChannelState {
 public:
  BroadcastState(std::size_t capacity, std::string_view name)
      : ChannelState(trace::ResourceKind::broadcast, name, capacity), slots(capacity) {}

  struct Slot {
    std::uint64_t pos = 0;
    std::uint32_t rem = 0;  // receivers that have yet to read it
    std::optional<T> value;
  };

  std::vector<Slot> slots;
  std::uint64_t tail = 0;
  std::size_t kept = 0;  // slots holding a value some receiver has yet to read
  std::uint32_t senders = 1;
  std::uint32_t receivers = 1;
  ChannelWaitList waiters;

  std::uint64_t oldest() const { return tail > slots.size() ? tail - slots.size() : 0; }

  // send, subscribed, receiver_dropped and sender_dropped take the lock; try_recv expects the
  // caller's Guard. `doomed` receives values to destroy after the unlock.
  std::expected<std::size_t, broadcast::SendError<T>> send(T&& value, std::optional<T>& doomed) {
    Guard g(*this);
    if (receivers == 0) {
      trace_send(kept, trace::SendResult::closed);
      return std::unexpected(broadcast::SendError<T>{std::move(value)});
    }
    Slot& slot = slots[tail % slots.size()];
    if (slot.value) {  // overwritten before every receiver read it: the slow ones will lag
      doomed.emplace(std::move(*slot.value));
      slot.value.reset();
      --kept;
    }
    slot.pos = tail;
    slot.rem = receivers;
    slot.value.emplace(std::move(value));
    ++kept;
    ++tail;
    trace_value(*slot.value);
    trace_send(kept, trace::SendResult::sent);
    waiters.wake_all(ChannelWaiter::Outcome::notified, [this](Waker& w) { defer_wake(w); });
    return receivers;
  }

  // One receive for the receiver whose cursor is `next`.
  std::expected<T, broadcast::TryRecvError> try_recv(std::uint64_t& next) {
    if (next == tail) {
      if (senders != 0) return std::unexpected(broadcast::TryRecvError::empty());
      trace_recv(0, trace::RecvResult::closed);
      return std::unexpected(broadcast::TryRecvError::closed());
    }
    if (next < oldest()) {
      const std::uint64_t skipped = oldest() - next;
      next = oldest();
      trace_recv(skipped, trace::RecvResult::lagged);
      return std::unexpected(broadcast::TryRecvError::lagged(skipped));
    }
    Slot& slot = slots[next % slots.size()];
    assert(slot.pos == next && slot.value && "a kept value is still in its slot");
    ++next;
    if (--slot.rem == 0) {  // the last reader takes the value itself
      T out = std::move(*slot.value);
      slot.value.reset();
      --kept;
      trace_recv(tail - next, trace::RecvResult::received);
      return out;
    }
    trace_recv(tail - next, trace::RecvResult::received);
    return *slot.value;
  }
  void note_recv_empty() { trace_recv(0, trace::RecvResult::empty); }

  // A new receiver's cursor: the position of the next send.
  std::uint64_t subscribed() {
    Guard g(*this);
    ++receivers;
    return tail;
  }
  // A receiver with cursor `next` goes away: it will never read [next, tail).
  void receiver_dropped(std::uint64_t next, std::vector<T>& doomed) {
    Guard g(*this);
    for (std::uint64_t p = next < oldest() ? oldest() : next; p < tail; ++p) {
      Slot& slot = slots[p % slots.size()];
      if (slot.pos == p && slot.value && --slot.rem == 0) {
        doomed.push_back(std::move(*slot.value));
        slot.value.reset();
        --kept;
      }
    }
    if (--receivers == 0) trace_closed(trace::CloseReason::receiver_dropped);
  }
  void sender_dropped() {
    Guard g(*this);
    if (--senders != 0) return;
    trace_closed(trace::CloseReason::senders_dropped);
    waiters.wake_all(ChannelWaiter::Outcome::closed, [this](Waker& w) { defer_wake(w); });
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    std::string s = "buffer " + std::to_string(kept) + "/" + std::to_string(slots.size()) + " kept, " +
                    count_of(senders, "sender", "senders") + " alive, " +
                    count_of(receivers, "receiver", "receivers");
    if (!waiters.empty()) s += ", " + count_of(waiters.size(), "receiver", "receivers") + " waiting";
    out.state = std::move(s);
  }
};

}  // namespace asynclab::sync::channel_detail

namespace asynclab::sync::broadcast {

template <class T>
using State = channel_detail::BroadcastState<T>;

template <class T>
class Receiver;

// What Receiver::recv returns.
template <class T>
class [[nodiscard("futures are lazy: nothing is received until the recv is awaited")]] Recv {
 public:
  using Output = std::expected<T, RecvError>;

  explicit Recv(Receiver<T>* receiver) : receiver_(receiver), state_(receiver->state_) {}
  Recv(Recv&& o) noexcept : receiver_(o.receiver_), state_(std::move(o.state_)) {
    assert(!o.waiter_.linked && (!receiver_ || receiver_->active_ != &o) && "a recv future was moved while it waited");
  }
  Recv& operator=(Recv&&) = delete;
  ~Recv() {
    if (state_) {
      typename State<T>::Guard g(*state_);
      state_->waiters.remove(waiter_);
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
    if (!receiver_) return done(std::unexpected(RecvError::closed()));  // its Receiver is gone
    auto r = s.try_recv(receiver_->next_);
    if (r) return done(Output(std::move(*r)));
    if (r.error().is_lagged()) return done(std::unexpected(RecvError::lagged(r.error().skipped())));
    if (r.error().is_closed()) return done(std::unexpected(RecvError::closed()));
    if (waiter_.linked) {
      s.refresh_waker(waiter_.waker, cx.waker());
    } else {
      s.refresh_waker(waiter_.waker, cx.waker());
      s.waiters.push_back(waiter_);
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
    state_->waiters.remove(waiter_);
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

template <class T>
class Receiver {
  static_assert(std::is_copy_constructible_v<T>,
                "broadcast gives every receiver its own copy of each value: T must be copyable (Tokio: T: Clone)");

 public:
  Receiver(State<T>* s, std::uint64_t next) : state_(s), next_(next) {}
  Receiver(Receiver&& o) noexcept
      : state_(std::move(o.state_)), next_(o.next_), active_(std::exchange(o.active_, nullptr)) {
    if (active_) active_->receiver_ = this;
  }
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      drop();
      state_ = std::move(o.state_);
      next_ = o.next_;
      active_ = std::exchange(o.active_, nullptr);
      if (active_) active_->receiver_ = this;
    }
    return *this;
  }
  ~Receiver() { drop(); }

  // The next value, lagged(n), or closed. Cancel safe.
  Recv<T> recv() { return Recv<T>(this); }
  std::expected<T, TryRecvError> try_recv() {
    typename State<T>::Guard g(*state_);
    return state_->try_recv(next_);
  }

  // A new receiver of the same channel that sees values sent from now on.
  Receiver resubscribe() const { return Receiver(state_.get(), state_->subscribed()); }
  // Values this receiver has yet to read (still kept by the channel).
  std::size_t len() const {
    typename State<T>::Guard g(*state_);
    const std::uint64_t from = next_ < state_->oldest() ? state_->oldest() : next_;
    return static_cast<std::size_t>(state_->tail - from);
  }
  bool is_empty() const { return len() == 0; }

 private:
  friend class Recv<T>;
  void drop() {
    if (active_) std::exchange(active_, nullptr)->receiver_ = nullptr;
    if (!state_) return;
    std::vector<T> doomed;  // values only this receiver had yet to read: destroyed after the unlock
    std::exchange(state_, {})->receiver_dropped(next_, doomed);
  }

  channel_detail::ChannelRef<State<T>> state_;
  std::uint64_t next_;
  Recv<T>* active_ = nullptr;  // the pending recv using this cursor, kept in step when this moves
};

template <class T>
class Sender {
 public:
  explicit Sender(State<T>* s) : state_(s) {}
  Sender(const Sender& o) : state_(o.state_) {
    if (state_) {
      typename State<T>::Guard g(*state_);
      ++state_->senders;
    }
  }
  Sender(Sender&&) noexcept = default;
  Sender& operator=(const Sender& o) {
    if (this != &o) *this = Sender(o);
    return *this;
  }
  Sender& operator=(Sender&& o) noexcept {
    if (this != &o) {
      drop();
      state_ = std::move(o.state_);
    }
    return *this;
  }
  ~Sender() { drop(); }

  // Never waits. The number of receivers that will see the value, or the value back if there are none.
  std::expected<std::size_t, SendError<T>> send(T value) const {
    std::optional<T> doomed;  // a value overwritten before every receiver read it
    return state_->send(std::move(value), doomed);
  }
  // A new receiver that sees every value sent after this call.
  Receiver<T> subscribe() const { return Receiver<T>(state_.get(), state_->subscribed()); }
  std::size_t receiver_count() const {
    typename State<T>::Guard g(*state_);
    return state_->receivers;
  }
  bool same_channel(const Sender& o) const { return state_ == o.state_; }

 private:
  void drop() {
    if (state_) std::exchange(state_, {})->sender_dropped();
  }
  channel_detail::ChannelRef<State<T>> state_;
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity, std::string_view name = {}) {
  if (capacity == 0) throw std::invalid_argument("broadcast::channel: capacity must be at least 1");
  auto* s = new State<T>(capacity, name);
  return {Sender<T>(s), Receiver<T>(s, 0)};
}

}  // namespace asynclab::sync::broadcast
