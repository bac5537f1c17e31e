#pragma once
// ThreadPool: the real threads behind spawn_blocking in real time — tokio's blocking pool.
//
// Rules:
// * Threads are started on demand, one per job while fewer than `max_threads` exist and none is
//   idle; an idle thread takes the next job in FIFO order. Jobs beyond that wait in the queue.
// * A job runs to completion: nothing can interrupt a blocking call (tokio cannot abort a
//   spawn_blocking job that has started either).
// * The destructor waits for every queued and running job, then joins the threads — dropping a
//   runtime waits for its blocking work, as tokio's does.
// * Jobs report back to their runtime through Scheduler::post_remote, never by touching tasks
//   from a pool thread.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace asynclab::detail {

class ThreadPool {
 public:
  explicit ThreadPool(std::size_t max_threads) : max_threads_(max_threads ? max_threads : 1) {}
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void submit(std::function<void()> job);
  std::size_t threads() const;

 private:
  void worker();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace asynclab::detail
