#pragma once
// Resource: the runtime's view of a channel, lock, semaphore or notify — so the trace can draw it
// (a channel as a queue of tokens, a mutex with its holder and waiters) and the deadlock report can
// say which task waits on what, held by whom.
//
// Rules:
// * Every primitive's shared state derives from Resource. It joins the runtime running on this
//   thread when it is created inside one, or at its first operation inside one otherwise (a channel
//   made in main() before block_on). Outside any runtime it records nothing.
// * Joining records resource_created and resource_limits; destruction records resource_dropped.
// * A primitive whose future is about to answer Pending calls wait_here(): the running task is
//   then known to wait on this resource until its next poll. The deadlock report reads that, and
//   asks the resource for its holders through snapshot().
// * A Resource may outlive its runtime (kept in state the program owns). Used later in another
//   runtime, it joins that one under a new id.
// * Wakes a primitive gives go through resource_wake(), so the trace says a channel or lock woke
//   the task (WakeSource::channel), and which task's action caused it.
// * The bookkeeping here relies on the primitive's own lock (each primitive records under it).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/waker.hpp"

#include "asynclab/trace/event.hpp"

namespace asynclab::detail {

class Scheduler;

struct ResourceSnapshot {
  std::vector<std::uint32_t> holders;  // tasks holding it: a mutex's owner, a semaphore's permit holders
  std::string state;                   // in words: "buffer 1/1 full, 2 senders alive"
};

class Resource {
 public:
  Resource(trace::ResourceKind kind, std::string_view name, std::uint64_t limit);
  virtual ~Resource();
  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;

  trace::ResourceKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  std::uint64_t limit() const { return limit_; }
  // The id in the trace (0 until it has joined a runtime).
  std::uint32_t id() const { return id_; }

  // What the deadlock report says of this resource.
  virtual void snapshot(ResourceSnapshot& out) const = 0;

  // The id of the task running now (0 outside any task).
  static std::uint32_t running_task();

 protected:
  // Records an event about this resource, attributed to the running task.
  void record(trace::EventKind kind, std::uint32_t b = 0, std::uint16_t flags = 0);
  // The running task is about to answer Pending waiting on this resource.
  void wait_here();

 private:
  bool join();  // joins the runtime running now unless already in it; false outside any runtime
  [[gnu::noinline]] void join_new(Scheduler* s);  // join's first use in runtime s (out of line)

  trace::ResourceKind kind_;
  std::string name_;
  std::uint64_t limit_;
  Scheduler* scheduler_ = nullptr;
  std::uint64_t scheduler_serial_ = 0;
  std::uint32_t id_ = 0;    // in the trace and the stuck report
  std::uint32_t slot_ = 0;  // in the scheduler's table of live resources
};

// Wakes (and consumes) w on behalf of a channel or lock.
void resource_wake(Waker& w);

// Whether a primitive made now may be used from several threads at once: true on a worker thread
// of a multi_thread runtime and outside any runtime, false inside a current-thread or simulated
// runtime (see StateLock in state_lock.hpp).
bool may_be_shared_across_threads();

}  // namespace asynclab::detail
