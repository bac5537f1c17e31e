// FramePool (detail/frame_pool.hpp): line-aligned blocks for state two threads write, next to the
// ordinary pooled blocks, from the same slabs without overlapping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
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
#if !defined(__SANITIZE_ADDRESS__)
  // The pool reuses a freed block of the same size class at once (under ASan every block is fresh).
  void* p = FramePool::allocate_line_aligned(300);
  FramePool::deallocate_line_aligned(p, 300);
  CHECK(FramePool::allocate_line_aligned(300) == p);
  FramePool::deallocate_line_aligned(p, 300);
#endif
}
