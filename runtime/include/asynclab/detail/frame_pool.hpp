#pragma once
// FramePool: where coroutine frames and task cells come from — per-thread free lists by size class,
// refilled from large slabs.
//
// Why: every spawn allocates a task cell and usually a coroutine frame, and every finished task frees
// them. A freed block goes on its thread's list for its size class, so the next allocation of that
// size is a pointer pop; a fresh block is carved from the thread's current slab with a pointer bump.
// Deallocation is sized (both coroutine frames and task cells know their size), so blocks carry no
// header at all.
//
// Rules:
// * Blocks of up to `max_pooled` bytes are pooled; larger ones go straight to operator new/delete.
// * A block freed on another thread joins that thread's list: lists are per thread and never
//   shared, so no locking. Slabs are therefore never returned while the process runs (a block may
//   live in any thread's list); they are kept in one registry and released at exit.
// * allocate_line_aligned hands out blocks that start on a cache line (line_bytes), from free lists of
//   their own, for state that two threads write (a channel's lock next to the fields it guards, so
//   one cache-line transfer brings both). The bytes skipped to reach a line boundary go on the
//   ordinary free lists, so nothing is lost.
// * Under AddressSanitizer every block goes straight to malloc/free so use-after-free stays visible.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace asynclab::detail {

class FramePool {
 public:
  static constexpr std::size_t granule = 16;
  static constexpr std::size_t max_pooled = 1024;

  static void* allocate(std::size_t size) {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(size);
#else
    if (size > max_pooled) return ::operator new(size);
    const std::size_t cls = (size + granule - 1) / granule;
    FramePool& pool = local();
    if (void* p = pop(pool.free_[cls])) return p;
    return pool.carve(cls * granule, granule);
#endif
  }

  static void deallocate(void* p, std::size_t size) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    ::operator delete(p, size);
#else
    if (!p) return;
    if (size > max_pooled) {
      ::operator delete(p, size);
      return;
    }
    push(local().free_[(size + granule - 1) / granule], p);
#endif
  }

  static constexpr std::size_t line_bytes = 64;

  // A block of `size` bytes starting on a cache-line boundary. Free it with deallocate_line_aligned.
  static void* allocate_line_aligned(std::size_t size) {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(size, std::align_val_t(line_bytes));
#else
    if (size > max_pooled) return ::operator new(size, std::align_val_t(line_bytes));
    const std::size_t cls = (size + line_bytes - 1) / line_bytes;
    FramePool& pool = local();
    if (void* p = pop(pool.line_free_[cls])) return p;
    return pool.carve(cls * line_bytes, line_bytes);
#endif
  }

  static void deallocate_line_aligned(void* p, std::size_t size) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    ::operator delete(p, size, std::align_val_t(line_bytes));
#else
    if (!p) return;
    if (size > max_pooled) {
      ::operator delete(p, size, std::align_val_t(line_bytes));
      return;
    }
    push(local().line_free_[(size + line_bytes - 1) / line_bytes], p);
#endif
  }

 private:
  struct Node {
    Node* next;
  };
  static constexpr std::size_t classes = max_pooled / granule + 1;

  void new_slab();  // frame_pool.cpp: allocates and registers a slab

  // A free list is a stack of the blocks themselves: the first word of a free block is the next.
  static void* pop(Node*& list) noexcept {
    Node* n = list;
    if (n) list = n->next;
    return n;
  }
  static void push(Node*& list, void* p) noexcept {
    auto* n = static_cast<Node*>(p);
    n->next = list;
    list = n;
  }
  // A fresh block of `bytes` carved from the current slab (a new slab when this one is short),
  // starting on an `align` boundary (a multiple of granule). The gap skipped to reach it is a whole
  // number of granules: it goes on the ordinary free lists for later.
  void* carve(std::size_t bytes, std::size_t align) {
    // slab_next_ is always granule-aligned, so the gap is at most align - granule.
    if (static_cast<std::size_t>(slab_end_ - slab_next_) < bytes + align - granule) new_slab();
    if (const auto misalign = reinterpret_cast<std::uintptr_t>(slab_next_) % align) {
      const std::size_t gap = align - misalign;
      push(free_[gap / granule], slab_next_);
      slab_next_ += gap;
    }
    void* p = slab_next_;
    slab_next_ += bytes;
    return p;
  }
  static FramePool& local() {
    thread_local FramePool pool;
    return pool;
  }

  Node* free_[classes] = {};
  Node* line_free_[max_pooled / line_bytes + 1] = {};
  char* slab_next_ = nullptr;
  char* slab_end_ = nullptr;
};

}  // namespace asynclab::detail
