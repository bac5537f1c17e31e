#pragma once
// A per-thread cache of freed blocks, by size class, for coroutine frames and task cells.
//
// Why: every spawn allocates a task cell and usually a coroutine frame, and every finished task frees
// them. Keeping freed blocks on a per-thread list makes the next allocation of the same size a pointer
// pop instead of a trip through malloc. Blocks are ordinary malloc blocks with a one-word size-class
// prefix, so a block freed on another thread simply joins that thread's cache, and every cached block
// is returned to malloc when its thread ends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace asynclab::detail {

class FramePool {
 public:
  static constexpr std::size_t granule = 16;
  static constexpr std::size_t classes = 64;  // blocks up to 1 KiB are cached; larger go to malloc

  static void* allocate(std::size_t size) {
#if defined(__SANITIZE_ADDRESS__)
    // Under AddressSanitizer every block goes straight to malloc, so use-after-free stays visible.
    if (void* p = std::malloc(size)) return p;
    throw std::bad_alloc();
#endif
    std::size_t cls = (size + granule - 1) / granule;
    if (cls < classes) {
      auto& pool = local();
      if (Node* n = pool.free_[cls]) {
        pool.free_[cls] = n->next;
        return n;
      }
    }
    void* raw = std::malloc(header + (cls < classes ? cls * granule : size));
    if (!raw) throw std::bad_alloc();
    *static_cast<std::size_t*>(raw) = cls;
    return static_cast<char*>(raw) + header;
  }

  static void deallocate(void* p) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    std::free(p);
    return;
#endif
    if (!p) return;
    std::size_t cls = *reinterpret_cast<std::size_t*>(static_cast<char*>(p) - header);
    if (cls < classes) {
      auto& pool = local();
      auto* n = static_cast<Node*>(p);
      n->next = pool.free_[cls];
      pool.free_[cls] = n;
      return;
    }
    std::free(static_cast<char*>(p) - header);
  }

 private:
  static constexpr std::size_t header = 16;  // keeps the 16-byte alignment malloc gives
  struct Node {
    Node* next;
  };
  Node* free_[classes] = {};

  ~FramePool() {
    for (Node* head : free_) {
      while (head) {
        Node* next = head->next;
        std::free(reinterpret_cast<char*>(head) - header);
        head = next;
      }
    }
  }
  static FramePool& local() {
    thread_local FramePool pool;
    return pool;
  }
};

}  // namespace asynclab::detail
