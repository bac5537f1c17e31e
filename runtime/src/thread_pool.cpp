// The blocking pool's threads. See detail/thread_pool.hpp.
#include "asynclab/detail/thread_pool.hpp"

#include "asynclab/detail/frame_pool.hpp"

namespace asynclab::detail {

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::submit(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  queue_.push_back(std::move(job));
  if (idle_ == 0 && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { worker(); });
    return;
  }
  lock.unlock();
  work_ready_.notify_one();
}

std::size_t ThreadPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

void ThreadPool::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) {
        lock.unlock();
        FramePool::release_thread_cache();  // what this thread freed, for the threads that remain
        return;
      }
      ++idle_;
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      --idle_;
      continue;
    }
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace asynclab::detail
