// Simulated workers: the multi_thread flavor in virtual time, N logical workers on one thread.
// See "Simulated workers" in detail/scheduler.hpp for the rules this file keeps.
#include <limits>

#include "asynclab/detail/scheduler.hpp"

namespace asynclab::detail {

using trace::EventKind;

bool Scheduler::any_worker_busy() const {
  for (const SimWorker& w : workers_)
    if (w.busy) return true;
  return false;
}

void Scheduler::clear_worker_queues() {
  for (SimWorker& w : workers_) w.local.clear();
  inject_.clear();
}

TaskHeader* Scheduler::next_for_worker(std::uint32_t w) {
  SimWorker& me = workers_[w];
  if (!me.local.empty()) {
    TaskHeader* t = me.local.front();
    me.local.pop_front();
    return t;
  }
  if (!inject_.empty()) {
    TaskHeader* t = inject_.front();
    inject_.pop_front();
    return t;
  }
  const auto n = static_cast<std::uint32_t>(workers_.size());
  if (n < 2) return nullptr;
  // Steal: the seed picks where the search for a victim starts (tokio starts at a random worker
  // too), then it goes round. Nothing is drawn when every queue is empty, so an idle round costs
  // the seed's sequence nothing.
  bool any = false;
  for (std::uint32_t v = 0; v < n && !any; ++v) any = v != w && !workers_[v].local.empty();
  if (!any) return nullptr;
  const auto start = static_cast<std::uint32_t>(random() % n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t v = (start + i) % n;
    if (v == w || workers_[v].local.empty()) continue;
    std::deque<TaskHeader*>& victim = workers_[v].local;
    const std::size_t take = (victim.size() + 1) / 2;  // the older half, rounded up
    const std::uint32_t outer = std::exchange(worker_, w);  // the thief records the steal
    for (std::size_t k = 0; k < take; ++k) {
      TaskHeader* t = victim.front();
      victim.pop_front();
      emit(EventKind::task_stolen, t->id, v, w);
      me.local.push_back(t);
    }
    worker_ = outer;
    TaskHeader* t = me.local.front();
    me.local.pop_front();
    return t;
  }
  return nullptr;
}

void Scheduler::enter_worker(std::uint32_t w) {
  SimWorker& me = workers_[w];
  if (!me.fiber) {
    me.fiber = std::make_unique<Fiber>([this, w] {
      // Between polls the fiber sits in suspend() with nothing on its stack that needs a
      // destructor, so the scheduler may destroy it there.
      for (;;) {
        TaskHeader* t = std::exchange(workers_[w].assigned, nullptr);
        if (t) poll_task(t);
        Fiber::suspend();
      }
    });
  }
  on_worker_ = true;
  worker_ = w;
  me.fiber->resume();
  on_worker_ = false;
  worker_ = 0;
  running_ = nullptr;
  wake_source_ = trace::WakeSource::task;
}

void Scheduler::block_sim_worker(std::uint64_t ns) {
  const std::uint32_t w = worker_;
  SimWorker& me = workers_[w];
  const std::uint32_t job = next_blocking_job();
  emit(EventKind::blocking_begin, running_id(), 0, job);
  me.busy = true;
  me.busy_until = virtual_now_ + ns;
  me.running = running_;
  const trace::WakeSource source = wake_source_;
  Fiber::suspend();  // the other workers go on; the run loop resumes us at busy_until
  me.busy = false;
  running_ = me.running;
  me.running = nullptr;
  wake_source_ = source;
  stamp_ = virtual_now_;
  emit(EventKind::blocking_end, running_id(), 0, job);
}

void Scheduler::run_workers_until_complete(TaskHeader* main) {
  const std::uint32_t n = config_.workers;
  if (workers_.size() != n) workers_.resize(n);
  for (;;) {
    // The free workers poll, in rounds, until none finds a task at this instant.
    for (bool progress = true; progress && !main->is_complete();) {
      progress = false;
      for (std::uint32_t w = 0; w < n && !main->is_complete(); ++w) {
        if (workers_[w].busy) continue;
        TaskHeader* t = next_for_worker(w);
        if (!t) continue;
        workers_[w].assigned = t;
        enter_worker(w);
        progress = true;
      }
    }
    const bool done = main->is_complete();
    if (done && !any_worker_busy()) break;

    // Nothing more at this instant: move to the next one.
    std::uint64_t next = std::numeric_limits<std::uint64_t>::max();
    bool any = false;
    for (const SimWorker& w : workers_)
      if (w.busy && w.busy_until < next) {
        next = w.busy_until;
        any = true;
      }
    std::uint64_t deadline;
    if (!done && next_timer_deadline(deadline) && deadline < next) {
      next = deadline;
      any = true;
    }
    if (!any) report_stuck(main);  // no busy worker, no timer, no runnable task
    if (next > virtual_now_) {
      const std::uint64_t before = virtual_now_;
      virtual_now_ = next;
      stamp_ = virtual_now_;
      emit(EventKind::clock_advanced, 0, static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(before >> 32));
    }
    // Busy workers whose time is up finish their polls first, then due timers fire.
    for (std::uint32_t w = 0; w < n; ++w)
      if (workers_[w].busy && workers_[w].busy_until <= virtual_now_) enter_worker(w);
    timers_checked_at_ = virtual_now_;
    if (!done && armed_timers_) fire_due_timers(virtual_now_);
  }
  stamp_ = virtual_now_;
  emit(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::finished));
  finish_trace_segment();
}

}  // namespace asynclab::detail
