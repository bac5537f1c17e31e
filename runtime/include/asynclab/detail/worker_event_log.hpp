#pragma once
// WorkerEventLog: one worker thread's trace events, appended without a lock while the runtime runs
// and moved into the recorder's Trace, merged by stamp, when the run ends (Scheduler::
// merge_thread_traces).
//
// Rules:
// * Only the worker that owns the log appends to it; the merge reads it after every worker stopped.
// * Events live in blocks of exactly Trace::chunk_bytes, never reallocated, so an append never
//   copies old events (a std::vector doubling copied and touched fresh pages up to twice).
// * While the merge moves events out, each block it has read to the end goes to the Trace as the
//   memory of its next chunk (Trace::give_spare_chunk): a traced run faults in fresh pages for its
//   events about once rather than twice. The bytes are the same; only what they hold changes.
// * A block holds plain 24-byte Events (stored with memcpy into the byte block); the Trace packs
//   them to 22 bytes, so the blocks given back outnumber the chunks it needs.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "asynclab/trace/event.hpp"
#include "asynclab/trace/trace.hpp"

namespace asynclab::detail {

class WorkerEventLog {
 public:
  WorkerEventLog() = default;
  // Not movable: a Reader points at its log, and a moved log's next_ would write into the blocks
  // its new owner holds.
  WorkerEventLog(const WorkerEventLog&) = delete;
  WorkerEventLog& operator=(const WorkerEventLog&) = delete;

  static constexpr std::size_t block_bytes = trace::Trace::chunk_bytes;
  static constexpr std::size_t per_block = block_bytes / sizeof(trace::Event);

  [[gnu::always_inline]] void push(const trace::Event& e) {
    if (next_ == end_) [[unlikely]]
      add_block();
    std::memcpy(next_, &e, sizeof e);
    next_ += sizeof e;
  }

  bool empty() const { return blocks_.empty() || (blocks_.size() == 1 && next_ == blocks_[0].get()); }
  std::size_t size() const {
    if (blocks_.empty()) return 0;
    return (blocks_.size() - 1) * per_block + static_cast<std::size_t>(next_ - blocks_.back().get()) / sizeof(trace::Event);
  }

  // Reads the log from the front, once, handing each block it has read to the end to `spare` (a
  // Trace). The log is empty afterwards (also when the reader is abandoned) and may be appended to
  // again.
  class Reader {
   public:
    Reader(WorkerEventLog& log, trace::Trace& spare) : log_(&log), spare_(&spare), left_(log.size()) { load(); }
    Reader(Reader&& other) noexcept
        : log_(other.log_), spare_(other.spare_), left_(std::exchange(other.left_, 0)), block_(other.block_),
          at_(other.at_), head_(other.head_) {
      other.log_ = nullptr;
    }
    Reader& operator=(Reader&&) = delete;
    ~Reader() {
      left_ = 0;
      if (log_) load();
    }
    bool done() const { return left_ == 0; }
    // The next event; only when !done().
    const trace::Event& head() const { return head_; }
    void advance() {
      if (--left_ != 0 && ++at_ < per_block) {
        load();
        return;
      }
      spare_->give_spare_chunk(std::move(log_->blocks_[block_]));  // read to the end: give it away
      ++block_;
      at_ = 0;
      load();
    }

   private:
    void load() {
      if (left_ != 0) {
        std::memcpy(&head_, log_->blocks_[block_].get() + at_ * sizeof(trace::Event), sizeof head_);
        return;
      }
      log_->blocks_.clear();  // every block read is given away already (null here)
      log_->next_ = log_->end_ = nullptr;
    }
    WorkerEventLog* log_;
    trace::Trace* spare_;
    std::size_t left_;
    std::size_t block_ = 0;
    std::size_t at_ = 0;
    trace::Event head_{};
  };

 private:
  void add_block() {
    blocks_.push_back(trace::Trace::allocate_chunk());
    next_ = blocks_.back().get();
    end_ = next_ + per_block * sizeof(trace::Event);
  }
  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::uint8_t* next_ = nullptr;
  std::uint8_t* end_ = nullptr;
};

}  // namespace asynclab::detail
