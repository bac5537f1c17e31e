#pragma once
// LiveTasks: the scheduler's table of every task not yet complete, so shutdown can cancel them and
// the stuck report can name them.
//
// Rules:
// * A task is filed under its id. Ids only grow, so the table is a run of chunks of 4096 slots,
//   each chunk covering 4096 consecutive ids; a task's slot is found from its id alone.
// * Inserting and erasing touch the table and nothing else — never another task's header. (A
//   million short tasks finishing in order must not each pull a cold neighbour into the cache.)
// * A chunk whose tasks have all finished is released at once (one spare is kept for reuse), so a
//   long-lived task pins only its own chunk.
// * Ids wrap after 2^32 tasks in one runtime; this table assumes they do not.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "asynclab/detail/task_header.hpp"

namespace asynclab::detail {

class LiveTasks {
 public:
  void insert(TaskHeader* t) {
    const std::uint32_t c = t->id >> shift;
    if (chunks_.empty()) base_ = c;
    while (c - base_ >= chunks_.size()) chunks_.push_back(nullptr);
    auto& chunk = chunks_[c - base_];
    if (!chunk) chunk = spare_ ? std::move(spare_) : std::make_unique<Chunk>();
    chunk->slots[t->id & mask] = t;
    ++chunk->count;
    ++size_;
  }

  void erase(TaskHeader* t) {
    const std::uint32_t k = (t->id >> shift) - base_;
    auto& chunk = chunks_[k];
    chunk->slots[t->id & mask] = nullptr;
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

}  // namespace asynclab::detail
