// The current-thread scheduler's run loop, timer driver and shutdown. See detail/scheduler.hpp for
// the rules this file keeps.
#include "asynclab/detail/scheduler.hpp"

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "asynclab/coop.hpp"
#include "asynclab/detail/resource.hpp"
#include "asynclab/stuck.hpp"

namespace asynclab::detail {

namespace {

using trace::EventKind;

// Makes a scheduler current for the duration of a run, restoring the previous one on any exit
// (a runtime may be driven from inside another runtime's task in tests).
class CurrentGuard {
 public:
  CurrentGuard(Scheduler*& slot, Scheduler* now) : slot_(slot), previous_(slot) { slot_ = now; }
  ~CurrentGuard() { slot_ = previous_; }

 private:
  Scheduler*& slot_;
  Scheduler* previous_;
};

bool heap_after(const auto& x, const auto& y) {
  return x.deadline != y.deadline ? x.deadline > y.deadline : x.sequence > y.sequence;
}

// The counter behind real-time trace stamps: the CPU's time-stamp counter where there is one (a few
// nanoseconds to read, against ~25 for the monotonic clock), the monotonic clock elsewhere.
std::uint64_t read_ticks() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

std::uint32_t saturate_u32(std::uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v); }

// A waker may outlive its runtime (kept in state the test or lesson owns); once the task is ORPHANED
// the waker only counts and releases, never touching the destroyed scheduler.
void* task_waker_clone(void* data) {
  auto* t = static_cast<TaskHeader*>(data);
  t->add_ref();
  t->live_wakers.increment(t->concurrent);
  if (!(t->state.read(t->concurrent) & task_state::orphaned)) [[likely]]
    t->scheduler->emit(EventKind::waker_cloned, t->id, t->scheduler->running_id());
  return t;
}
void task_waker_drop(void* data) {
  auto* t = static_cast<TaskHeader*>(data);
  const std::uint32_t left = t->live_wakers.decrement(t->concurrent);
  if (!(t->state.read(t->concurrent) & task_state::orphaned)) [[likely]] {
    t->scheduler->emit(EventKind::waker_dropped, t->id, t->scheduler->running_id());
    if (left == 0) [[unlikely]]
      t->scheduler->last_waker_dropped(t);
  }
  t->release();
}
void task_waker_wake_by_ref(void* data) {
  auto* t = static_cast<TaskHeader*>(data);
  if (!(t->state.read(t->concurrent) & task_state::orphaned)) [[likely]]
    t->scheduler->wake(t, true);
}
void task_waker_wake(void* data) {
  auto* t = static_cast<TaskHeader*>(data);
  if (!(t->state.read(t->concurrent) & task_state::orphaned)) [[likely]]
    t->scheduler->wake(t, false);
  task_waker_drop(data);
}

// Every scheduler alive, by address, with its serial (see Scheduler::is_alive).
struct AliveRegistry {
  std::mutex mutex;
  std::unordered_map<const Scheduler*, std::uint64_t> alive;
  std::uint64_t next_serial = 0;
};
AliveRegistry& alive_registry() {
  static AliveRegistry r;
  return r;
}

// The first cycle in the wait-for graph of the stuck tasks (task -> the tasks holding what it waits
// on), found by depth-first search from each task in id order, so the answer is deterministic. The
// cycle is rotated to start at its smallest id.
std::vector<std::uint32_t> find_wait_cycle(const StuckReport& report) {
  std::unordered_map<std::uint32_t, const StuckTask*> by_id;
  for (const auto& t : report.tasks) by_id.emplace(t.id, &t);
  std::unordered_map<std::uint32_t, int> state;  // 0 unseen, 1 on the current path, 2 done
  std::vector<std::uint32_t> path;
  std::vector<std::uint32_t> found;
  auto visit = [&](auto&& self, std::uint32_t id) -> bool {
    state[id] = 1;
    path.push_back(id);
    auto it = by_id.find(id);
    if (it != by_id.end()) {
      for (std::uint32_t next : it->second->held_by) {
        if (!by_id.count(next)) continue;  // held by a task that is not stuck: no cycle through it
        if (state[next] == 1) {
          auto start = std::find(path.begin(), path.end(), next);
          found.assign(start, path.end());
          return true;
        }
        if (state[next] == 0 && self(self, next)) return true;
      }
    }
    path.pop_back();
    state[id] = 2;
    return false;
  };
  for (const auto& t : report.tasks)
    if (state[t.id] == 0 && visit(visit, t.id)) break;
  if (!found.empty()) std::rotate(found.begin(), std::min_element(found.begin(), found.end()), found.end());
  return found;
}

}  // namespace

bool Scheduler::is_alive(const Scheduler* s, std::uint64_t serial) {
  if (s == current_) return s->serial_ == serial;
  auto& r = alive_registry();
  std::lock_guard lock(r.mutex);
  auto it = r.alive.find(s);
  return it != r.alive.end() && it->second == serial;
}

const WakerVTable Scheduler::task_waker_vtable{&task_waker_clone, &task_waker_wake, &task_waker_wake_by_ref,
                                               &task_waker_drop};

Scheduler::Scheduler(const SchedulerConfig& config)
    : config_(config),
      serial_([this] {
        auto& r = alive_registry();
        std::lock_guard lock(r.mutex);
        r.alive[this] = ++r.next_serial;
        return r.next_serial;
      }()),
      recorder_(config.recorder),
      ready_(256),
      real_start_(std::chrono::steady_clock::now()),
      rng_(config.seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
  if (rng_ == 0) rng_ = 0x2545F4914F6CDD1Dull;
  threaded_ = config_.workers && !config_.virtual_time;
  if (threaded_) live_shards_.configure(config_.workers);
  if (!config_.virtual_time) reactor_ = std::make_unique<Reactor>();
  for (auto& [type, make] : config_.extensions) extensions_[type] = make();
  if (recorder_) {
    recorder_->share(threaded_);
    live_stamps_ = recorder_->live() != nullptr;
    retimed_upto_ = recorder_->trace().size();
    ticks_start_ = read_ticks();
    restamp();
    // Flavor in bits 1-7 (1: multi_thread); the worker field says how many workers (n − 1).
    std::uint16_t flags = static_cast<std::uint16_t>((config_.virtual_time ? 1 : 0) | (config_.workers ? 1 << 1 : 0));
    worker_ = config_.workers ? config_.workers - 1 : 0;
    if (threaded_) {
      const trace::Event started{0, EventKind::runtime_started, static_cast<std::uint8_t>(worker_), flags, 0,
                                 static_cast<std::uint32_t>(config_.seed), static_cast<std::uint32_t>(config_.seed >> 32)};
      foreign_events_.push_back(started);
      // A live viewer needs it too: it says how many workers there are. No worker runs yet, so this
      // thread is the stream's only producer.
      if (trace::LiveStream* live = recorder_->live()) live->offer(started);
    } else
      emit(EventKind::runtime_started, 0, static_cast<std::uint32_t>(config_.seed),
           static_cast<std::uint32_t>(config_.seed >> 32), flags);
    worker_ = 0;
  }
}

Scheduler::~Scheduler() {
  shutdown();
  for (TaskHeader* t : finished_with_wakers_) t->state |= task_state::orphaned;
  auto& r = alive_registry();
  std::lock_guard lock(r.mutex);
  r.alive.erase(this);
}

std::uint64_t Scheduler::real_now_ns() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - real_start_).count());
}

std::uint64_t Scheduler::stamp_now() const {
  return live_stamps_ ? real_now_ns() : read_ticks() - ticks_start_;
}

void Scheduler::restamp() {
  // A live viewer reads events as they happen, before any rescaling: stamp those in nanoseconds.
  stamp_ = config_.virtual_time ? virtual_now_ : live_stamps_ ? real_now_ns() : read_ticks() - ticks_start_;
}

std::uint64_t Scheduler::ticks_to_ns(std::uint64_t ticks) const {
#if defined(__x86_64__) || defined(__i386__)
  // Scale by the counter's rate measured over the whole run so far.
  const std::uint64_t total_ticks = read_ticks() - ticks_start_;
  if (total_ticks == 0) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(ticks) * static_cast<double>(real_now_ns()) /
                                    static_cast<double>(total_ticks));
#else
  return ticks;  // already steady-clock nanoseconds since an arbitrary epoch, offset by ticks_start_
#endif
}

void Scheduler::finish_trace_segment() {
  if (!recorder_) return;
  auto& t = recorder_->trace_mut();
#if defined(__x86_64__) || defined(__i386__)
  if (!config_.virtual_time && !live_stamps_ && t.size() > retimed_upto_) {
    // The counter's rate, measured over the whole run so far; the trace scales when it is read.
    const std::uint64_t total_ticks = read_ticks() - ticks_start_;
    const double ns_per_tick = total_ticks ? static_cast<double>(real_now_ns()) / static_cast<double>(total_ticks) : 0.0;
    t.declare_ticks(retimed_upto_, t.size(), ns_per_tick);
  }
#endif
  retimed_upto_ = t.size();
}

void Scheduler::advance_virtual(std::uint64_t d) {
  if (!config_.virtual_time || d == 0) return;
  std::uint64_t before = virtual_now_;
  virtual_now_ += d;
  stamp_ = virtual_now_;
  emit(EventKind::clock_advanced, running_id(), static_cast<std::uint32_t>(before),
       static_cast<std::uint32_t>(before >> 32));
}

// --- tasks ---------------------------------------------------------------------------------------

void Scheduler::adopt(TaskHeader* task, std::string_view name, const std::source_location& loc) {
  if (threaded_) [[unlikely]] {
    adopt_threaded(task, name, loc);  // src/worker_threads.cpp
    return;
  }
  task->id = ++next_task_id_;
  live_.insert(task);
  if (!name.empty()) names_.emplace(task->id, std::string(name));
  if (recorder_) [[unlikely]]
    emit(EventKind::task_spawned, task->id, running_id(), spawn_site(name, loc));
  push_ready(task);
}

void Scheduler::push_ready(TaskHeader* task) {
  task->state |= task_state::scheduled;
  if (task == block_on_task_) [[unlikely]] {
    main_woken_ = true;  // polled by the loop itself, never from the queue (see the rules)
    return;
  }
  if (config_.workers) {
    // Simulated workers: from a task's poll, onto that worker's local queue; else the inject queue.
    if (on_worker_ && running_) workers_[worker_].local.push_back(task);
    else inject_.push_back(task);
    return;
  }
  if (ready_len_ == ready_.size()) [[unlikely]] {
    std::vector<TaskHeader*> bigger(ready_.size() * 2);
    for (std::size_t i = 0; i < ready_len_; ++i) bigger[i] = ready_[(ready_head_ + i) & (ready_.size() - 1)];
    ready_.swap(bigger);
    ready_head_ = 0;
  }
  ready_[(ready_head_ + ready_len_) & (ready_.size() - 1)] = task;
  ++ready_len_;
}

TaskHeader* Scheduler::pop_ready() {
  const std::size_t mask = ready_.size() - 1;
  if (config_.explore_schedules && ready_len_ > 1) {
    // Swap a seeded pick to the front: the same seed makes the same picks, so a schedule that
    // exposes a bug replays exactly.
    std::size_t pick = random() % ready_len_;
    std::swap(ready_[ready_head_], ready_[(ready_head_ + pick) & mask]);
  }
  TaskHeader* t = ready_[ready_head_];
  ready_head_ = (ready_head_ + 1) & mask;
  --ready_len_;
  return t;
}

void Scheduler::wake(TaskHeader* task, bool by_ref) {
  if (threaded_) [[unlikely]] {
    wake_threaded(task, by_ref);
    return;
  }
  if ((task->state & task_state::complete) || (task->cell & cell_state::future_gone)) return;
  const bool self = running_ == task;
  // A yield the budget forced (asynclab/coop.hpp) is the runtime's doing: no self-wake for the lint.
  if (self && wake_source_ != trace::WakeSource::budget) ++task->self_wakes;
  else ++task->other_wakes;
  if (recorder_) [[unlikely]]
    record_wake(task, by_ref, self);
  if (task->state & task_state::running) {
    task->state |= task_state::notified;
    return;
  }
  if (task->state & task_state::scheduled) return;
  push_ready(task);
}

// Out of line: the untraced wake above stays a leaf the compiler keeps small.
void Scheduler::record_wake(TaskHeader* task, bool by_ref, bool self) {
  const bool forced = wake_source_ == trace::WakeSource::budget;
  std::uint16_t flags = static_cast<std::uint16_t>(self && !forced ? trace::WakeSource::task : wake_source_);
  if (self) flags |= trace::wake_flag::self;
  if (by_ref) flags |= trace::wake_flag::by_ref;
  emit(EventKind::wake, task->id, running_id(), 0, flags);
}

void Scheduler::abort(TaskHeader* task) {
  if (threaded_) [[unlikely]] {
    abort_threaded(task);
    return;
  }
  if (task->state & (task_state::complete | task_state::cancel)) return;
  task->state |= task_state::cancel;
  // A running task is cancelled when its poll returns; a queued one when it is picked; an idle one
  // is queued now so the scheduler gets to drop it.
  if (!(task->state & (task_state::running | task_state::scheduled))) push_ready(task);
}

void Scheduler::drop_future_now(TaskHeader* task) {
  TaskHeader* outer = running_;
  running_ = task;  // destructors that drop wakers or futures are attributed to this task
  CancellingScope cancelling(this);
  task->vtable->drop_future(task);
  running_ = outer;
}

void Scheduler::poll_task(TaskHeader* task) {
  if (task->state & task_state::cancel) [[unlikely]] {
    task->state &= static_cast<std::uint8_t>(~task_state::scheduled);
    drop_future_now(task);
    task->outcome = trace::Outcome::cancelled;
    finish(task);
    return;
  }
  task->state = static_cast<std::uint8_t>((task->state & ~task_state::scheduled) | task_state::running);
  running_ = task;
  wake_source_ = trace::WakeSource::task;
  ++task->polls;
  task->waiting_on = 0;
  const std::uint64_t started = config_.virtual_time ? virtual_now_ : stamp_;
  emit(EventKind::poll_begin, task->id);

  Waker borrowed(&task_waker_vtable, task);  // lent to the future for this poll; never dropped
  Context cx(borrowed, Budget::for_poll());
  const bool done = task->vtable->poll(task, cx);
  borrowed.release();
  if (!done && cx.parked_at()) task->parked_at = *cx.parked_at();

  if (recorder_) [[unlikely]] {
    restamp();
    const std::uint32_t where = !done && cx.parked_at() ? recorder_->intern(*cx.parked_at()) : 0;
    record_poll_end(task, done, where, started, stamp_);
  }
  task->state &= static_cast<std::uint8_t>(~task_state::running);

  if (done) {
    finish(task);
  } else if (task->state & task_state::cancel) {
    task->state &= static_cast<std::uint8_t>(~task_state::notified);
    drop_future_now(task);
    task->outcome = trace::Outcome::cancelled;
    finish(task);
  } else if (task->state & task_state::notified) {
    task->state &= static_cast<std::uint8_t>(~task_state::notified);
    push_ready(task);
  }
  running_ = nullptr;
}

// Inlined into the current thread's poll_task (callgrind: out of line, it cost yield_many traced 7%
// more instructions); worker threads call the out-of-line copy.
[[gnu::always_inline]] void Scheduler::record_poll_end(TaskHeader* task, bool done, std::uint32_t where,
                                                       std::uint64_t started, std::uint64_t ended) {
  const auto result = !done                                       ? trace::PollResult::pending
                      : task->outcome == trace::Outcome::panicked ? trace::PollResult::panicked
                                                                  : trace::PollResult::ready;
  emit(EventKind::poll_end, task->id, 0, where, static_cast<std::uint16_t>(result));
  // In real time the stamps are counter ticks, and a poll of 100 µs or less is never called long:
  // only a poll longer than that pays for the conversion.
  std::uint64_t took = ended - started;
  if (!config_.virtual_time && !live_stamps_ && took > 100'000) took = ticks_to_ns(took);
  if (!config_.virtual_time && took <= 100'000) took = 0;
  if (took >= static_cast<std::uint64_t>(config_.long_poll_threshold.count()))
    emit(EventKind::lint, task->id, saturate_u32(took / 1000), where,
         static_cast<std::uint16_t>(trace::LintKind::long_poll));
  // On worker threads another thread may still hold a clone it is about to wake with: the count is
  // a snapshot, as it is in tokio-console.
  if (!done && task->live_wakers.read(task->concurrent) == 0 &&
      !(task->state.read(task->concurrent) & (task_state::notified | task_state::cancel)))
    emit(EventKind::lint, task->id, 0, where, static_cast<std::uint16_t>(trace::LintKind::lost_waker));
}

void Scheduler::finish(TaskHeader* task) {
  TaskHeader* outer = running_;
  running_ = task;
  task->state |= task_state::complete;
  if (task->live_wakers) [[unlikely]]
    finished_with_wakers_.insert(task);
  emit(EventKind::task_completed, task->id, 0, 0, static_cast<std::uint16_t>(task->outcome));
  if (recorder_) [[unlikely]]
    check_self_wakes(task);
  live_.erase(task);
  if (!names_.empty()) names_.erase(task->id);
  if (task->join_waker) {
    wake_source_ = trace::WakeSource::task;
    Waker w = std::move(task->join_waker);
    w.wake();
  }
  running_ = outer;
  task->release();  // the scheduler's reference
}

std::uint32_t Scheduler::register_resource(Resource* r, std::uint32_t name_string, std::uint32_t& slot) {
  std::unique_lock lock(shared_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  const std::uint32_t id = ++next_resource_id_;
  if (!free_resource_slots_.empty()) {
    slot = free_resource_slots_.back();
    free_resource_slots_.pop_back();
    resources_[slot] = r;
  } else {
    slot = static_cast<std::uint32_t>(resources_.size());
    resources_.push_back(r);
  }
  if (recorder_) [[unlikely]] {
    emit(EventKind::resource_created, running_id(), id, name_string, static_cast<std::uint16_t>(r->kind()));
    emit(EventKind::resource_limits, running_id(), id, saturate_u32(r->limit()));
  }
  return id;
}

void Scheduler::unregister_resource(std::uint32_t slot) {
  std::unique_lock lock(shared_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  resources_[slot] = nullptr;
  free_resource_slots_.push_back(slot);
}

Resource* Scheduler::find_resource(std::uint32_t id) const {
  for (Resource* r : resources_)
    if (r && r->id() == id) return r;
  return nullptr;
}

void Scheduler::last_waker_dropped(TaskHeader* task) {
  if (task->is_complete()) {
    std::unique_lock lock(tasks_lock_, std::defer_lock);
    if (threaded_) lock.lock();
    forget_finished_with_wakers(task);
    return;
  }
  // An idle task (not queued, not running) whose last waker just went away can never run again.
  // (A running task is judged when its poll ends, in poll_task.)
  constexpr auto busy = task_state::scheduled | task_state::running | task_state::notified | task_state::cancel;
  if (recorder_ && !(task->state.read(task->concurrent) & busy)) [[unlikely]] {
    std::uint32_t where = task->parked_at.line() ? recorder_->intern(task->parked_at) : 0;
    emit(EventKind::lint, task->id, 0, where, static_cast<std::uint16_t>(trace::LintKind::lost_waker));
  }
}

void Scheduler::check_self_wakes(TaskHeader* task) {
  const std::uint32_t self_wakes = task->self_wakes;
  const std::uint32_t wakes = self_wakes + task->other_wakes.read(task->concurrent);
  if (wakes >= 2 && self_wakes * 2 > wakes)
    emit(EventKind::lint, task->id, self_wakes * 100 / wakes, 0,
         static_cast<std::uint16_t>(trace::LintKind::self_wake));
}

void Scheduler::forgotten_future(const std::source_location* where) {
  if (!recorder_ || cancelling_counter()) return;
  std::uint32_t loc = where ? recorder_->intern(*where) : 0;
  emit(EventKind::lint, running_id(), 0, loc, static_cast<std::uint16_t>(trace::LintKind::forgotten_future));
}

// --- the run loop --------------------------------------------------------------------------------

void Scheduler::run_until_complete(TaskHeader* main) {
  CurrentGuard guard(current_, this);
  if (threaded_) {
    run_threads_until_complete(main);  // src/worker_threads.cpp
    return;
  }
  if (config_.workers) {
    run_workers_until_complete(main);  // src/sim_workers.cpp
    return;
  }
  // Tokio's current_thread block_on: poll main when it was woken; then run up to 61 tasks from the
  // queue, parking (and going back to main) as soon as the queue is empty; after 61, look at the
  // drivers without waiting. So a task woken or spawned before main's wake is handled runs first.
  constexpr int event_interval = 61;  // tokio's default
  block_on_task_ = main;
  take_out_of_ready(main);  // adopt queued it; its SCHEDULED bit stays until it is polled
  main_woken_ = true;
  struct Unset {
    Scheduler* s;
    ~Unset() {
      s->block_on_task_ = nullptr;
      s->main_woken_ = false;
    }
  } unset{this};
  while (true) {
    if (main_woken_) {
      main_woken_ = false;
      poll_task(main);
      if (main->is_complete()) break;
    }
    bool parked = false;
    for (int tick = 0; tick < event_interval; ++tick) {
      if (remote_pending_.load(std::memory_order_acquire)) [[unlikely]]
        drain_remote();
      // Virtual time moved while a task held the worker (sim::block_for): timers that came due
      // meanwhile fire now, as they would have in real time, rather than after every ready task.
      if (config_.virtual_time && virtual_now_ != timers_checked_at_) [[unlikely]] {
        timers_checked_at_ = virtual_now_;
        if (armed_timers_) fire_due_timers(virtual_now_);
      }
      if (!ready_len_) {
        park(main);
        parked = true;
        break;
      }
      poll_task(pop_ready());
    }
    if (!parked) park_yield();
  }
  if (recorder_) restamp();
  emit(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::finished));
  finish_trace_segment();
}

void Scheduler::park(TaskHeader* main) {
  // Deferred wakes waiting, or main woken (its waker unparks tokio's driver): look, do not wait, and
  // do not move the clock.
  if (!deferred_tasks_.empty() || !deferred_.empty() || main_woken_) {
    park_yield();
    return;
  }
  std::uint64_t deadline;
  if (next_timer_deadline(deadline)) {
    if (config_.virtual_time) {
      if (deadline > virtual_now_) {
        std::uint64_t before = virtual_now_;
        virtual_now_ = deadline;
        stamp_ = virtual_now_;
        emit(EventKind::clock_advanced, 0, static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(before >> 32));
      }
      timers_checked_at_ = virtual_now_;
    } else {
      idle_until_next_timer(deadline);
    }
    fire_due_timers(now_ns());
  } else if (reactor_ && (reactor_->parked() || blocking_outstanding_)) {
    wait_in_reactor(false, 0);
  } else if (blocking_outstanding_) {
    wait_for_remote(false, 0);
  } else {
    report_stuck(main);
  }
  wake_deferred();
}

void Scheduler::park_yield() {
  if (remote_pending_.load(std::memory_order_acquire)) drain_remote();
  if (armed_timers_) {
    if (config_.virtual_time) timers_checked_at_ = virtual_now_;
    else if (recorder_) restamp();
    fire_due_timers(now_ns());
  }
  if (reactor_ && reactor_->parked()) poll_reactor(0);
  wake_deferred();
}

void Scheduler::defer_wake(const Waker& waker) {
  if (block_on_task_ == nullptr || running_ == nullptr) {
    waker.wake_by_ref();
    return;
  }
  if (waker.vtable() == &task_waker_vtable) {
    auto* task = static_cast<TaskHeader*>(waker.data());
    if (task->scheduler == this) {
      task->add_ref();
      task->live_wakers.increment(false);
      deferred_tasks_.push_back(task);
      return;
    }
  }
  deferred_.push_back(waker);
}

void Scheduler::wake_deferred() {
  if (deferred_tasks_.empty() && deferred_.empty()) [[likely]]
    return;
  TaskHeader* outer = running_;
  waking_tasks_.swap(deferred_tasks_);
  for (TaskHeader* task : waking_tasks_) {
    // A yield is the task waking itself, later: record it as the self-wake it is.
    running_ = task;
    if (!(task->state & task_state::orphaned)) [[likely]]
      wake(task, false);
    running_ = outer;
    // The deferred wake was a live waker. Dropping the last one matters only for a task that
    // cannot run again (last_waker_dropped); one just scheduled can.
    const std::uint32_t left = task->live_wakers.decrement(false);
    if (left == 0 && !(task->state & (task_state::orphaned | task_state::scheduled))) [[unlikely]]
      last_waker_dropped(task);
    task->release();
  }
  waking_tasks_.clear();
  if (!deferred_.empty()) {
    std::vector<Waker> batch;
    batch.swap(deferred_);
    for (Waker& w : batch) w.wake();
  }
}

void Scheduler::take_out_of_ready(TaskHeader* task) {
  const std::size_t mask = ready_.size() - 1;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ready_len_; ++i) {
    TaskHeader* t = ready_[(ready_head_ + i) & mask];
    if (t != task) ready_[(ready_head_ + kept++) & mask] = t;
  }
  ready_len_ = kept;
}

void Scheduler::idle_until_next_timer(std::uint64_t deadline) {
  if (reactor_) {
    wait_in_reactor(true, deadline);
    return;
  }
  if (blocking_outstanding_) {
    wait_for_remote(true, deadline);
  } else {
    std::this_thread::sleep_until(real_start_ + std::chrono::nanoseconds(deadline));
  }
  if (recorder_) restamp();
}

void Scheduler::wait_for_remote(bool has_deadline, std::uint64_t deadline) {
  std::unique_lock lock(remote_mutex_);
  auto arrived = [&] { return !remote_.empty(); };
  if (has_deadline)
    remote_ready_.wait_until(lock, real_start_ + std::chrono::nanoseconds(deadline), arrived);
  else
    remote_ready_.wait(lock, arrived);
  lock.unlock();
  if (recorder_) restamp();
  drain_remote();
}

void Scheduler::wait_in_reactor(bool has_deadline, std::uint64_t deadline) {
  std::int64_t timeout_ns = -1;
  if (has_deadline) {
    const std::uint64_t now = real_now_ns();
    timeout_ns = static_cast<std::int64_t>(std::min<std::uint64_t>(deadline > now ? deadline - now : 0, 1ull << 62));
  }
  // A completion posted before this point has set remote_pending_ and written the eventfd, so the
  // wait below returns at once rather than missing it.
  if (!remote_pending_.load(std::memory_order_acquire)) poll_reactor(timeout_ns);
  if (recorder_) restamp();
  drain_remote();
}

void Scheduler::poll_reactor(std::int64_t timeout_ns) {
  TaskHeader* outer = running_;
  running_ = nullptr;
  const auto source = swap_wake_source(trace::WakeSource::io);
  if (reactor_->wait(timeout_ns)) {
    if (recorder_) restamp();  // the wakes happen now, after the wait, not when it began
    reactor_->dispatch();
  }
  wake_source_ = source;
  running_ = outer;
}

void Scheduler::post_remote(std::function<void()> completion) {
  {
    std::lock_guard lock(remote_mutex_);
    remote_.push_back(std::move(completion));
    remote_pending_.store(true, std::memory_order_release);
  }
  remote_ready_.notify_one();
  if (threaded_) unpark_one();
  if (reactor_) reactor_->notify();
}

void Scheduler::drain_remote() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(remote_mutex_);
    batch.swap(remote_);
    remote_pending_.store(false, std::memory_order_relaxed);
  }
  if (batch.empty()) return;
  if (recorder_) restamp();
  TaskHeader* outer = running_;
  running_ = nullptr;
  wake_source_ = trace::WakeSource::blocking;
  for (auto& completion : batch) completion();
  wake_source_ = trace::WakeSource::task;
  running_ = outer;
}

void Scheduler::submit_blocking(std::function<void()> job) {
  std::unique_lock lock(shared_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  if (!blocking_pool_) blocking_pool_ = std::make_unique<ThreadPool>(config_.max_blocking_threads);
  blocking_pool_->submit(std::move(job));
}

void Scheduler::block_worker_for(std::uint64_t ns) {
  if (config_.workers && on_worker_ && !threaded_) {
    block_sim_worker(ns);  // only this worker is held; the others go on (src/sim_workers.cpp)
    return;
  }
  const std::uint32_t job = next_blocking_job();
  emit(EventKind::blocking_begin, running_id(), 0, job);
  if (config_.virtual_time) {
    advance_virtual(ns);
  } else {
    std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
    if (recorder_ && !threaded_) restamp();
  }
  emit(EventKind::blocking_end, running_id(), 0, job);
}

std::uint32_t Scheduler::take_blocking_lane(std::uint64_t until) {
  for (std::size_t i = 0; i < blocking_lanes_busy_until_.size(); ++i) {
    if (blocking_lanes_busy_until_[i] <= virtual_now_) {
      blocking_lanes_busy_until_[i] = until;
      return static_cast<std::uint32_t>(i + 1);
    }
  }
  blocking_lanes_busy_until_.push_back(until);
  return static_cast<std::uint32_t>(blocking_lanes_busy_until_.size());
}

void Scheduler::report_stuck(TaskHeader* main) {
  StuckReport report;
  report.at_ns = now_ns();
  (void)main;
  if (recorder_) restamp();
  live_.for_each([&](TaskHeader* t) {
    StuckTask st;
    st.id = t->id;
    auto it = names_.find(t->id);
    st.name = it != names_.end() ? it->second : "task " + std::to_string(t->id);
    if (t->parked_at.line() != 0) {
      std::string_view file = t->parked_at.file_name();
      auto slash = file.find_last_of('/');
      if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
      st.parked_at = std::string(file) + ":" + std::to_string(t->parked_at.line());
    }
    st.live_wakers = t->live_wakers;
    // Its lost-waker lint, if any, was recorded when it happened: at the end of the poll that
    // returned Pending with no waker alive, or when its last waker was dropped.
    st.lost_waker = t->live_wakers == 0;
    if (Resource* r = t->waiting_on ? find_resource(t->waiting_on) : nullptr) {
      ResourceSnapshot snap;
      r->snapshot(snap);
      st.resource_id = t->waiting_on;
      st.waits_on = std::string(trace::resource_kind_name(r->kind()));
      if (!r->name().empty()) st.waits_on += " \"" + r->name() + "\"";
      st.resource_state = std::move(snap.state);
      st.held_by = std::move(snap.holders);
    } else if (t->waiting_on) {
      // The resource went away while the task waited on it: nothing is left that could wake it.
      st.resource_id = t->waiting_on;
      st.waits_on = "resource #" + std::to_string(t->waiting_on);
      st.resource_state = "dropped while this task waited on it: nothing can wake it any more";
    }
    report.tasks.push_back(std::move(st));
  });
  // A task waiting on no resource may be awaiting another task's JoinHandle: that task holds its
  // waker as its join waker. Name it, so the report says "main awaits chef 1's JoinHandle".
  live_.for_each([&](TaskHeader* u) {
    if (!u->join_waker || u->join_waker.vtable() != &task_waker_vtable) return;
    const auto* awaiting = static_cast<const TaskHeader*>(u->join_waker.data());
    for (StuckTask& st : report.tasks)
      if (st.id == awaiting->id && st.resource_id == 0) st.joins = u->id;
  });
  std::sort(report.tasks.begin(), report.tasks.end(), [](const StuckTask& x, const StuckTask& y) { return x.id < y.id; });
  report.cycle = find_wait_cycle(report);

  if (recorder_) [[unlikely]] {
    auto on_cycle = [&](std::uint32_t from, std::uint32_t to) {
      const auto& c = report.cycle;
      for (std::size_t i = 0; i < c.size(); ++i)
        if (c[i] == from && c[(i + 1) % c.size()] == to) return true;
      return false;
    };
    for (const auto& st : report.tasks) {
      if (st.held_by.empty()) {
        // b: the task whose JoinHandle it awaits, flagged 2 (trace/event.hpp).
        emit(EventKind::stuck_wait, st.id, st.resource_id, st.joins, st.joins ? 2 : 0);
        continue;
      }
      for (std::uint32_t holder : st.held_by)
        emit(EventKind::stuck_wait, st.id, st.resource_id, holder, on_cycle(st.id, holder) ? 1 : 0);
    }
  }
  emit(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::stuck));
  if (threaded_) merge_thread_traces();
  finish_trace_segment();
  throw StuckError(std::move(report));
}

void Scheduler::shutdown() {
  CurrentGuard guard(current_, this);
  if (threaded_) stop_threads();  // normally already stopped when block_on returned
  // Blocking jobs cannot be interrupted: wait for them (their results go nowhere), as tokio does.
  blocking_pool_.reset();
  {
    std::lock_guard lock(remote_mutex_);
    remote_.clear();
    remote_pending_.store(false, std::memory_order_relaxed);
  }
  blocking_outstanding_.store(0, std::memory_order_relaxed);
  if (recorder_) restamp();
  bool any = !live_.empty();
  // Newest first. Dropping a future may spawn or finish other tasks; go on until none is left.
  while (TaskHeader* t = live_.newest()) {
    t->state |= task_state::cancel;
    t->state &= static_cast<std::uint8_t>(~(task_state::scheduled | task_state::notified));
    drop_future_now(t);
    t->outcome = trace::Outcome::cancelled;
    finish(t);
  }
  ready_len_ = 0;
  ready_head_ = 0;
  // Deferred wakes go with their tasks (each holds a reference and counts as a live waker).
  for (TaskHeader* task : deferred_tasks_) {
    if (task->live_wakers.decrement(false) == 0) last_waker_dropped(task);  // finished: forgotten there
    task->release();
  }
  deferred_tasks_.clear();
  deferred_.clear();
  clear_worker_queues();
  thread_inject_.clear();
  for (auto& w : threads_) {
    w->local.clear();
    w->lifo = nullptr;
    w->yielded = nullptr;  // empty already: a worker that stops hands it to its queue
  }
  for (auto& slot : timer_slots_) {
    slot.armed = false;
    slot.waker.reset();
  }
  timer_heap_.clear();
  armed_timers_.store(0, std::memory_order_relaxed);
  stale_heap_entries_ = 0;
  if (any) emit(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::shutdown));
  if (threaded_) merge_thread_traces();
  finish_trace_segment();
}

// --- timers ----------------------------------------------------------------------------------------

Scheduler::TimerHandle Scheduler::arm_timer(std::uint64_t deadline_ns, const Waker& waker) {
  std::unique_lock lock(timer_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(timer_slots_.size());
    timer_slots_.emplace_back();
  }
  TimerSlot& s = timer_slots_[slot];
  s.waker = waker;
  s.deadline = deadline_ns;
  s.owner = running_id();
  s.armed = true;
  armed_timers_.store(armed_timers_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  timer_heap_.push_back(HeapEntry{deadline_ns, ++timer_sequence_, slot, s.generation});
  std::push_heap(timer_heap_.begin(), timer_heap_.end(), [](const HeapEntry& x, const HeapEntry& y) { return heap_after(x, y); });
  if (recorder_) [[unlikely]] {
    std::uint64_t now = now_ns();
    emit(EventKind::timer_armed, s.owner, slot, saturate_u32(deadline_ns > now ? (deadline_ns - now) / 1000 : 0));
  }
  const TimerHandle handle{slot, s.generation};
  if (threaded_) {
    lock.unlock();
    // A parked worker may be sleeping until a later deadline: let one look again.
    if (sleepers_.load(std::memory_order_seq_cst)) unpark_one();
  }
  return handle;
}

bool Scheduler::timer_pending(TimerHandle h, const Waker& waker) {
  std::unique_lock lock(timer_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  TimerSlot& s = timer_slots_[h.slot];
  if (s.generation != h.generation || !s.armed) return false;
  if (!s.waker.will_wake(waker)) {
    Waker old = std::exchange(s.waker, waker);
    lock.unlock();  // `old` is dropped after the lock is released
  }
  return true;
}

void Scheduler::cancel_timer(TimerHandle h) {
  Waker dropped;  // the slot's waker, dropped when this returns: after the lock is released
  std::unique_lock lock(timer_lock_, std::defer_lock);
  if (threaded_) lock.lock();
  if (h.slot >= timer_slots_.size()) return;
  TimerSlot& s = timer_slots_[h.slot];
  if (s.generation != h.generation || !s.armed) return;
  s.armed = false;
  ++s.generation;
  armed_timers_.store(armed_timers_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  dropped = std::move(s.waker);
  free_slots_.push_back(h.slot);
  emit(EventKind::timer_cancelled, s.owner, h.slot);
  // The heap entry stays behind and is skipped when it surfaces. In virtual time the clock does not
  // move while tasks run, so a loop of short timeouts could pile up dead entries: compact when they
  // outnumber the live ones.
  if (++stale_heap_entries_ > 1024 && stale_heap_entries_ > 2 * armed_timers_) rebuild_timer_heap();
}

void Scheduler::rebuild_timer_heap() {
  std::erase_if(timer_heap_, [&](const HeapEntry& e) {
    const TimerSlot& s = timer_slots_[e.slot];
    return !s.armed || s.generation != e.generation;
  });
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), [](const HeapEntry& x, const HeapEntry& y) { return heap_after(x, y); });
  stale_heap_entries_ = 0;
}

bool Scheduler::next_timer_deadline(std::uint64_t& deadline) {
  auto cmp = [](const HeapEntry& x, const HeapEntry& y) { return heap_after(x, y); };
  while (!timer_heap_.empty()) {
    const HeapEntry& top = timer_heap_.front();
    const TimerSlot& s = timer_slots_[top.slot];
    if (s.armed && s.generation == top.generation) {
      deadline = top.deadline;
      return true;
    }
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), cmp);
    timer_heap_.pop_back();
    if (stale_heap_entries_) --stale_heap_entries_;
  }
  return false;
}

bool Scheduler::pop_due_timer(std::uint64_t now, Waker& waker) {
  auto cmp = [](const HeapEntry& x, const HeapEntry& y) { return heap_after(x, y); };
  while (!timer_heap_.empty() && timer_heap_.front().deadline <= now) {
    HeapEntry top = timer_heap_.front();
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), cmp);
    timer_heap_.pop_back();
    TimerSlot& s = timer_slots_[top.slot];
    if (!s.armed || s.generation != top.generation) {
      if (stale_heap_entries_) --stale_heap_entries_;
      continue;
    }
    s.armed = false;
    ++s.generation;
    // Only the timer driver and arm/cancel change the count, under timer_lock_ on worker threads.
    armed_timers_.store(armed_timers_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    free_slots_.push_back(top.slot);
    emit(EventKind::timer_fired, s.owner, top.slot);
    waker = std::move(s.waker);
    return true;
  }
  return false;
}

bool Scheduler::fire_due_timers(std::uint64_t now) {
  bool fired = false;
  TaskHeader* outer = running_;
  running_ = nullptr;
  wake_source_ = trace::WakeSource::timer;
  if (recorder_ && !config_.virtual_time) restamp();
  Waker w;
  while (pop_due_timer(now, w)) {
    w.wake();
    fired = true;
  }
  wake_source_ = trace::WakeSource::task;
  running_ = outer;
  return fired;
}

}  // namespace asynclab::detail

namespace asynclab::coop {

void wake_spent(const Waker& waker) {
  detail::Scheduler* s = detail::Scheduler::current();
  if (!s) {  // a future polled by hand under a budget of its own: nobody records
    waker.wake_by_ref();
    return;
  }
  const trace::WakeSource saved = s->swap_wake_source(trace::WakeSource::budget);
  waker.wake_by_ref();
  s->swap_wake_source(saved);
}

}  // namespace asynclab::coop
