#pragma once
// mpsc — `tokio::sync::mpsc`: many senders, one receiver, values arrive in the order they were sent.
//
// Two flavours, as in Tokio:
// * channel<T>(capacity, name) → {Sender<T>, Receiver<T>}: bounded. A send waits while the buffer is
//   full — backpressure. capacity 0 is refused (std::invalid_argument), as Tokio panics on it.
// * unbounded_channel<T>(name) → {UnboundedSender<T>, UnboundedReceiver<T>}: UnboundedSender::send
//   never waits; the buffer grows as needed.
//
// States of the shared state (channel_detail::MpscChan), who may touch what:
// * `buffer` — values sent and not yet received, oldest first. Senders push at the back; only the
//   receiver pops from the front.
// * Slots (bounded only) — Tokio's bounded channel is a FIFO semaphore of `capacity` slots. Invariant:
//     buffered + reserved + free == capacity
//   `free` slots belong to nobody; `reserved` ones are held by a Permit or granted to a waiting send
//   or reserve that has not run yet. A sender takes a free slot or queues. A slot is freed when the
//   receiver takes a value (or a reservation is dropped unused) and goes straight to the oldest
//   waiter if there is one — so waiting senders are served strictly FIFO and try_send never jumps
//   the queue (while anyone waits, there is no free slot to take).
// * `senders` — Sender handles alive (copying a Sender clones it). When it reaches 0 the sending side
//   has ended: recv() answers None (std::nullopt) once the buffer is drained and no reservation is
//   left, and not before.
// * `rx_closed` — Receiver::close() was called or the Receiver was dropped: every later send, and
//   every send or reserve still waiting (one granted a slot but not yet run too, as Tokio's closed
//   semaphore fails it), fails and gives its value back; values already buffered stay
//   readable, and Permits already held may still send (Tokio's rule). Dropping the Receiver
//   additionally drops every buffered value at once.
// * The receiver's waker — stored by a pending recv, woken (and consumed) by the next send or by the
//   sending side ending.
// * Threads: Senders (and their clones, Permits and futures) and the Receiver may be used from
//   several threads at once. Every field above, and every waiter node, is read and written under the
//   state's StateLock (channel_state.hpp); wakes and Waker drops happen after the unlock, and values
//   still buffered when the Receiver is dropped are destroyed outside the lock, one at a time.
//
// Pinning: a waiting send, reserve, recv or closed() future keeps its queue node inside itself;
// once polled it must not move (every future is pinned once polled, see future.hpp). Futures borrow
// the shared state from the handle that made them, as Rust's `&self` borrows do, and count a
// reference only once they wait (channel_state.hpp): await them while a Sender or Receiver lives.
//
// Cancel safety (Tokio's wording; dropping the future before it completes):
// * Receiver::recv — cancel safe: if it is dropped, no value was received; every value stays in the
//   buffer for the next recv. Nothing is lost.
// * Sender::send — the value was NOT sent, and it is dropped together with the future: it is lost
//   to the caller (keep it with reserve() first if it must survive). The dropped send also loses its
//   place in the FIFO queue of waiting senders.
// * Sender::reserve — cancel safe in that nothing was sent; it only loses its place in the queue. A
//   slot that had already been granted to it is handed back (to the next waiter, if any).
// * Sender::closed — cancel safe: once closed, the channel stays closed.
// * A Permit dropped unused returns its slot.
//
// Trace (see trace/event.hpp): resource_created with kind mpsc or unbounded_mpsc and limit =
// capacity (0: unbounded); channel_value with the label of each value buffered (trace/value_label.hpp),
// right before its channel_send; channel_send with the values buffered after it and sent / full (a send or
// reserve starts waiting, or try_send finds no slot) / closed; channel_recv with the values buffered
// after it and received / empty (a recv starts waiting) / closed (recv answers None); channel_closed
// once for each side's end: receiver_closed or receiver_dropped, and senders_dropped.
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

#include <fmt/format.h>

#include "asynclab/coop.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/sync/detail/channel_ring.hpp"
#include "asynclab/sync/detail/channel_state.hpp"
#include "asynclab/sync/detail/channel_waiters.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::sync::mpsc {

// --- errors ----------------------------------------------------------------------------------------

// A send failed because the receiving side is closed; the value comes back in it.
template <class T>
struct SendError {
  T value;
  const char* message() const { return "channel closed"; }
};
// What reserve() answers when the receiving side is closed (Tokio's SendError<()>).
template <>
struct SendError<void> {
  const char* message() const { return "channel closed"; }
};

// try_send / try_reserve: either no slot is free right now (full) or the receiving side is closed.
template <class T>
class TrySendError {
 public:
  static TrySendError full(T value) { return TrySendError(std::move(value), true); }
  static TrySendError closed(T value) { return TrySendError(std::move(value), false); }
  bool is_full() const { return full_; }
  bool is_closed() const { return !full_; }
  T& value() & { return value_; }
  T into_inner() && { return std::move(value_); }
  const char* message() const { return full_ ? "no available capacity" : "channel closed"; }

 private:
  TrySendError(T value, bool full) : value_(std::move(value)), full_(full) {}
  T value_;
  bool full_;
};
template <>
class TrySendError<void> {
 public:
  static TrySendError full() { return TrySendError(true); }
  static TrySendError closed() { return TrySendError(false); }
  bool is_full() const { return full_; }
  bool is_closed() const { return !full_; }
  const char* message() const { return full_ ? "no available capacity" : "channel closed"; }

 private:
  explicit TrySendError(bool full) : full_(full) {}
  bool full_;
};

// try_recv: nothing buffered yet (empty), or nothing ever will be (disconnected).
class TryRecvError {
 public:
  static TryRecvError empty() { return TryRecvError(true); }
  static TryRecvError disconnected() { return TryRecvError(false); }
  bool is_empty() const { return empty_; }
  bool is_disconnected() const { return !empty_; }
  const char* message() const { return empty_ ? "receiving on an empty channel" : "receiving on a closed channel"; }
  friend bool operator==(TryRecvError, TryRecvError) = default;

 private:
  explicit TryRecvError(bool empty) : empty_(empty) {}
  bool empty_;
};

}  // namespace asynclab::sync::mpsc

namespace asynclab::sync::channel_detail {

// The shared state of one mpsc channel. Its fields are the states of mpsc.hpp's rules block; only the
// handles and futures of mpsc.hpp touch them.
template <class T, bool Bounded>
class MpscChan final : public ChannelState {
 public:
  using value_type = T;
  static constexpr bool bounded = Bounded;

  MpscChan(std::size_t slots, std::string_view name)
      : ChannelState(Bounded ? trace::ResourceKind::mpsc : trace::ResourceKind::unbounded_mpsc, name,
                     Bounded ? slots : 0),
        buffer(Bounded ? slots : 16),
        free_slots(Bounded ? slots : 0),
        capacity(Bounded ? slots : 0) {}

  // Every send and recv touches the fields up to send_waiters: declared in that order right after
  // the lock (Guarded), they span two cache lines. The rest is touched rarely.
  ChannelRing<T> buffer;
  std::size_t free_slots;      // bounded: slots nobody holds
  std::size_t reserved = 0;    // bounded: slots held by a Permit or granted to a waiting send/reserve
  bool rx_closed = false;
  bool rx_dropped = false;
  std::uint32_t senders = 1;
  const void* rx_waiter = nullptr;  // the recv future whose waker rx_waker is, while it waits
  Waker rx_waker;
  ChannelWaitList send_waiters;     // bounded: sends and reserves waiting for a slot, oldest first
  const std::size_t capacity;  // 0: unbounded
  ChannelWaitList closed_waiters;   // Sender::closed() futures

  // --- sending side ---
  bool take_free_slot() {
    if (free_slots == 0) return false;
    --free_slots;
    return true;
  }
  void deliver(T&& value) {
    if constexpr (Bounded) {
      assert(!buffer.full() && "a bounded channel delivers only into a slot it holds");
    } else {
      if (buffer.full()) buffer.grow();
    }
    trace_value(value);
    buffer.push(std::move(value));
    trace_send(buffer.size(), trace::SendResult::sent);
    wake_receiver();
  }
  // Uses a reserved slot. False (value untouched) when the receiver is gone: nobody could read it.
  bool deliver_reserved(T& value) {
    --reserved;
    if (rx_dropped) {
      ++free_slots;
      note_send_closed();
      return false;
    }
    deliver(std::move(value));
    return true;
  }
  // A reservation is given back unused (a dropped Permit, a granted send or reserve dropped).
  void release_reserved() {
    --reserved;
    release_slot();
    if (reserved == 0 && (rx_closed || senders == 0)) wake_receiver();
  }
  void note_full() { trace_send(buffer.size(), trace::SendResult::full); }
  void note_send_closed() { trace_send(buffer.size(), trace::SendResult::closed); }

  // sender_dropped, receiver_dropped and close take the lock themselves; every other member
  // expects the caller's Guard.
  void sender_dropped() {
    Guard g(*this);
    if (--senders != 0) return;
    trace_closed(trace::CloseReason::senders_dropped);
    wake_receiver();
  }

  // --- receiving side ---
  bool drained_and_closed() const { return buffer.empty() && reserved == 0 && (rx_closed || senders == 0); }
  T take() {
    T value = buffer.pop();
    // Recorded before the slot is given back: the waiting sender's wake comes after its cause.
    trace_recv(buffer.size(), trace::RecvResult::received);
    if constexpr (Bounded) release_slot();
    return value;
  }
  void note_recv_empty() { trace_recv(buffer.size(), trace::RecvResult::empty); }
  void note_recv_closed() { trace_recv(0, trace::RecvResult::closed); }
  void forget_receiver_waker(const void* recv) {
    if (rx_waiter != recv) return;
    rx_waiter = nullptr;
    defer_drop(rx_waker);
  }
  bool receiver_waits_for(const void* recv) const {
    std::lock_guard g(lock_);
    return rx_waiter == recv;
  }

  void close(trace::CloseReason why) {
    Guard g(*this);
    close_receiving_side(why);
  }
  void close_receiving_side(trace::CloseReason why) {
    if (rx_closed) return;
    rx_closed = true;
    trace_closed(why);
    auto wake = [this](Waker& w) { defer_wake(w); };
    send_waiters.wake_all(ChannelWaiter::Outcome::closed, wake);
    closed_waiters.wake_all(ChannelWaiter::Outcome::notified, wake);
    if (drained_and_closed()) wake_receiver();  // a recv parked elsewhere must now see None
  }
  void receiver_dropped() {
    {
      Guard g(*this);
      close_receiving_side(trace::CloseReason::receiver_dropped);
      rx_dropped = true;
      rx_waiter = nullptr;
      defer_drop(rx_waker);
    }
    // Nobody can push any more (rx_closed and rx_dropped refuse every send and Permit): drop what
    // is buffered, each value destroyed outside the lock.
    for (;;) {
      std::optional<T> doomed;
      Guard g(*this);
      if (buffer.empty()) break;
      doomed.emplace(buffer.pop());
      if constexpr (Bounded) ++free_slots;
      g.unlock();
    }
  }

  void snapshot(::asynclab::detail::ResourceSnapshot& out) const override {
    std::lock_guard g(lock_);
    // fmt rather than `"..." + std::to_string(...)`: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
    std::string s = fmt::format("buffer {}", buffer.size());
    if constexpr (Bounded) {
      s += fmt::format("/{}{}", capacity, buffer.size() == capacity ? " full" : "");
    } else {
      s += " (unbounded)";
    }
    s += ", " + count_of(senders, "sender", "senders") + " alive";
    if (!send_waiters.empty()) s += ", " + count_of(send_waiters.size(), "sender", "senders") + " waiting";
    if (reserved) s += ", " + count_of(reserved, "slot", "slots") + " reserved";
    if (rx_dropped) {
      s += ", receiver dropped";
    } else if (rx_closed) {
      s += ", receiver closed";
    } else if (rx_waiter) {
      s += ", receiver waiting";
    }
    out.state = std::move(s);
  }

 private:
  // A slot became free: it goes to the oldest waiting sender, or back to the free count.
  void release_slot() {
    if (ChannelWaiter* w = send_waiters.pop_front()) {
      w->outcome = ChannelWaiter::Outcome::granted;
      ++reserved;
      defer_wake(w->waker);
    } else {
      ++free_slots;
    }
  }
  void wake_receiver() {
    if (rx_waiter) {
      rx_waiter = nullptr;
      defer_wake(rx_waker);
    }
  }
};

}  // namespace asynclab::sync::channel_detail

namespace asynclab::sync::mpsc {

template <class T>
using BoundedChan = channel_detail::MpscChan<T, true>;
template <class T>
using UnboundedChan = channel_detail::MpscChan<T, false>;

template <class T>
class Permit;

// --- futures ---------------------------------------------------------------------------------------

template <class T>
class Send;

// What Sender::reserve returns: waits for a slot (FIFO), then holds it as a Permit. It is also the
// waiting machine of Sender::send, as Tokio's `send` is `self.reserve().await?.send(value)`.
template <class T>
class [[nodiscard("futures are lazy: no slot is reserved until the reserve is awaited")]] Reserve {
  using Chan = BoundedChan<T>;

 public:
  using Output = std::expected<Permit<T>, SendError<void>>;

  explicit Reserve(Chan* chan) : chan_(chan) {}
  // Only before the first poll (see future.hpp): a waiting reserve is pinned by its queue node.
  Reserve(Reserve&& o) noexcept : chan_(std::move(o.chan_)), phase_(o.phase_) {
    assert(o.phase_ == Phase::start && "a reserve or send future was moved after it was polled");
  }
  Reserve& operator=(Reserve&&) = delete;
  ~Reserve() {
    if (phase_ != Phase::waiting) return;
    typename Chan::Guard g(*chan_);
    if (waiter_.linked) {
      chan_->send_waiters.remove(waiter_);  // cancelled while queued: only its place is lost
    } else if (waiter_.outcome == channel_detail::ChannelWaiter::Outcome::granted) {
      chan_->release_reserved();  // granted a slot it never used: the next waiter gets it
    }
  }

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    switch (poll_slot(ch, cx)) {
      case Slot::pending:
        return Poll<Output>::pending();
      case Slot::closed:
        return Poll<Output>::ready(std::unexpected(SendError<void>{}));
      case Slot::free:
        ++ch.reserved;  // the Permit's from now on
        return Poll<Output>::ready(Permit<T>(&ch));
      case Slot::granted:
        return Poll<Output>::ready(Permit<T>(&ch));
    }
    std::unreachable();
  }

 private:
  friend class Send<T>;
  enum class Phase : std::uint8_t { start, waiting, done };
  // free: a free slot was taken; granted: a slot was handed over while this waited, and is counted in
  // `reserved`; closed: the receiving side closed first, and the channel has recorded the failed send.
  enum class Slot : std::uint8_t { pending, free, granted, closed };

  // One step of the wait, under the caller's Guard.
  [[gnu::always_inline]] Slot poll_slot(Chan& ch, Context& cx) {
    if (phase_ == Phase::waiting) {
      if (waiter_.linked) {
        ch.refresh_waker(waiter_.waker, cx.waker());
        ch.waiting();
        return Slot::pending;
      }
      phase_ = Phase::done;
      if (waiter_.outcome == channel_detail::ChannelWaiter::Outcome::granted) {
        if (!ch.rx_closed) return Slot::granted;
        // Granted, but the receiving side closed before this future ran: Tokio's acquire fails
        // then too (the semaphore is closed), and the slot goes back.
        ch.release_reserved();
      }
      ch.note_send_closed();
      return Slot::closed;
    }
    assert(phase_ == Phase::start && "a reserve or send future was polled after it completed");
    if (ch.rx_closed) {
      phase_ = Phase::done;
      ch.note_send_closed();
      return Slot::closed;
    }
    if (ch.take_free_slot()) {
      phase_ = Phase::done;
      return Slot::free;
    }
    phase_ = Phase::waiting;
    chan_.hold();  // a waiting reserve or send keeps the state alive (channel_state.hpp)
    waiter_.waker = cx.waker();
    ch.send_waiters.push_back(waiter_);
    ch.note_full();
    ch.waiting();
    return Slot::pending;
  }

  channel_detail::ChannelBorrow<Chan> chan_;
  channel_detail::ChannelWaiter waiter_;
  Phase phase_ = Phase::start;
};

// What Sender::send returns: a Reserve (FIFO behind earlier senders), then the value goes into the
// slot it got, as a Permit's send would put it, under the same hold of the channel's lock.
template <class T>
class [[nodiscard("futures are lazy: nothing is sent until the send is awaited")]] Send {
  using Chan = BoundedChan<T>;
  using Slot = typename Reserve<T>::Slot;

 public:
  using Output = std::expected<void, SendError<T>>;

  Send(Chan* chan, T value) : value_(std::move(value)), reserve_(chan) {}
  // Only before the first poll (see future.hpp): a waiting send is pinned by its queue node.
  Send(Send&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
      : value_(std::move(o.value_)), reserve_(std::move(o.reserve_)) {}
  Send& operator=(Send&&) = delete;

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    Chan& ch = *reserve_.chan_;
    typename Chan::Guard g(ch);
    switch (reserve_.poll_slot(ch, cx)) {
      case Slot::pending:
        return Poll<Output>::pending();
      case Slot::granted:
        --ch.reserved;
        [[fallthrough]];
      case Slot::free:
        ch.deliver(std::move(value_));  // the receiving side is open: poll_slot saw it under this lock
        return Poll<Output>::ready(Output());
      case Slot::closed:
        break;
    }
    return Poll<Output>::ready(std::unexpected(SendError<T>{std::move(value_)}));
  }

 private:
  T value_;
  Reserve<T> reserve_;  // declared last, so destroyed first: a waiting send leaves the queue first
};

template <class Chan>
class [[nodiscard("futures are lazy: nothing is received until the recv is awaited")]] Recv {
 public:
  using Output = std::optional<typename Chan::value_type>;

  explicit Recv(Chan* chan) : chan_(chan) {}
  Recv(Recv&& o) noexcept : chan_(std::move(o.chan_)) {
    assert((!chan_ || !chan_->receiver_waits_for(&o)) && "a recv future was moved while it waited");
  }
  Recv& operator=(Recv&&) = delete;
  ~Recv() {
    if (chan_ && registered_) {
      typename Chan::Guard g(*chan_);
      chan_->forget_receiver_waker(this);
    }
  }

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (!ch.buffer.empty()) [[likely]] {
      ch.forget_receiver_waker(this);
      registered_ = false;
      return Poll<Output>::ready(Output(ch.take()));
    }
    if (ch.drained_and_closed()) {
      ch.forget_receiver_waker(this);
      registered_ = false;
      ch.note_recv_closed();
      return Poll<Output>::ready(Output());
    }
    ch.refresh_waker(ch.rx_waker, cx.waker());
    registered_ = true;
    chan_.hold();  // a waiting recv keeps the state alive (channel_state.hpp)
    if (ch.rx_waiter != this) {
      ch.rx_waiter = this;
      ch.note_recv_empty();
    }
    ch.waiting();
    return Poll<Output>::pending();
  }

 private:
  channel_detail::ChannelBorrow<Chan> chan_;
  // Whether the channel may point at this future (rx_waiter): set by a Pending poll, cleared by a Ready
  // one (which forgets it under the lock). Only this future reads it, so a recv that never waited is
  // dropped without taking the lock.
  bool registered_ = false;
};

// What Sender::closed returns: completes once the receiving side is closed (close() or dropped).
template <class Chan>
class [[nodiscard("futures are lazy: closed() does nothing until it is awaited")]] Closed {
 public:
  using Output = void;

  explicit Closed(Chan* chan) : chan_(chan) {}
  Closed(Closed&& o) noexcept : chan_(std::move(o.chan_)) {
    assert(!o.waiter_.linked && "a closed() future was moved while it waited");
  }
  Closed& operator=(Closed&&) = delete;
  ~Closed() {
    if (chan_.held()) {  // it waited, so it may still be queued
      typename Chan::Guard g(*chan_);
      chan_->closed_waiters.remove(waiter_);
    }
  }

  Poll<void> poll(Context& cx) {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (ch.rx_closed) {
      ch.closed_waiters.remove(waiter_);
      return Poll<void>::ready();
    }
    if (waiter_.linked) {
      ch.refresh_waker(waiter_.waker, cx.waker());
    } else {
      waiter_.waker = cx.waker();
      ch.closed_waiters.push_back(waiter_);
      chan_.hold();  // a waiting closed() keeps the state alive (channel_state.hpp)
    }
    ch.waiting();
    return Poll<void>::pending();
  }

 private:
  channel_detail::ChannelBorrow<Chan> chan_;
  channel_detail::ChannelWaiter waiter_;
};

// --- handles ---------------------------------------------------------------------------------------

// One reserved slot of a bounded channel: send() never waits. Dropping it unused returns the slot.
template <class T>
class [[nodiscard("a Permit holds a slot of the channel until it sends or is dropped")]] Permit {
 public:
  explicit Permit(BoundedChan<T>* chan) : chan_(chan) {}
  Permit(Permit&&) noexcept = default;
  Permit& operator=(Permit&& o) noexcept {
    if (this != &o) {
      release();
      chan_ = std::move(o.chan_);
    }
    return *this;
  }
  ~Permit() { release(); }

  // Sends into the reserved slot, at once. Consumes the permit. If the receiver has been dropped in
  // the meantime the value is dropped (as in Tokio, a Permit's send cannot fail).
  void send(T value) {
    if (!chan_) throw std::logic_error("mpsc::Permit::send: this permit was already used");
    auto chan = std::move(chan_);
    typename BoundedChan<T>::Guard g(*chan);
    chan->deliver_reserved(value);
  }

 private:
  void release() {
    if (!chan_) return;
    auto chan = std::exchange(chan_, {});
    typename BoundedChan<T>::Guard g(*chan);
    chan->release_reserved();
  }
  channel_detail::ChannelRef<BoundedChan<T>> chan_;
};

// What both sender types share: a counted reference to the channel. Copying a sender clones it
// (the channel counts its senders); dropping the last one lets the receiver see the end.
template <class Chan>
class CountedSender {
 public:
  explicit CountedSender(Chan* chan) : chan_(chan) {}
  CountedSender(const CountedSender& o) : chan_(o.chan_) {
    if (chan_) {
      typename Chan::Guard g(*chan_);
      ++chan_->senders;
    }
  }
  CountedSender(CountedSender&&) noexcept = default;
  CountedSender& operator=(const CountedSender& o) {
    if (this != &o) *this = CountedSender(o);
    return *this;
  }
  CountedSender& operator=(CountedSender&& o) noexcept {
    if (this != &o) {
      drop();
      chan_ = std::move(o.chan_);
    }
    return *this;
  }
  ~CountedSender() { drop(); }

 protected:
  void drop() {
    if (chan_) {
      chan_->sender_dropped();
      chan_.reset();
    }
  }
  channel_detail::ChannelRef<Chan> chan_;
};

// The sending half of a bounded channel. Copying it clones it: the channel counts its senders.
template <class T>
class Sender : public CountedSender<BoundedChan<T>> {
  using Chan = BoundedChan<T>;
  using Base = CountedSender<Chan>;
  using Base::chan_;

 public:
  using Base::Base;

  // Waits for a slot, then sends. std::unexpected(SendError{value}) when the receiving side is closed.
  Send<T> send(T value) const { return Send<T>(chan_.get(), std::move(value)); }
  // Sends only if a slot is free now: otherwise the value comes back, full or closed.
  std::expected<void, TrySendError<T>> try_send(T value) const {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (ch.rx_closed) {
      ch.note_send_closed();
      return std::unexpected(TrySendError<T>::closed(std::move(value)));
    }
    if (!ch.take_free_slot()) {
      ch.note_full();
      return std::unexpected(TrySendError<T>::full(std::move(value)));
    }
    ch.deliver(std::move(value));
    return {};
  }
  // Waits for a slot and holds it: the Permit's send never waits.
  Reserve<T> reserve() const { return Reserve<T>(chan_.get()); }
  std::expected<Permit<T>, TrySendError<void>> try_reserve() const {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (ch.rx_closed) return std::unexpected(TrySendError<void>::closed());
    if (!ch.take_free_slot()) return std::unexpected(TrySendError<void>::full());
    ++ch.reserved;
    return Permit<T>(&ch);
  }
  // Completes when the receiving side is closed.
  Closed<Chan> closed() const { return Closed<Chan>(chan_.get()); }

  bool is_closed() const {
    typename Chan::Guard g(*chan_);
    return chan_->rx_closed;
  }
  // Slots free right now (Tokio's capacity()); max_capacity() is the channel's capacity.
  std::size_t capacity() const {
    typename Chan::Guard g(*chan_);
    return chan_->free_slots;
  }
  std::size_t max_capacity() const { return chan_->capacity; }
  bool same_channel(const Sender& o) const { return chan_ == o.chan_; }
};

// The sending half of an unbounded channel: send never waits.
template <class T>
class UnboundedSender : public CountedSender<UnboundedChan<T>> {
  using Chan = UnboundedChan<T>;
  using Base = CountedSender<Chan>;
  using Base::chan_;

 public:
  using Base::Base;

  std::expected<void, SendError<T>> send(T value) const {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (ch.rx_closed) {
      ch.note_send_closed();
      return std::unexpected(SendError<T>{std::move(value)});
    }
    ch.deliver(std::move(value));
    return {};
  }
  Closed<Chan> closed() const { return Closed<Chan>(chan_.get()); }
  bool is_closed() const {
    typename Chan::Guard g(*chan_);
    return chan_->rx_closed;
  }
  bool same_channel(const UnboundedSender& o) const { return chan_ == o.chan_; }
};

// The receiving half, bounded or not (Receiver<T> and UnboundedReceiver<T> below).
template <class T, bool Bounded>
class BasicReceiver {
  using Chan = channel_detail::MpscChan<T, Bounded>;

 public:
  explicit BasicReceiver(Chan* chan) : chan_(chan) {}
  BasicReceiver(BasicReceiver&&) noexcept = default;
  BasicReceiver& operator=(BasicReceiver&& o) noexcept {
    if (this != &o) {
      drop();
      chan_ = std::move(o.chan_);
    }
    return *this;
  }
  ~BasicReceiver() { drop(); }

  // The next value; std::nullopt once every sender is gone (or close() was called) and the buffer is
  // drained. Cancel safe.
  Recv<Chan> recv() { return Recv<Chan>(chan_.get()); }
  std::expected<T, TryRecvError> try_recv() {
    Chan& ch = *chan_;
    typename Chan::Guard g(ch);
    if (!ch.buffer.empty()) return ch.take();
    if (ch.drained_and_closed()) return std::unexpected(TryRecvError::disconnected());
    return std::unexpected(TryRecvError::empty());
  }
  // No more sends (waiting ones fail and get their values back); buffered values stay readable.
  void close() { chan_->close(trace::CloseReason::receiver_closed); }

  // True once nothing more can ever be sent (close() or every sender gone); values may still wait.
  bool is_closed() const {
    typename Chan::Guard g(*chan_);
    return chan_->rx_closed || chan_->senders == 0;
  }
  std::size_t len() const {
    typename Chan::Guard g(*chan_);
    return chan_->buffer.size();
  }
  bool is_empty() const {
    typename Chan::Guard g(*chan_);
    return chan_->buffer.empty();
  }

 private:
  void drop() {
    if (chan_) {
      chan_->receiver_dropped();
      chan_.reset();
    }
  }
  channel_detail::ChannelRef<Chan> chan_;
};

template <class T>
using Receiver = BasicReceiver<T, true>;
template <class T>
using UnboundedReceiver = BasicReceiver<T, false>;

// A bounded channel of `capacity` slots.
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity, std::string_view name = {}) {
  if (capacity == 0) throw std::invalid_argument("mpsc::channel: capacity must be at least 1");
  auto* chan = new BoundedChan<T>(capacity, name);
  return {Sender<T>(chan), Receiver<T>(chan)};
}

template <class T>
std::pair<UnboundedSender<T>, UnboundedReceiver<T>> unbounded_channel(std::string_view name = {}) {
  auto* chan = new UnboundedChan<T>(0, name);
  return {UnboundedSender<T>(chan), UnboundedReceiver<T>(chan)};
}

}  // namespace asynclab::sync::mpsc
