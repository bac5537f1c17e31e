// FramePool's slow paths: slabs (allocated on demand, registered once, released when the process
// exits) and the depot through which threads pass free blocks and slab tails to each other.
#include "asynclab/detail/frame_pool.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace asynclab::detail {

namespace {

// 2 MiB, in ordinary pages. Slabs are not offered as transparent huge pages (MADV_HUGEPAGE), though
// that saved 20% of spawn_many on one thread here when it worked: on a virtual machine with free page
// reporting, such as this project's, free memory in large blocks is handed back to the host, and a
// huge-page fault lands on exactly that memory. Measured after five idle seconds, spawn_many ran at
// 560-670 ns a task with the hint and 170-210 without on one thread, 530-550 against 260-280 on
// two workers.
constexpr std::size_t slab_bytes = 2 * 1024 * 1024;
// A slab tail smaller than this is not worth handing on when its thread ends.
[[maybe_unused]] constexpr std::size_t min_tail_bytes = 64 * 1024;

// Every slab ever allocated, so they stay reachable (leak checkers agree) and are freed at exit.
struct SlabRegistry {
  std::mutex mutex;
  std::vector<void*> slabs;
  ~SlabRegistry() {
    for (void* s : slabs) std::free(s);
  }
};

SlabRegistry& registry() {
  static SlabRegistry r;
  return r;
}

}  // namespace

struct FramePool::Depot {
  struct Batch {
    Node* head;
    std::uint32_t count;
  };
  struct Tail {
    char* next;
    char* end;
  };
  std::mutex mutex;
  std::vector<Batch> batches[lists];  // under mutex
  std::vector<Tail> tails;            // under mutex
  // Batches waiting per list, read without the lock so an empty depot costs a thread that carves
  // no lock; and the blocks in all of them, for tests.
  std::atomic<std::uint32_t> waiting[lists] = {};
  std::atomic<std::size_t> blocks{0};
};

FramePool::Depot& FramePool::depot() {
  // Never destroyed: a thread may still hand its lists over while the process exits.
  static Depot* d = new Depot;
  return *d;
}

void FramePool::spill(FreeList& l, std::size_t list) noexcept {
  // The newer half stays (its blocks are the ones in this core's cache); the older half goes.
  constexpr std::uint32_t keep = spill_at / 2;
  Node* cut = l.head;
  for (std::uint32_t i = 1; i < keep; ++i) cut = cut->next;
  const Depot::Batch older{cut->next, l.count - keep};
  Depot& d = depot();
  try {
    std::lock_guard lock(d.mutex);
    d.batches[list].push_back(older);
  } catch (...) {
    return;  // no memory for the depot's bookkeeping: keep the blocks here
  }
  cut->next = nullptr;
  l.count = keep;
  d.waiting[list].fetch_add(1, std::memory_order_relaxed);
  d.blocks.fetch_add(older.count, std::memory_order_relaxed);
}

void* FramePool::refill_or_carve(std::size_t list, std::size_t bytes, std::size_t align) {
  Depot& d = depot();
  if (d.waiting[list].load(std::memory_order_relaxed) != 0) {
    std::unique_lock lock(d.mutex);
    if (!d.batches[list].empty()) {
      const Depot::Batch b = d.batches[list].back();
      d.batches[list].pop_back();
      lock.unlock();
      d.waiting[list].fetch_sub(1, std::memory_order_relaxed);
      d.blocks.fetch_sub(b.count, std::memory_order_relaxed);
      free_[list] = FreeList{b.head, b.count};  // the list was empty: that is why we are here
      return pop(free_[list]);
    }
  }
  return carve(bytes, align);
}

void* FramePool::carve(std::size_t bytes, std::size_t align) {
  // slab_next_ is always granule-aligned, so the gap is at most align - granule.
  const std::size_t need = bytes + align - granule;
  if (static_cast<std::size_t>(slab_end_ - slab_next_) < need) new_slab(need);
  if (const auto misalign = reinterpret_cast<std::uintptr_t>(slab_next_) % align) {
    const std::size_t gap = align - misalign;
    char* const gap_start = slab_next_;
    slab_next_ += gap;
    push(gap / granule, gap_start);
  }
  void* p = slab_next_;
  slab_next_ += bytes;
  return p;
}

void FramePool::new_slab(std::size_t need) {
  Depot& d = depot();
  {
    std::lock_guard lock(d.mutex);
    for (std::size_t i = 0; i < d.tails.size(); ++i) {
      const Depot::Tail t = d.tails[i];
      if (static_cast<std::size_t>(t.end - t.next) < need) continue;
      d.tails[i] = d.tails.back();
      d.tails.pop_back();
      // The rest of the current slab is abandoned: at most one block's worth.
      slab_next_ = t.next;
      slab_end_ = t.end;
      return;
    }
  }
  void* slab = std::aligned_alloc(slab_bytes, slab_bytes);
  if (!slab) throw std::bad_alloc();
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.slabs.push_back(slab);
  }
  // The tail of the previous slab is abandoned: at most one block's worth per slab.
  slab_next_ = static_cast<char*>(slab);
  slab_end_ = slab_next_ + slab_bytes;
}

void FramePool::release_thread_cache() noexcept {
#if !defined(ASYNCLAB_ASAN)
  FramePool& pool = local();
  Depot& d = depot();
  try {
    std::lock_guard lock(d.mutex);
    for (std::size_t i = 0; i < lists; ++i) {
      FreeList& l = pool.free_[i];
      if (!l.head) continue;
      d.batches[i].push_back({l.head, l.count});
      d.waiting[i].fetch_add(1, std::memory_order_relaxed);
      d.blocks.fetch_add(l.count, std::memory_order_relaxed);
      l = FreeList{};
    }
    if (static_cast<std::size_t>(pool.slab_end_ - pool.slab_next_) >= min_tail_bytes) {
      d.tails.push_back({pool.slab_next_, pool.slab_end_});
      pool.slab_next_ = pool.slab_end_ = nullptr;
    }
  } catch (...) {
    // No memory for the depot's bookkeeping: whatever was not handed over stays with this thread.
  }
#endif
}

std::size_t FramePool::depot_blocks() { return depot().blocks.load(std::memory_order_relaxed); }

}  // namespace asynclab::detail
