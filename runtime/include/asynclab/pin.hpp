#pragma once
// Pinned<F>: a hand-written future that must not move once it has been polled — Rust's
// `Pin<&mut F>`, made visible. Coroutine frames (Task) never move, so they need no pinning; a
// hand-written future that points into itself (a self-referential future, the reason Pin exists)
// does, and Pinned records where it lives so the visualizer can draw it.
//
// Rules:
// * A Pinned lives at a sequence of homes: home 1 where it was made, home 2 after its first move,
//   and so on. Moving before the first poll is fine (nothing points into it yet). The first poll
//   pins it. Moving it after that is what Rust's type system forbids; here the move happens, is
//   recorded as `moved_after_pin`, and polling the moved future throws std::logic_error instead of
//   reading through a dangling self-reference.
// * If F has `const void* self_reference() const` (the address its inner pointer holds), Pinned
//   records after each poll and each move which home that pointer points into — after a move, the
//   old home: the dangling arrow lesson 05 draws.
// * Homes are ordinals, not addresses, so the same program gives the same trace byte for byte.
// * Outside a runtime (no scheduler) nothing is recorded; the rules still hold.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "asynclab/detail/scheduler.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/trace/event.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

template <class F>
concept SelfReferential = requires(const F& f) {
  { f.self_reference() } -> std::convertible_to<const void*>;
};

template <Future F>
class [[nodiscard("futures are lazy: a Pinned future does nothing until polled")]] Pinned {
 public:
  using Output = output_t<F>;

  explicit Pinned(F future) : inner_(std::move(future)) {
    if (detail::Scheduler* s = detail::Scheduler::current()) {
      scheduler_ = s;
      id_ = s->next_pin_id();
    }
    homes_.push_back(this);
    record(trace::PinAction::placed, 1);
  }

  // Moving is allowed (C++ cannot forbid it at the right moment); moving a pinned future marks
  // the new one broken.
  Pinned(Pinned&& other) noexcept(std::is_nothrow_move_constructible_v<F>)
      : inner_(std::move(other.inner_)),
        scheduler_(other.scheduler_),
        id_(other.id_),
        homes_(std::move(other.homes_)),
        pinned_(other.pinned_),
        broken_(other.pinned_ || other.broken_) {
    other.moved_from_ = true;
    homes_.push_back(this);
    record(pinned_ ? trace::PinAction::moved_after_pin : trace::PinAction::moved, home());
    record_self_reference();
  }
  Pinned& operator=(Pinned&&) = delete;
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;

  ~Pinned() {
    if (!moved_from_) record(trace::PinAction::dropped, home());
  }

  Poll<Output> poll(Context& cx) {
    if (broken_)
      throw std::logic_error(
          "Pinned: polled after it was moved — a pinned future must never move, its self-references now point "
          "at its old home");
    if (!pinned_) {
      pinned_ = true;
      record(trace::PinAction::pinned, home());
    }
    Poll<Output> result = inner_.poll(cx);
    record_self_reference();
    return result;
  }

  const F& get() const { return inner_; }
  bool is_pinned() const { return pinned_; }

 private:
  std::uint32_t home() const { return static_cast<std::uint32_t>(homes_.size()); }

  void record(trace::PinAction action, std::uint32_t home_number) {
    if (scheduler_ && detail::Scheduler::current() == scheduler_)
      scheduler_->emit(trace::EventKind::pin, scheduler_->running_id(), id_, home_number,
                       static_cast<std::uint16_t>(action));
  }

  // Which home F's inner pointer points into, recorded when it changes.
  void record_self_reference() {
    if constexpr (SelfReferential<F>) {
      const auto* target = static_cast<const unsigned char*>(inner_.self_reference());
      std::uint32_t points_into = 0;
      for (std::size_t k = 0; k < homes_.size(); ++k) {
        const auto* base = reinterpret_cast<const unsigned char*>(homes_[k]);
        if (target >= base && target < base + sizeof(Pinned)) points_into = static_cast<std::uint32_t>(k + 1);
      }
      if (points_into != last_self_reference_) {
        last_self_reference_ = points_into;
        record(trace::PinAction::self_ref, points_into);
      }
    }
  }

  F inner_;
  detail::Scheduler* scheduler_ = nullptr;
  std::uint32_t id_ = 0;
  std::vector<const void*> homes_;  // every address it has lived at, in order
  bool pinned_ = false;
  bool broken_ = false;
  bool moved_from_ = false;
  std::uint32_t last_self_reference_ = 0;
};

}  // namespace asynclab
