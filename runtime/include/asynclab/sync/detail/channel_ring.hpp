#pragma once
// ChannelRing<T>: the FIFO buffer behind mpsc — a ring of raw slots, values constructed in place.
//
// Rules:
// * The slots are allocated once, at construction, rounded up to a power of two so an index wraps
//   with a mask. A bounded channel never asks for more than its capacity (its slot accounting
//   guarantees it), so it never allocates again: no allocation per message.
// * `grow` doubles the slots; only the unbounded channel calls it (amortised: no allocation per
//   message either, once the buffer has reached its working size).
// * Slots in [head, head + size) hold live values; every other slot is raw memory.
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace asynclab::sync::channel_detail {

template <class T>
class ChannelRing {
 public:
  explicit ChannelRing(std::size_t min_slots) : mask_(round_up(min_slots) - 1) {
    slots_ = std::allocator<T>().allocate(mask_ + 1);
  }
  ChannelRing(const ChannelRing&) = delete;
  ChannelRing& operator=(const ChannelRing&) = delete;
  ~ChannelRing() {
    clear();
    std::allocator<T>().deallocate(slots_, mask_ + 1);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == mask_ + 1; }

  // Precondition: !full().
  void push(T&& value) {
    ::new (static_cast<void*>(slots_ + ((head_ + size_) & mask_))) T(std::move(value));
    ++size_;
  }

  // Precondition: !empty().
  T pop() {
    T* slot = slots_ + head_;
    T value = std::move(*slot);
    std::destroy_at(slot);
    head_ = (head_ + 1) & mask_;
    --size_;
    return value;
  }

  void clear() {
    for (; size_ > 0; --size_) {
      std::destroy_at(slots_ + head_);
      head_ = (head_ + 1) & mask_;
    }
    head_ = 0;
  }

  // Doubles the slots, keeping the values in order.
  void grow() {
    const std::size_t slots = (mask_ + 1) * 2;
    T* bigger = std::allocator<T>().allocate(slots);
    for (std::size_t i = 0; i < size_; ++i) {
      T* from = slots_ + ((head_ + i) & mask_);
      ::new (static_cast<void*>(bigger + i)) T(std::move(*from));
      std::destroy_at(from);
    }
    std::allocator<T>().deallocate(slots_, mask_ + 1);
    slots_ = bigger;
    mask_ = slots - 1;
    head_ = 0;
  }

 private:
  static std::size_t round_up(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p *= 2;
    return p;
  }

  T* slots_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace asynclab::sync::channel_detail
