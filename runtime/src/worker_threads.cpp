// Worker threads: the multi_thread flavor for real — n threads, a local queue each, an inject queue,
// work stealing, parking. See "Worker threads" in detail/scheduler.hpp for the rules this file keeps,
// and detail/task_header.hpp for the task state machine the workers share.
#include <algorithm>
#include <bit>
#include <cassert>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/detail/sanitizers.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/spawn.hpp"

namespace asynclab::detail {

using trace::EventKind;

namespace {
constexpr std::uint8_t u8(unsigned v) { return static_cast<std::uint8_t>(v); }
}  // namespace

// --- tracing -------------------------------------------------------------------------------------

namespace {
// The events a worker stamps with its last stamp instead of reading the clock: see "Which events
// read the clock" in detail/scheduler.hpp. poll_begin and poll_end are among them because
// poll_threaded decides for them, and reads the clock itself where they need it. Wakes are stamped
// by wake_threaded (emit_threaded_at). Timer events read it: workers hand timer slots to each other
// under timer_lock_, and a slot's events are matched by its number.
constexpr bool stamp_lags_behind(EventKind kind) {
  switch (kind) {
    case EventKind::poll_begin:
    case EventKind::poll_end:
    case EventKind::waker_cloned:
    case EventKind::waker_dropped:
    case EventKind::task_completed:
    case EventKind::future_created:
    case EventKind::future_polled:
    case EventKind::future_dropped:
    case EventKind::lint:
    case EventKind::pin:
      return true;
    default:
      return false;
  }
}
}  // namespace

std::uint64_t Scheduler::fresh_stamp(ThreadWorker& me) const {
  return me.last_stamp = std::max(me.last_stamp, stamp_now());
}

void Scheduler::emit_threaded(EventKind kind, std::uint32_t task, std::uint32_t a, std::uint32_t b,
                              std::uint16_t flags) {
  ThreadWorker* me = on_my_worker() ? thread_ : nullptr;
  trace::LiveStream* live = recorder_->live();
  if (me && !live) [[likely]] {
    const std::uint64_t stamp = stamp_lags_behind(kind) ? me->last_stamp : fresh_stamp(*me);
    me->events.push(trace::Event{stamp, kind, u8(me->worker), flags, task, a, b});
    return;
  }
  // A live viewer gets events in the order they are offered here: each reads the clock, so its
  // stamp is when it happened (the feed keeps them in order, live_feed.hpp).
  std::lock_guard lock(foreign_lock_);
  const trace::Event e{me ? fresh_stamp(*me) : stamp_now(), kind, u8(me ? me->worker : 0), flags, task, a, b};
  if (me) me->events.push(e);
  else foreign_events_.push_back(e);
  if (live) live->offer(e);  // one producer at a time: the stream is single-producer
}

void Scheduler::emit_threaded_at(std::uint64_t stamp, EventKind kind, std::uint32_t task, std::uint32_t a,
                                 std::uint32_t b, std::uint16_t flags) {
  ThreadWorker* me = on_my_worker() ? thread_ : nullptr;
  const trace::Event e{stamp, kind, u8(me ? me->worker : 0), flags, task, a, b};
  trace::LiveStream* live = recorder_->live();
  if (me && !live) [[likely]] {
    me->events.push(e);
    return;
  }
  std::lock_guard lock(foreign_lock_);
  if (me) me->events.push(e);
  else foreign_events_.push_back(e);
  if (live) live->offer(e);
}

void Scheduler::merge_thread_traces() {
  if (!recorder_) return;
  std::vector<trace::Event> foreign;
  {
    std::lock_guard lock(foreign_lock_);
    foreign.swap(foreign_events_);
  }
  // Threads that are not workers share one buffer, so it may be out of stamp order; stable, so
  // one thread's events keep their order on ties. Each worker's log is in order by construction.
  auto by_stamp = [](const trace::Event& x, const trace::Event& y) { return x.time_ns < y.time_ns; };
  if (!std::is_sorted(foreign.begin(), foreign.end(), by_stamp)) std::stable_sort(foreign.begin(), foreign.end(), by_stamp);
  WorkerEventLog foreign_log;
  for (const trace::Event& e : foreign) foreign_log.push(e);
  foreign = {};

  auto& t = recorder_->trace_mut();
  std::vector<WorkerEventLog::Reader> sources;  // the foreign events first, then worker 0, 1, ...
  sources.reserve(threads_.size() + 1);
  sources.emplace_back(foreign_log, t);
  for (auto& w : threads_) sources.emplace_back(w->events, t);

  // A k-way merge that takes a run at a time: the source with the earliest next event gives
  // events while they sort before every other source's next one (on a tie, the source listed
  // first goes first).
  const std::size_t none = sources.size();
  for (;;) {
    std::size_t pick = none, rival = none;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (sources[i].done()) continue;
      const std::uint64_t s = sources[i].head().time_ns;
      if (pick == none || s < sources[pick].head().time_ns) {
        rival = pick;
        pick = i;
      } else if (rival == none || s < sources[rival].head().time_ns) {
        rival = i;
      }
    }
    if (pick == none) break;
    auto& from = sources[pick];
    if (rival == none) {
      for (; !from.done(); from.advance()) t.push(from.head());
      continue;
    }
    const std::uint64_t bound = sources[rival].head().time_ns;
    if (pick < rival) {
      for (; !from.done() && from.head().time_ns <= bound; from.advance()) t.push(from.head());
    } else {
      for (; !from.done() && from.head().time_ns < bound; from.advance()) t.push(from.head());
    }
  }
  sources.clear();
  t.drop_spare_chunks();
}

// --- the run -------------------------------------------------------------------------------------

void Scheduler::run_threads_until_complete(TaskHeader* main) {
  threaded_main_ = main;
  main_done_.store(main->is_complete());
  stop_threads_.store(false);
  searching_.store(0);
  wake_tokens_ = 0;
  stuck_ = false;
  thread_failure_ = nullptr;
  if (threads_.empty()) {
    for (std::uint32_t w = 0; w < config_.workers; ++w) {
      auto worker = std::make_unique<ThreadWorker>();
      worker->owner = this;
      worker->worker = w;
      worker->rng = (config_.seed + w + 1) * 0x9E3779B97F4A7C15ull | 1;
      threads_.push_back(std::move(worker));
    }
  }
  live_shards_.move_in(live_);  // the workers' table while they run
  for (std::uint32_t w = 0; w < config_.workers; ++w)
    thread_handles_.emplace_back([this, w] { worker_thread_main(w); });
  bool stuck;
  std::exception_ptr failure;
  {
    std::unique_lock lock(park_mutex_);
    done_cv_.wait(lock, [&] { return main_done_.load() || stuck_ || thread_failure_; });
    stuck = stuck_ && !main_done_.load();
    failure = thread_failure_;
  }
  stop_threads();
  live_shards_.move_out(live_);  // every path below reads the single-threaded table
  if (failure) {
    merge_thread_traces();
    finish_trace_segment();
    std::rethrow_exception(failure);
  }
  if (stuck) report_stuck(main);  // merges the trace and throws StuckError
  emit(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::finished));
  merge_thread_traces();
  finish_trace_segment();
}

void Scheduler::stop_threads() {
  {
    std::lock_guard lock(park_mutex_);
    stop_threads_.store(true);
  }
  park_cv_.notify_all();
  reactor_->notify();  // a worker may be waiting in the reactor
  for (auto& t : thread_handles_) t.join();
  thread_handles_.clear();
}

void Scheduler::worker_thread_main(std::uint32_t w) {
  ThreadWorker& me = *threads_[w];
  thread_ = &me;
  current_ = this;
  me.searching = false;
  // A poll from the worker's own queue starts at its last stamp (see poll_threaded): not at one
  // from before this run, or from before it slept.
  if (recorder_) fresh_stamp(me);
  try {
    while (!stop_threads_.load(std::memory_order_acquire)) {
      if (remote_pending_.load(std::memory_order_acquire)) [[unlikely]]
        drain_remote_threaded(me);
      // A stream of ready tasks must not starve the timers (tokio looks every 61 ticks).
      // ... nor the sockets: with any waker parked in the reactor, look at it (without waiting)
      // as often, unless another worker is driving it already.
      if ((armed_timers_.load(std::memory_order_relaxed) || reactor_->parked()) && ++me.timer_ticks >= 61)
          [[unlikely]] {
        me.timer_ticks = 0;
        fire_due_timers_threaded(me);
        if (reactor_->parked() && !reactor_driven_.exchange(true, std::memory_order_acquire)) {
          drive_reactor(me, 0);
          reactor_driven_.store(false, std::memory_order_release);
        }
        if (recorder_) fresh_stamp(me);  // the next poll from this worker's queue starts after this
      }
      if (TaskHeader* t = next_for_thread(me)) {
        if (me.searching) [[unlikely]]
          stop_searching(me);
        poll_threaded(t);
        continue;
      }
      park_thread(me);
      if (recorder_) fresh_stamp(me);
    }
  } catch (...) {
    std::lock_guard lock(park_mutex_);
    if (!thread_failure_) thread_failure_ = std::current_exception();
    done_cv_.notify_all();
  }
  // A yield's task must not be stranded outside every queue: the next run (or shutdown) finds it.
  if (TaskHeader* y = std::exchange(me.yielded, nullptr)) {
    std::lock_guard lock(me.queue_lock);
    me.local.push_back(y);
  }
  // This thread ends with its block_on: the frames it freed (tasks other workers spawned, often)
  // and the rest of its slab go to the depot for the next run's workers (detail/frame_pool.hpp).
  FramePool::release_thread_cache();
  thread_ = nullptr;
  current_ = nullptr;
}

// --- queues --------------------------------------------------------------------------------------

void Scheduler::push_threaded(TaskHeader* task, bool yielded) {
  if (ThreadWorker* me = on_my_worker() ? thread_ : nullptr) {
    if (!yielded && !me->lifo) {
      me->lifo = task;  // runs next on this worker: no lock (the slot is the owner's), nobody to wake
      return;
    }
    bool was_empty;
    {
      std::lock_guard lock(me->queue_lock);
      was_empty = me->local.empty();
      // A yielded task goes behind everything else, as tokio's yield_now does; otherwise the task
      // takes the LIFO slot and the one it displaces goes to the queue, where it can be stolen.
      me->local.push_back(yielded ? task : std::exchange(me->lifo, task));
    }
    // Onto a queue that was not empty: the push that made it non-empty looked for sleepers below,
    // and a worker that parked since saw this queue non-empty. Nobody more to wake (see the rules);
    // a stream of yields onto a busy worker's queue costs no fence.
    if (!was_empty) return;
  } else {
    std::lock_guard lock(inject_mutex_);
    thread_inject_.push_back(task);
  }
  notify_parked();
}

void Scheduler::notify_parked() {
  // Ordered with park_thread's seq_cst increment of sleepers_ (and a parking searcher's decrement
  // of searching_): either this sees that sleeper (still searching), or it then sees this push (see
  // the rules). A fence then a plain load, as tokio does; a read-modify-write would order it too
  // but makes every push write the line all workers share. GCC refuses the fence under
  // ThreadSanitizer (-Werror=tsan), which does not model fences, so that build takes the
  // read-modify-write.
#if defined(ASYNCLAB_TSAN)
  const std::size_t sleeping = sleepers_.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::size_t sleeping = sleepers_.load(std::memory_order_relaxed);
#endif
  // One searching worker is enough: it will find this task, or park and look at every queue first.
  if (sleeping != 0 && searching_.load(std::memory_order_seq_cst) == 0) unpark_one();
}

// What a parking worker wakes for: work it could take. A task in another worker's LIFO slot is that
// worker's next task, and cannot be stolen.
bool Scheduler::any_stealable() {
  {
    std::lock_guard lock(inject_mutex_);
    if (!thread_inject_.empty()) return true;
  }
  for (auto& w : threads_) {
    std::lock_guard lock(w->queue_lock);
    if (!w->local.empty()) return true;
  }
  return false;
}

void Scheduler::unpark_one() {
  {
    // Taking the mutex orders this notify after a parker's last look at the queues.
    std::lock_guard lock(park_mutex_);
    // None parked (a worker that parks from now on looks at the queues first), or each parked one
    // has a wake coming already: a token more would outlive them and keep searching_ above 0.
    if (wake_tokens_ >= sleepers_.load(std::memory_order_relaxed)) return;
    ++wake_tokens_;
    searching_.fetch_add(1, std::memory_order_seq_cst);
  }
  park_cv_.notify_one();
  // A worker waiting in the reactor does not hear the condition variable (see drive_reactor).
  if (in_reactor_wait_.load(std::memory_order_seq_cst)) reactor_->notify();
}

// One idle worker at a time waits in epoll_wait instead of on the condition variable, until a
// socket event, the earliest timer, or a push (unpark_one writes the eventfd), then wakes the tasks
// whose sockets are ready. timeout_ns as for Reactor::wait. The caller holds reactor_driven_.
void Scheduler::drive_reactor(ThreadWorker& me, std::int64_t timeout_ns) {
  if (timeout_ns != 0) {
    // Published before the last look at the queues, as sleepers_ is (see push_threaded): either
    // the pusher sees this flag and writes the eventfd, or this look sees its push.
    in_reactor_wait_.store(true, std::memory_order_seq_cst);
    if (stop_threads_.load() || remote_pending_.load(std::memory_order_acquire) || any_stealable()) timeout_ns = 0;
    // The same for timers: one armed after the caller read the earliest deadline, but before the
    // flag above was set, notified no one (arm_timer saw no reactor wait). Read the deadline again.
    std::uint64_t deadline = 0;
    bool has_deadline;
    {
      std::lock_guard timers(timer_lock_);
      has_deadline = next_timer_deadline(deadline);
    }
    if (has_deadline) {
      const std::uint64_t now = real_now_ns();
      const auto until = static_cast<std::int64_t>(std::min<std::uint64_t>(deadline > now ? deadline - now : 0, 1ull << 62));
      if (timeout_ns < 0 || until < timeout_ns) timeout_ns = until;
    }
  }
  const std::size_t events = reactor_->wait(timeout_ns);
  in_reactor_wait_.store(false, std::memory_order_relaxed);
  if (!events) return;
  TaskHeader* outer = std::exchange(me.running, nullptr);
  const auto source = std::exchange(me.wake_source, trace::WakeSource::io);
  reactor_->dispatch();
  me.wake_source = source;
  me.running = outer;
}

void Scheduler::stop_searching(ThreadWorker& me) {
  me.searching = false;
  if (searching_.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
  // The last searcher found work, and there may be more: wake another to look (only for
  // parallelism — a push that found this worker searching is in a queue some worker will reach).
  if (sleepers_.load(std::memory_order_relaxed) != 0) unpark_one();
}

TaskHeader* Scheduler::pop_inject() {
  std::lock_guard lock(inject_mutex_);
  if (thread_inject_.empty()) return nullptr;
  TaskHeader* t = thread_inject_.front();
  thread_inject_.pop_front();
  return t;
}

TaskHeader* Scheduler::next_for_thread(ThreadWorker& me) {
  TaskHeader* const yielded = std::exchange(me.yielded, nullptr);
  TaskHeader* t = nullptr;
  me.picked_from_inject = false;
  // Every 61st pick looks at the inject queue first, so tasks woken from outside are not starved
  // by a worker whose local queue never empties.
  if (++me.ticks >= 61) {
    me.ticks = 0;
    t = pop_inject();
    me.picked_from_inject = t != nullptr;
  }
  if (!t && me.lifo && me.lifo_polls < max_lifo_polls) {
    t = std::exchange(me.lifo, nullptr);  // the owner's slot: no lock
    ++me.lifo_polls;
  }
  if (t) {
    if (yielded) push_threaded(yielded, /*yielded=*/true);
    return t;
  }
  bool left_work = false;
  {
    std::lock_guard lock(me.queue_lock);
    const bool was_empty = me.local.empty();
    // The yielded task goes behind everything else, as tokio's yield_now does.
    if (yielded) me.local.push_back(yielded);
    // A task that keeps waking another through the LIFO slot must not starve the queue: after a
    // few LIFO picks in a row, the slot's task goes to the back (tokio caps it the same way).
    if (me.lifo) me.local.push_back(std::exchange(me.lifo, nullptr));
    me.lifo_polls = 0;
    if (!me.local.empty()) {
      t = me.local.front();
      me.local.pop_front();
    }
    // The yield made an empty queue non-empty, as a push would have: look for sleepers, as it would.
    left_work = yielded && was_empty && !me.local.empty();
  }
  if (left_work) notify_parked();
  if (!t) me.picked_from_inject = (t = pop_inject()) != nullptr;
  if (!t) t = steal(me);
  return t;
}

TaskHeader* Scheduler::steal(ThreadWorker& me) {
  const auto n = static_cast<std::uint32_t>(threads_.size());
  if (n < 2) return nullptr;
  me.rng ^= me.rng << 13;
  me.rng ^= me.rng >> 7;
  me.rng ^= me.rng << 17;
  const auto start = static_cast<std::uint32_t>(me.rng % n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t v = (start + i) % n;
    if (v == me.worker) continue;
    ThreadWorker& victim = *threads_[v];
    std::vector<TaskHeader*>& grabbed = me.stolen;
    grabbed.clear();
    {
      std::lock_guard lock(victim.queue_lock);
      const std::size_t take = (victim.local.size() + 1) / 2;  // the older half, rounded up
      for (std::size_t k = 0; k < take; ++k) {
        grabbed.push_back(victim.local.front());
        victim.local.pop_front();
      }
    }
    if (grabbed.empty()) continue;
    if (recorder_) [[unlikely]]
      for (TaskHeader* t : grabbed) emit(EventKind::task_stolen, t->id, v, me.worker);
    if (grabbed.size() > 1) {
      std::lock_guard lock(me.queue_lock);
      me.local.insert(me.local.end(), grabbed.begin() + 1, grabbed.end());
    }
    return grabbed.front();
  }
  return nullptr;
}

void Scheduler::park_thread(ThreadWorker& me) {
  fire_due_timers_threaded(me);
  // A timer that fired just now woke its task into this worker's LIFO slot, which nobody else may
  // take and any_stealable() does not count: run it instead of parking beside it.
  if (me.lifo) return;
  std::unique_lock lock(park_mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  if (me.searching) {
    // Before the last look at the queues below: a push that saw this worker still searching woke
    // nobody, so that look must see it (see the rules).
    me.searching = false;
    searching_.fetch_sub(1, std::memory_order_seq_cst);
  }
  for (;;) {
    // An unpark chose a parked worker; whichever leaves first takes it up (below).
    if (wake_tokens_ != 0) break;
    if (stop_threads_.load() || remote_pending_.load(std::memory_order_acquire) || any_stealable()) break;
    std::uint64_t deadline = 0;
    bool has_deadline;
    {
      std::lock_guard timers(timer_lock_);
      has_deadline = next_timer_deadline(deadline);
    }
    if (has_deadline && deadline <= real_now_ns()) break;  // due: go back and fire it
    // A worker driving the reactor counts as a sleeper, but between taking wakers out of the
    // reactor and running what they woke (its LIFO slot, which no one else sees) nothing else
    // shows that work is pending: while one drives, no one may conclude the runtime is stuck.
    if (!has_deadline && !main_done_.load() && sleepers_.load() == threads_.size() &&
        blocking_outstanding_.load() == 0 && reactor_->parked() == 0 &&
        !reactor_driven_.load(std::memory_order_acquire) && every_waker_accounted()) {
      // Every worker is here, nothing is queued, armed or out on the blocking pool, and main is
      // not complete: nothing can ever make progress. Tell block_on, and wait to be stopped.
      stuck_ = true;
      done_cv_.notify_all();
      park_cv_.wait(lock, [&] { return stop_threads_.load(); });
      break;
    }
    if (reactor_->parked() && !reactor_driven_.exchange(true, std::memory_order_acquire)) {
      // Sockets are waited on: this worker drives the reactor, the others keep the condition
      // variable. It still counts as a sleeper, so a push wakes it (through the eventfd).
      lock.unlock();
      std::int64_t timeout_ns = -1;
      if (has_deadline) {
        const std::uint64_t now = real_now_ns();
        timeout_ns = static_cast<std::int64_t>(std::min<std::uint64_t>(deadline > now ? deadline - now : 0, 1ull << 62));
      }
      drive_reactor(me, timeout_ns);
      reactor_driven_.store(false, std::memory_order_release);
      lock.lock();
      break;  // back to the loop: run what the events woke, fire timers that came due
    }
    if (has_deadline) park_cv_.wait_until(lock, real_start_ + std::chrono::nanoseconds(deadline));
    else park_cv_.wait(lock);
  }
  if (wake_tokens_ != 0) {
    // Leaving for whatever reason, this worker takes up an unpark's token: it counts as searching
    // until it finds a task or parks again. So tokens never outnumber parked workers.
    --wake_tokens_;
    me.searching = true;
  }
  sleepers_.fetch_sub(1, std::memory_order_seq_cst);
}

// Whether every waker clone of every live task is held where the runtime can see it: by a resource
// the task waits on (a channel, a lock), or as the join waker of another live task. On worker
// threads a waker may legitimately be held by a thread of the program's own, which may wake it at
// any time (a std::thread sending on a oneshot): while any clone is unaccounted for, an idle
// runtime waits, as tokio always does, rather than calling it stuck.
bool Scheduler::every_waker_accounted() {
  std::unordered_map<const TaskHeader*, std::uint32_t> held_by_joins;
  live_shards_.for_each([&](TaskHeader* t) {
    std::lock_guard join(t->join_lock);
    if (t->join_waker.vtable() == &task_waker_vtable) ++held_by_joins[static_cast<const TaskHeader*>(t->join_waker.data())];
  });
  bool all = true;
  live_shards_.for_each([&](TaskHeader* t) {
    if (t->waiting_on != 0) return;
    auto it = held_by_joins.find(t);
    if (t->live_wakers.load() > (it == held_by_joins.end() ? 0u : it->second)) all = false;
  });
  return all;
}

// --- tasks ---------------------------------------------------------------------------------------

bool complete_or_park(TaskHeader* task, const Waker& waker) {
  Waker replaced, unneeded;  // dropped after the lock is released
  std::lock_guard lock(task->join_lock);
  if (task->is_complete()) return true;
  if (!task->join_waker.will_wake(waker)) replaced = std::exchange(task->join_waker, waker);
  // Ordered with the finisher's COMPLETE (see detail/task_header.hpp): if it won, take the output.
  if (task->state.fetch_or(task_state::join_waker) & task_state::complete) {
    unneeded = std::move(task->join_waker);
    return true;
  }
  return false;
}

void take_join_waker(TaskHeader* task) {
  // Only this JoinHandle stores a join waker: if it never did, there is nothing to take.
  if (!(task->state.load() & task_state::join_waker)) return;
  Waker dropped;  // dropped after the lock is released
  std::lock_guard lock(task->join_lock);
  dropped = std::move(task->join_waker);
}

void Scheduler::adopt_threaded(TaskHeader* task, std::string_view name, const std::source_location& loc) {
  // Untraced and unnamed, a spawn takes no lock but its live-table shard's.
  task->state = task_state::scheduled;  // a plain store: no other thread has seen the task yet
  auto file = [&] {
    task->id = std::atomic_ref(next_task_id_).fetch_add(1, std::memory_order_relaxed) + 1;
    if (on_my_worker()) live_shards_.insert(task);
    else live_.insert(task);  // the block_on thread, between runs: no worker is alive
  };
  if (!name.empty()) [[unlikely]] {
    std::lock_guard lock(tasks_lock_);  // names_ is every worker's
    file();
    names_.emplace(task->id, std::string(name));
    named_tasks_.store(true, std::memory_order_relaxed);
    if (recorder_) emit(EventKind::task_spawned, task->id, running_id(), spawn_site(name, loc));
  } else if (recorder_) [[unlikely]] {
    // No shared lock: a worker keeps its own spawn-site cache. Two workers spawning at once may
    // record their spawns out of id order; readers take spawns in any order.
    file();
    std::uint32_t site;
    if (ThreadWorker* me = on_my_worker() ? thread_ : nullptr) {
      site = me->spawn_sites.get(*recorder_, name, loc);
    } else {
      std::lock_guard lock(tasks_lock_);
      site = spawn_site(name, loc);
    }
    emit(EventKind::task_spawned, task->id, running_id(), site);  // before the push: before any poll
  } else {
    file();
  }
  push_threaded(task);
}

void Scheduler::wake_threaded(TaskHeader* task, bool by_ref) {
  namespace ts = task_state;
  ThreadWorker* me = on_my_worker() ? thread_ : nullptr;
  const bool self = me && me->running == task;
  // Traced, a wake of another task reads the clock before the state change below: the task may be
  // running on another worker, whose requeue after its poll reads the clock again (poll_threaded),
  // so the wake sorts before that next poll. (A self-wake changes nothing another thread sees; a
  // live viewer, though, shows every event when it happened.)
  std::uint64_t stamp = 0;
  if (recorder_) [[unlikely]]
    stamp = self && !recorder_->live() ? me->last_stamp : me ? fresh_stamp(*me) : stamp_now();
  std::uint8_t s = task->state.load();
  bool queue_it = false;
  for (;;) {
    // (FUTURE_GONE is the poller's own bit; between dropping the future and finishing, the task
    // is RUNNING, so a wake then only sets NOTIFIED, which finishing clears.)
    if (s & ts::complete) return;
    std::uint8_t next;
    if (s & ts::running) next = u8(s | ts::notified);  // requeued when its poll returns
    else if (s & ts::scheduled) next = s;              // already queued
    else next = u8(s | ts::scheduled);
    if (next == s) break;
    if (task->state.compare_exchange(s, next)) {
      queue_it = !(s & ts::running);
      break;
    }
  }
  // Found idle, the task may have just ended a poll on another worker, whose end was read after
  // the stamp above: this worker will run it from its own queue, starting at its last stamp, and
  // a wake from outside sorts as it happened. So read the clock again, now that the task is ours.
  if (queue_it && !self && recorder_) [[unlikely]]
    stamp = me ? fresh_stamp(*me) : stamp_now();
  // A yield the budget forced (asynclab/coop.hpp) is the runtime's doing: no self-wake for the lint.
  const bool forced = self && me->wake_source == trace::WakeSource::budget;
  if (recorder_) [[unlikely]] {
    // Only the self-wake lint reads the counters, and only in a traced run: untraced, a wake by
    // another would be an atomic read-modify-write for nothing. A self-wake is this worker's own.
    if (self && !forced) ++task->self_wakes;
    else task->other_wakes.fetch_add(1);
    if (self) me->woke_itself = true;
    // A wake from a thread that is no worker of this runtime (a thread of the program's own).
    const trace::WakeSource source = self && !forced ? trace::WakeSource::task
                                     : me            ? me->wake_source
                                                     : trace::WakeSource::runtime;
    std::uint16_t flags = static_cast<std::uint16_t>(source);
    if (self) flags |= trace::wake_flag::self;
    if (by_ref) flags |= trace::wake_flag::by_ref;
    emit_threaded_at(stamp, EventKind::wake, task->id, running_id(), 0, flags);
  }
  if (queue_it) push_threaded(task);
}

void Scheduler::abort_threaded(TaskHeader* task) {
  namespace ts = task_state;
  std::uint8_t s = task->state.load();
  for (;;) {
    if (s & (ts::complete | ts::cancel)) return;
    // An idle task is queued now so a worker gets to drop it; a queued or running one is dropped
    // when a worker next reaches it.
    const bool idle = !(s & (ts::running | ts::scheduled));
    if (task->state.compare_exchange(s, u8(s | ts::cancel | (idle ? ts::scheduled : 0)))) {
      if (idle) push_threaded(task);
      return;
    }
  }
}

void Scheduler::drop_future_threaded(ThreadWorker& me, TaskHeader* task) {
  TaskHeader* outer = std::exchange(me.running, task);  // destructors are attributed to this task
  ++me.cancelling;
  task->vtable->drop_future(task);
  --me.cancelling;
  me.running = outer;
}

void Scheduler::poll_threaded(TaskHeader* task) {
  namespace ts = task_state;
  ThreadWorker& me = *thread_;
  // SCHEDULED → RUNNING. From here on, a wake only sets NOTIFIED: nobody else queues or polls it.
  // A queued task has SCHEDULED and not RUNNING (only a wake of an idle task queues it), so adding
  // RUNNING − SCHEDULED swaps the two bits in one fetch_add, cheaper than a compare-and-swap loop.
  static_assert(ts::running == 2 * ts::scheduled);
  std::uint8_t s = task->state.fetch_add(ts::running - ts::scheduled, std::memory_order_acq_rel);
  assert((s & (ts::scheduled | ts::running)) == ts::scheduled && "a task was polled twice at once");
  if (s & ts::cancel) [[unlikely]] {
    // Aborted while queued: the task's last poll may have ended on another worker after this
    // worker's last stamp, and its completion must sort after that.
    if (recorder_) fresh_stamp(me);
    drop_future_threaded(me, task);
    task->outcome = trace::Outcome::cancelled;
    finish_threaded(task);
    return;
  }
  me.running = task;
  me.wake_source = trace::WakeSource::task;
  me.woke_itself = false;
  ++task->polls;
  task->waiting_on = 0;
  // The poll's start reads the clock only for a task another thread queued (see "Which events read
  // the clock"); one from this worker's own queue or slot was put there by this worker, or stolen,
  // under an event already in its log: the poll starts at the worker's last stamp, which is later
  // than that event and earlier than the real start by the worker's own work in between (picking
  // the task, waking a sleeper, a look at timers and sockets: microseconds, where the long-poll
  // lint's threshold is milliseconds; the stamp is read again after a park and after timers or
  // sockets were looked at).
  const std::uint64_t started = !recorder_ ? 0 : me.picked_from_inject ? fresh_stamp(me) : me.last_stamp;
  emit(EventKind::poll_begin, task->id);

  Waker borrowed(&task_waker_vtable, task);  // lent to the future for this poll; never dropped
  Context cx(borrowed, Budget::for_poll());
  const bool done = task->vtable->poll(task, cx);
  borrowed.release();
  if (!done && cx.parked_at()) task->parked_at = *cx.parked_at();

  if (recorder_) [[unlikely]] {
    const std::uint64_t ended = fresh_stamp(me);
    std::uint32_t where = 0;
    if (!done && cx.parked_at()) {
      // Interned through this worker's small cache: the recorder's table is shared.
      const void* key = std::bit_cast<const void*>(*cx.parked_at());
      auto& slot = me.parked_at[(reinterpret_cast<std::uintptr_t>(key) >> 4) & (me.parked_at.size() - 1)];
      if (slot.key != key) slot = {key, recorder_->intern(*cx.parked_at())};
      where = slot.id;
    }
    record_poll_end(task, done, where, started, ended);
  }

  if (done) {
    finish_threaded(task);
    me.running = nullptr;
    return;
  }
  // RUNNING → idle; or back to SCHEDULED when woken meanwhile; or dropped when aborted meanwhile.
  s = task->state.load();
  for (;;) {
    if (s & ts::cancel) {
      if (!task->state.compare_exchange(s, u8(s & ~ts::notified))) continue;
      drop_future_threaded(me, task);
      task->outcome = trace::Outcome::cancelled;
      finish_threaded(task);
      break;
    }
    if (s & ts::notified) {
      if (!task->state.compare_exchange(s, u8((s & ~(ts::running | ts::notified)) | ts::scheduled))) continue;
      me.yielded = task;  // to the back of the queue when this worker picks its next task
      // Woken by another during the poll, perhaps after `ended` was read: the next poll starts at
      // this worker's last stamp, so that must be later than the wake's (see "Which events read
      // the clock"). A task that woke itself is requeued by its own wake, already behind.
      if (recorder_ && !me.woke_itself) [[unlikely]]
        fresh_stamp(me);
      break;
    }
    if (task->state.compare_exchange(s, u8(s & ~ts::running))) break;
  }
  me.running = nullptr;
}

void Scheduler::finish_threaded(TaskHeader* task) {
  namespace ts = task_state;
  ThreadWorker& me = *thread_;
  TaskHeader* outer = std::exchange(me.running, task);
  Waker join;
  std::uint8_t s = task->state.load();
  while (!task->state.compare_exchange(s, u8((s | ts::complete) & ~(ts::running | ts::notified | ts::scheduled)))) {
  }
  if (s & ts::join_waker) {  // someone stored a join waker before COMPLETE (see task_header.hpp)
    std::lock_guard lock(task->join_lock);
    join = std::move(task->join_waker);
  }
  live_shards_.erase(task);
  if (task->live_wakers.load() || named_tasks_.load(std::memory_order_relaxed)) [[unlikely]] {
    std::lock_guard lock(tasks_lock_);
    if (task->live_wakers.load()) finished_with_wakers_.insert(task);
    if (!names_.empty()) names_.erase(task->id);
  }
  emit(EventKind::task_completed, task->id, 0, 0, static_cast<std::uint16_t>(task->outcome));
  if (recorder_) [[unlikely]]
    check_self_wakes(task);
  if (join) {
    me.wake_source = trace::WakeSource::task;
    join.wake();
  }
  if (task == threaded_main_) {
    std::lock_guard lock(park_mutex_);
    main_done_.store(true);
    done_cv_.notify_all();
  }
  me.running = outer;
  task->release();  // the scheduler's reference
}

// --- timers and remote completions ---------------------------------------------------------------

void Scheduler::fire_due_timers_threaded(ThreadWorker& me) {
  if (!armed_timers_.load(std::memory_order_relaxed)) return;
  std::vector<Waker>& due = me.due;
  const std::uint64_t now = real_now_ns();
  {
    std::lock_guard lock(timer_lock_);
    Waker w;
    while (pop_due_timer(now, w)) due.push_back(std::move(w));
  }
  if (due.empty()) return;
  // Woken after the lock is released: a wake may arm or cancel a timer.
  TaskHeader* outer = std::exchange(me.running, nullptr);
  const auto source = std::exchange(me.wake_source, trace::WakeSource::timer);
  for (Waker& w : due) w.wake();
  due.clear();
  me.wake_source = source;
  me.running = outer;
}

void Scheduler::drain_remote_threaded(ThreadWorker& me) {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(remote_mutex_);
    batch.swap(remote_);
    remote_pending_.store(false, std::memory_order_relaxed);
  }
  TaskHeader* outer = std::exchange(me.running, nullptr);
  const auto source = std::exchange(me.wake_source, trace::WakeSource::blocking);
  for (auto& completion : batch) completion();
  me.wake_source = source;
  me.running = outer;
}

}  // namespace asynclab::detail
