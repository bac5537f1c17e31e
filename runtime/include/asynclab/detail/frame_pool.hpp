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
// * A block freed on another thread joins that thread's list: lists are per thread, so the fast
//   paths take no lock. Slabs are therefore never returned while the process runs (a block may
//   live in any thread's list); they are kept in one registry and released at exit.
// * The depot keeps a thread's lists from growing without bound. On worker threads a task is often
//   spawned (allocated) on one thread and finished (freed) on another; the freeing thread's list
//   would grow while the spawning thread carved fresh memory for ever. So a list that reaches
//   `spill_at` blocks hands its older half to a shared depot (one mutex, taken once per
//   `spill_at / 2` frees), and a thread whose list is empty takes a batch from the depot before it
//   carves new memory. A thread that ends (a worker when its block_on returns, a blocking-pool
//   thread) hands all its lists, and what is left of its slab, to the depot (release_thread_cache),
//   so the next threads reuse them: worker threads live for one block_on, and each would otherwise
//   strand a slab's worth of memory.
// * allocate_line_aligned hands out blocks that start on a cache line (line_bytes), from free lists of
//   their own, for state that two threads write (a channel's lock next to the fields it guards, so
//   one cache-line transfer brings both). The bytes skipped to reach a line boundary go on the
//   ordinary free lists, so nothing is lost.
// * Under AddressSanitizer every block goes straight to malloc/free so use-after-free stays visible.
#include "asynclab/detail/sanitizers.hpp"
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
#if defined(ASYNCLAB_ASAN)
    return ::operator new(size);
#else
    if (size > max_pooled) return ::operator new(size);
    const std::size_t cls = (size + granule - 1) / granule;
    FramePool& pool = local();
    if (void* p = pop(pool.free_[cls])) return p;
    return pool.refill_or_carve(cls, cls * granule, granule);
#endif
  }

  static void deallocate(void* p, std::size_t size) noexcept {
#if defined(ASYNCLAB_ASAN)
    ::operator delete(p, size);
#else
    if (!p) return;
    if (size > max_pooled) {
      ::operator delete(p, size);
      return;
    }
    local().push((size + granule - 1) / granule, p);
#endif
  }

  static constexpr std::size_t line_bytes = 64;

  // A block of `size` bytes starting on a cache-line boundary. Free it with deallocate_line_aligned.
  static void* allocate_line_aligned(std::size_t size) {
#if defined(ASYNCLAB_ASAN)
    return ::operator new(size, std::align_val_t(line_bytes));
#else
    if (size > max_pooled) return ::operator new(size, std::align_val_t(line_bytes));
    const std::size_t cls = (size + line_bytes - 1) / line_bytes;
    FramePool& pool = local();
    if (void* p = pop(pool.free_[line_list(cls)])) return p;
    return pool.refill_or_carve(line_list(cls), cls * line_bytes, line_bytes);
#endif
  }

  static void deallocate_line_aligned(void* p, std::size_t size) noexcept {
#if defined(ASYNCLAB_ASAN)
    ::operator delete(p, size, std::align_val_t(line_bytes));
#else
    if (!p) return;
    if (size > max_pooled) {
      ::operator delete(p, size, std::align_val_t(line_bytes));
      return;
    }
    local().push(line_list((size + line_bytes - 1) / line_bytes), p);
#endif
  }

  // A list reaching this many blocks hands its older half to the depot.
  static constexpr std::uint32_t spill_at = 512;
  // Hands every list of the calling thread to the depot, for other threads to reuse: a thread that
  // is about to end calls it (frame_pool.cpp). Harmless to call at any time.
  static void release_thread_cache() noexcept;
  // Blocks waiting in the depot now, for tests.
  static std::size_t depot_blocks();

 private:
  struct Node {
    Node* next;
  };
  static constexpr std::size_t classes = max_pooled / granule + 1;

  // frame_pool.cpp: makes room for at least `need` bytes: the unused tail of a slab some ended
  // thread left in the depot, else a new slab (allocated and registered).
  void new_slab(std::size_t need);
  struct Depot;  // frame_pool.cpp: what threads hand over, under one mutex
  static Depot& depot();

  // Lists 0 .. classes-1 hold ordinary blocks by granule count; the rest, line-aligned blocks by
  // line count. The depot keeps the same numbering.
  static constexpr std::size_t line_classes = max_pooled / line_bytes + 1;
  static constexpr std::size_t lists = classes + line_classes;
  static constexpr std::size_t line_list(std::size_t cls) { return classes + cls; }

  // A free list is a stack of the blocks themselves: the first word of a free block is the next.
  struct FreeList {
    Node* head = nullptr;
    std::uint32_t count = 0;
  };
  static void* pop(FreeList& list) noexcept {
    Node* n = list.head;
    if (n) {
      list.head = n->next;
      --list.count;
    }
    return n;
  }
  void push(std::size_t list, void* p) noexcept {
    FreeList& l = free_[list];
    auto* n = static_cast<Node*>(p);
    n->next = l.head;
    l.head = n;
    if (++l.count >= spill_at) [[unlikely]]
      spill(l, list);
  }
  // frame_pool.cpp, off the fast paths: the older half of a full list goes to the depot; an empty
  // list takes a batch from the depot, else a fresh block is carved.
  void spill(FreeList& l, std::size_t list) noexcept;
  void* refill_or_carve(std::size_t list, std::size_t bytes, std::size_t align);
  // A fresh block of `bytes` carved from the current slab (a new slab when this one is short),
  // starting on an `align` boundary (a multiple of granule). The gap skipped to reach it is a whole
  // number of granules: it goes on the ordinary free lists for later.
  void* carve(std::size_t bytes, std::size_t align);

  static FramePool& local() {
    thread_local FramePool pool;
    return pool;
  }

  FreeList free_[lists] = {};
  char* slab_next_ = nullptr;
  char* slab_end_ = nullptr;
};

}  // namespace asynclab::detail
