#pragma once
// LiveTasks: the scheduler's table of every task not yet complete, so shutdown can cancel them and
// the stuck report can name them.
//
// Rules:
// * A task is filed under its id. Ids grow, so the table is a run of chunks of 4096 slots, each
//   chunk covering 4096 consecutive ids; a task's slot is found from its id alone.
// * Inserting and erasing touch the table and nothing else — never another task's header. (A
//   million short tasks finishing in order must not each pull a cold neighbour into the cache.)
// * A chunk whose tasks have all finished is released at once (one spare is kept for reuse), so a
//   long-lived task pins only its own chunk.
// * Ids wrap after 2^32 tasks in one runtime; this table assumes they do not.
// * ShardedLiveTasks, below, is the same table for worker threads: see its own rules.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "asynclab/detail/spin_lock.hpp"
#include "asynclab/detail/task_header.hpp"

namespace asynclab::detail {

class LiveTasks {
 public:
  void insert(TaskHeader* t) { insert(t, t->id); }
  void erase(TaskHeader* t) { erase(t->id); }

  // Filed under `key` rather than the id (ShardedLiveTasks files under id / shards). Keys mostly
  // grow; one a little below those already filed (two workers spawning at once) is filed too.
  void insert(TaskHeader* t, std::uint32_t key) {
    const std::uint32_t c = key >> shift;
    if (chunks_.empty()) base_ = c;
    for (; c < base_; --base_) chunks_.push_front(nullptr);
    while (c - base_ >= chunks_.size()) chunks_.push_back(nullptr);
    auto& chunk = chunks_[c - base_];
    if (!chunk) chunk = spare_ ? std::move(spare_) : std::make_unique<Chunk>();
    chunk->slots[key & mask] = t;
    ++chunk->count;
    ++size_;
  }

  void erase(std::uint32_t key) {
    const std::uint32_t k = (key >> shift) - base_;
    auto& chunk = chunks_[k];
    chunk->slots[key & mask] = nullptr;
    --size_;
    if (--chunk->count != 0 || k + 1 == chunks_.size()) return;  // the newest chunk still fills up
    if (!spare_) spare_ = std::move(chunk);
    chunk.reset();
    while (!chunks_.empty() && !chunks_.front()) {
      chunks_.pop_front();
      ++base_;
    }
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(TaskHeader*) for every live task, oldest first. f must not insert or erase.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& chunk : chunks_) {
      if (!chunk) continue;
      for (TaskHeader* t : chunk->slots)
        if (t) f(t);
    }
  }

  // Calls f(TaskHeader*) for every task, oldest first, and leaves the table empty.
  template <class F>
  void drain(F&& f) {
    for_each(f);
    if (!spare_) {
      for (auto& chunk : chunks_)
        if (chunk) {
          spare_ = std::move(chunk);
          spare_->slots.fill(nullptr);
          spare_->count = 0;
          break;
        }
    }
    chunks_.clear();
    base_ = 0;
    size_ = 0;
  }

  // The live task with the highest id, or null.
  TaskHeader* newest() const {
    for (auto it = chunks_.rbegin(); it != chunks_.rend(); ++it) {
      if (!*it || (*it)->count == 0) continue;
      for (auto s = (*it)->slots.rbegin(); s != (*it)->slots.rend(); ++s)
        if (*s) return *s;
    }
    return nullptr;
  }

 private:
  static constexpr std::uint32_t shift = 12;
  static constexpr std::uint32_t mask = (1u << shift) - 1;
  struct Chunk {
    std::array<TaskHeader*, std::size_t{1} << shift> slots{};
    std::uint32_t count = 0;
  };
  std::deque<std::unique_ptr<Chunk>> chunks_;  // chunks_[k] covers ids from (base_ + k) << shift
  std::uint32_t base_ = 0;
  std::size_t size_ = 0;
  std::unique_ptr<Chunk> spare_;
};

// The live table of a runtime on worker threads, split into shards, each a LiveTasks under its own
// lock. A million tasks spawned on one worker and finished on another otherwise meet on one lock
// and one cache line at every spawn and every finish (tokio shards its OwnedTasks list likewise).
//
// Rules:
// * A task is filed in shard (id mod shards), under key id / shards. Consecutive ids land in
//   different shards, so a spawn and a finish a few ids apart rarely touch the same lock.
// * It holds the table only while the worker threads run: move_in at the start of a run takes every
//   task of the runtime's LiveTasks, move_out after the workers have stopped gives them all back, so
//   shutdown and the stuck report read one single-threaded table. Both run with no worker alive.
// * for_each takes one shard's lock at a time: f may take a task's own locks, never a shard's.
class ShardedLiveTasks {
 public:
  // Shard count: a power of two, about four per worker.
  void configure(std::uint32_t workers) {
    std::uint32_t n = 4;
    while (n < 4 * workers && n < 256) n *= 2;
    shards_ = std::vector<Shard>(n);
    bits_ = static_cast<std::uint32_t>(std::countr_zero(n));
  }

  void insert(TaskHeader* t) {
    Shard& s = shard_of(t->id);
    std::lock_guard lock(s.lock);
    s.tasks.insert(t, t->id >> bits_);
  }
  void erase(TaskHeader* t) {
    Shard& s = shard_of(t->id);
    std::lock_guard lock(s.lock);
    s.tasks.erase(t->id >> bits_);
  }

  template <class F>
  void for_each(F&& f) {
    for (Shard& s : shards_) {
      std::lock_guard lock(s.lock);
      s.tasks.for_each(f);
    }
  }

  // No worker may be running (see the rules).
  void move_in(LiveTasks& from) {
    from.drain([&](TaskHeader* t) { shard_of(t->id).tasks.insert(t, t->id >> bits_); });
  }
  // Every task, back into `to` in id order. `to` holds only older tasks, or none.
  void move_out(LiveTasks& to) {
    std::vector<TaskHeader*> all;
    for (Shard& s : shards_) s.tasks.drain([&](TaskHeader* t) { all.push_back(t); });
    std::sort(all.begin(), all.end(), [](const TaskHeader* a, const TaskHeader* b) { return a->id < b->id; });
    for (TaskHeader* t : all) to.insert(t);
  }

 private:
  struct alignas(64) Shard {
    SpinLock lock;
    LiveTasks tasks;
  };
  Shard& shard_of(std::uint32_t id) { return shards_[id & ((1u << bits_) - 1)]; }
  std::vector<Shard> shards_;
  std::uint32_t bits_ = 0;
};

}  // namespace asynclab::detail
