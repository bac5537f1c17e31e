// FramePool (detail/frame_pool.hpp): line-aligned blocks for state two threads write, next to the
// ordinary pooled blocks, from the same slabs without overlapping; and the depot, through which
// blocks freed on one thread, and the slab a thread leaves behind, reach the threads that allocate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "asynclab/detail/frame_pool.hpp"

using asynclab::detail::FramePool;

namespace {

bool line_aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % FramePool::line_bytes == 0; }

}  // namespace

TEST_CASE("FramePool: line-aligned blocks start on a cache line at every size, pooled or not", "[frame_pool]") {
  for (std::size_t size : {std::size_t{1}, std::size_t{16}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                           std::size_t{200}, std::size_t{320}, FramePool::max_pooled, FramePool::max_pooled + 1,
                           std::size_t{5000}}) {
    CAPTURE(size);
    void* p = FramePool::allocate_line_aligned(size);
    CHECK(line_aligned(p));
    std::memset(p, 0xab, size);  // the whole block is usable (ASan would object otherwise)
    FramePool::deallocate_line_aligned(p, size);
  }
}

TEST_CASE("FramePool: aligned and ordinary blocks interleaved never overlap, and freed blocks come back",
          "[frame_pool]") {
  struct Block {
    char* at;
    std::size_t size;
    bool aligned;
  };
  std::vector<Block> blocks;
  for (int i = 0; i < 200; ++i) {
    const std::size_t ordinary = 16 + (i % 7) * 16;  // odd granules leave the slab off a line boundary
    blocks.push_back({static_cast<char*>(FramePool::allocate(ordinary)), ordinary, false});
    const std::size_t aligned = 100 + (i % 3) * 100;
    blocks.push_back({static_cast<char*>(FramePool::allocate_line_aligned(aligned)), aligned, true});
  }
  for (std::size_t k = 0; k < blocks.size(); ++k) std::memset(blocks[k].at, static_cast<int>(k % 251), blocks[k].size);
  for (const Block& b : blocks)
    if (b.aligned) CHECK(line_aligned(b.at));
  std::vector<Block> sorted = blocks;
  std::sort(sorted.begin(), sorted.end(), [](const Block& a, const Block& b) { return a.at < b.at; });
  for (std::size_t k = 1; k < sorted.size(); ++k) CHECK(sorted[k - 1].at + sorted[k - 1].size <= sorted[k].at);
  // Every byte still holds what its own block's owner wrote: nothing was handed out twice.
  for (std::size_t k = 0; k < blocks.size(); ++k)
    CHECK(std::all_of(blocks[k].at, blocks[k].at + blocks[k].size,
                      [k](char c) { return static_cast<unsigned char>(c) == k % 251; }));

  for (const Block& b : blocks) {
    if (b.aligned) FramePool::deallocate_line_aligned(b.at, b.size);
    else FramePool::deallocate(b.at, b.size);
  }
#if !defined(ASYNCLAB_ASAN)
  // The pool reuses a freed block of the same size class at once (under ASan every block is fresh).
  void* p = FramePool::allocate_line_aligned(300);
  FramePool::deallocate_line_aligned(p, 300);
  CHECK(FramePool::allocate_line_aligned(300) == p);
  FramePool::deallocate_line_aligned(p, 300);
#endif
}

// Each test case runs in a process of its own (catch_discover_tests), so the depot starts empty and
// the odd sizes below are used by nothing else.
TEST_CASE("FramePool: blocks freed on another thread come back, through the depot, to the thread that allocates",
          "[frame_pool]") {
#if defined(ASYNCLAB_ASAN)
  SUCCEED("under AddressSanitizer every block comes from malloc: there is no pool and no depot");
#else
  constexpr std::size_t size = 1000;
  const std::size_t n = 4 * FramePool::spill_at;
  std::vector<void*> made;
  for (std::size_t i = 0; i < n; ++i) made.push_back(FramePool::allocate(size));
  const std::size_t before = FramePool::depot_blocks();
  std::size_t spilled = 0;
  std::thread([&] {  // the worker that finishes tasks another spawned
    for (void* p : made) FramePool::deallocate(p, size);
    spilled = FramePool::depot_blocks() - before;
    FramePool::release_thread_cache();  // as a worker does when its block_on returns
  }).join();
  // Its list never held spill_at blocks: the older half went to the depot each time it filled.
  CHECK(spilled >= n - FramePool::spill_at);
  CHECK(spilled < n);
  CHECK(FramePool::depot_blocks() - before == n);

  // This thread's list is empty: it takes every block back before carving any new memory.
  const std::set<void*> freed(made.begin(), made.end());
  std::size_t reused = 0;
  std::vector<void*> again;
  for (std::size_t i = 0; i < n; ++i) {
    again.push_back(FramePool::allocate(size));
    reused += freed.count(again.back());
  }
  CHECK(reused == n);
  CHECK(FramePool::depot_blocks() == before);
  for (void* p : again) FramePool::deallocate(p, size);
#endif
}

TEST_CASE("FramePool: the slab a thread leaves behind is where the next thread carves", "[frame_pool]") {
#if defined(ASYNCLAB_ASAN)
  SUCCEED("under AddressSanitizer every block comes from malloc: there are no slabs");
#else
  char* first = nullptr;
  std::thread([&] {
    first = static_cast<char*>(FramePool::allocate(992));  // this thread's first block: a fresh slab
    FramePool::deallocate(first, 992);
    FramePool::release_thread_cache();
  }).join();
  char* next = nullptr;
  std::thread([&] {
    next = static_cast<char*>(FramePool::allocate(976));  // another size: no freed block to reuse
    FramePool::deallocate(next, 976);
    FramePool::release_thread_cache();
  }).join();
  CHECK(next == first + 992);
#endif
}
