// FramePool's slabs: allocated on demand, registered once, released when the process exits.
#include "asynclab/detail/frame_pool.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <vector>

namespace asynclab::detail {

namespace {

// One transparent huge page: a spawn-heavy program touches its slabs once, and faulting them in
// 2 MiB at a time instead of 4 KiB costs a five-hundredth of the page faults.
constexpr std::size_t slab_bytes = 2 * 1024 * 1024;

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

void FramePool::new_slab() {
  void* slab = std::aligned_alloc(slab_bytes, slab_bytes);
  if (!slab) throw std::bad_alloc();
  // Only a hint: where the kernel has no huge pages to give, the slab is ordinary memory.
  (void)::madvise(slab, slab_bytes, MADV_HUGEPAGE);
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.slabs.push_back(slab);
  }
  // The tail of the previous slab is abandoned: at most one block's worth per slab.
  slab_next_ = static_cast<char*>(slab);
  slab_end_ = slab_next_ + slab_bytes;
}

}  // namespace asynclab::detail
