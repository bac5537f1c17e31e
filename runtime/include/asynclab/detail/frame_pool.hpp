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
    if (Node* n = pool.free_[cls]) {
      pool.free_[cls] = n->next;
      return n;
    }
    const std::size_t bytes = cls * granule;
    if (static_cast<std::size_t>(pool.slab_end_ - pool.slab_next_) < bytes) pool.new_slab();
    void* p = pool.slab_next_;
    pool.slab_next_ += bytes;
    return p;
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
    if (Node* n = pool.line_free_[cls]) {
      pool.line_free_[cls] = n->next;
      return n;
    }
    const std::size_t bytes = cls * line_bytes;
    if (static_cast<std::size_t>(pool.slab_end_ - pool.slab_next_) < bytes + line_bytes) pool.new_slab();
    const auto misalign = reinterpret_cast<std::uintptr_t>(pool.slab_next_) % line_bytes;
    if (misalign != 0) {
      // The gap before the boundary is a whole number of granules: an ordinary block for later.
      const std::size_t gap = line_bytes - misalign;
      deallocate(pool.slab_next_, gap);
      pool.slab_next_ += gap;
    }
    void* p = pool.slab_next_;
    pool.slab_next_ += bytes;
    return p;
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
    const std::size_t cls = (size + line_bytes - 1) / line_bytes;
    FramePool& pool = local();
    auto* n = static_cast<Node*>(p);
    n->next = pool.line_free_[cls];
    pool.line_free_[cls] = n;
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
    const std::size_t cls = (size + granule - 1) / granule;
    FramePool& pool = local();
    auto* n = static_cast<Node*>(p);
    n->next = pool.free_[cls];
    pool.free_[cls] = n;
#endif
  }

 private:
  struct Node {
    Node* next;
  };
  static constexpr std::size_t classes = max_pooled / granule + 1;

  void new_slab();  // frame_pool.cpp: allocates and registers a slab
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
