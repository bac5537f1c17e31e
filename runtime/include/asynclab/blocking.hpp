#pragma once
// spawn_blocking — `tokio::task::spawn_blocking`: run blocking code where it cannot stall the tasks.
//
// Rules:
// * spawn_blocking(f, name) runs the callable f off the async worker and returns a JoinHandle for
//   its result, like spawn. An exception thrown by f is the job's panic.
// * In real time f runs on a thread of the blocking pool; the worker keeps polling tasks meanwhile.
// * In virtual time f runs on a *blocking lane*: deterministically, on the runtime's thread, at the
//   moment the job is first polled, while sim::block_for inside it charges virtual time to the lane
//   rather than to the clock. The job's result is delivered when the lane's time is up, so the
//   trace shows a lane busy for exactly the blocked duration while every task goes on. (So f's side
//   effects happen at the start of its lane time: a lane is a model of a thread, not a thread.)
// * Built with GCC 12 rather than the project's Clang 19: name a lambda with non-trivial captures
//   before awaiting its job (runtime/README.md, "The compiler").
// * Nothing interrupts a job once started: aborting its task stops the waiting, not the job, whose
//   code runs to the end and whose result is thrown away (tokio's abort does nothing to a started
//   blocking task either).
// * The trace records blocking_begin / blocking_end with the lane (real time: the pool thread's
//   slot) and a job id, under the task that awaits the job.
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string_view>
#include <type_traits>
#include <utility>

#include "asynclab/detail/scheduler.hpp"
#include "asynclab/spawn.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab {

namespace detail {

// What sim::block_for charges its time to when called inside a blocking job.
struct BlockingLane {
  std::uint64_t charged_ns = 0;  // virtual time: how long the job has "blocked" so far
  bool virtual_time = false;
};
inline thread_local BlockingLane* current_blocking_lane = nullptr;

// The future a spawn_blocking task polls: starts the job at its first poll, then waits for the
// result (real time: delivered by the pool through post_remote; virtual time: a timer at the end
// of the lane's busy time).
template <class F>
class BlockingJob {
 public:
  using R = std::invoke_result_t<F&>;
  using Output = R;

  explicit BlockingJob(F f) : f_(std::move(f)) {}
  BlockingJob(BlockingJob&&) = default;

  Poll<R> poll(Context& cx) {
    Scheduler* s = Scheduler::current();
    if (!state_) start(*s, cx);
    if (!s->virtual_time()) {
      // The completion may run on another worker thread: done and the waker change under the lock.
      Waker replaced;  // dropped after the lock is released
      std::unique_lock lock(state_->lock);
      if (!state_->done) {
        if (!state_->waker.will_wake(cx.waker())) replaced = std::exchange(state_->waker, cx.waker());
        lock.unlock();
        return Poll<R>::pending();
      }
    } else if (!state_->done) {
      {
        if (s->now_ns() < done_at_) {
          if (sleep_->poll(cx).is_pending()) return Poll<R>::pending();
        }
        state_->done = true;
        s->emit(trace::EventKind::blocking_end, s->running_id(), lane_, job_);
      }
    }
    if (state_->error) std::rethrow_exception(state_->error);
    if constexpr (std::is_void_v<R>) {
      return Poll<void>::ready();
    } else {
      return Poll<R>::ready(std::move(*state_->value));
    }
  }

 private:
  // Shared with the pool thread in real time, which owns the callable from submission on and
  // touches the rest only before it posts its completion.
  struct State {
    std::optional<F> f;
    std::optional<stored_t<R>> value;
    std::exception_ptr error;
    SpinLock lock;  // guards done and waker in real time (see poll)
    bool done = false;
    Waker waker;
  };

  static void run_into(State& st, BlockingLane& lane) {
    BlockingLane* outer = std::exchange(current_blocking_lane, &lane);
    try {
      if constexpr (std::is_void_v<R>) {
        (*st.f)();
        st.value.emplace();
      } else {
        st.value.emplace((*st.f)());
      }
    } catch (...) {
      st.error = std::current_exception();
    }
    st.f.reset();
    current_blocking_lane = outer;
  }

  void start(Scheduler& s, Context& cx) {
    state_ = std::make_shared<State>();
    state_->f.emplace(std::move(f_));
    job_ = s.next_blocking_job();
    const std::uint32_t task = s.running_id();
    if (s.virtual_time()) {
      BlockingLane lane{0, true};
      run_into(*state_, lane);
      done_at_ = s.now_ns() + lane.charged_ns;
      lane_ = s.take_blocking_lane(done_at_);
      s.emit(trace::EventKind::blocking_begin, task, lane_, job_);
      sleep_.emplace(Instant(Duration(done_at_)));
      return;
    }
    lane_ = job_;  // real time: each job is its own lane in the trace
    s.emit(trace::EventKind::blocking_begin, task, lane_, job_);
    state_->waker = cx.waker();  // before submission: nobody else sees the state yet
    s.blocking_started();
    s.submit_blocking([st = state_, sched = &s, task, lane = lane_, job = job_]() mutable {
      BlockingLane real_lane{0, false};
      run_into(*st, real_lane);
      sched->post_remote([st, sched, task, lane, job] {
        sched->blocking_delivered();
        sched->emit(trace::EventKind::blocking_end, task, lane, job);
        Waker w;
        {
          std::lock_guard lock(st->lock);
          st->done = true;
          w = std::move(st->waker);
        }
        w.wake();
      });
    });
  }

  F f_;
  std::shared_ptr<State> state_;
  std::optional<Sleep> sleep_;
  std::uint64_t done_at_ = 0;
  std::uint32_t lane_ = 0;
  std::uint32_t job_ = 0;
};

}  // namespace detail

template <class F>
auto spawn_blocking(F&& f, std::string_view name = "blocking", std::source_location loc = std::source_location::current())
    -> JoinHandle<std::invoke_result_t<std::decay_t<F>&>> {
  return spawn(detail::BlockingJob<std::decay_t<F>>(std::forward<F>(f)), name, loc);
}

}  // namespace asynclab
