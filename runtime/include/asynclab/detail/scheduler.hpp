#pragma once
// The current-thread scheduler: one run queue, a timer heap, a clock — tokio's
// runtime/scheduler/current_thread plus its time driver, small enough to read in one sitting.
//
// Rules:
// * One thread. Every task, waker and timer of a scheduler is touched only on the thread that runs
//   `run`. `current()` is that scheduler while it runs, null elsewhere.
// * The run queue holds each task at most once (the SCHEDULED bit guards it). Without a seed it is
//   strictly FIFO; with schedule exploration on, each pick takes a pseudo-random ready task, decided
//   by the seed alone, so a seed replays the same schedule every time.
// * block_on's own future ("main") is not in the run queue, as in tokio's current_thread block_on:
//   a wake only marks it woken, and the loop polls it first, then runs up to 61 queued tasks, and
//   goes back to main (if woken) as soon as the queue is empty or the 61 have run, after a look at
//   the drivers. So a task spawned or woken before main's wake was handled still runs before main
//   resumes — and if main then returns, the tasks it left behind are cancelled with the runtime.
// * yield_now defers its wake (tokio's context::defer): the waker is woken when the loop next parks,
//   so every task woken meanwhile runs before the yielder comes back. A parked loop with deferred
//   wakes only looks at the drivers: the clock does not move.
// * Virtual time stands still while any task is runnable; when none is, the clock jumps straight to
//   the earliest timer (tokio's paused time with auto-advance). Real time reads the monotonic clock
//   and the thread waits in the reactor's epoll_wait until the earliest timer, a socket event, or a
//   remote completion (post_remote writes the reactor's eventfd), whichever comes first.
// * I/O (real time only; detail/reactor.hpp): a real-time scheduler owns a Reactor. Its wakes are
//   recorded with WakeSource::io. While any waker is parked in the reactor the runtime is not stuck.
//   Under a stream of ready tasks the reactor and the timers are looked at (without waiting) every
//   61 polls, so sockets and timers cannot be starved. Virtual time has no reactor: real sockets refuse it.
// * Timers live in a slab addressed by (slot, generation): a Sleep that is dropped cancels its slot,
//   and the heap entry it leaves behind is skipped when it surfaces.
// * Tracing: every event goes through `emit`, which costs one test of `recorder_` when off. Events
//   carry `stamp_`, the time read at the last poll boundary, so a poll costs one clock read however
//   many events it records: in virtual time the virtual clock, in real time the CPU's time-stamp
//   counter, which the trace scales to nanoseconds when it is read (see finish_trace_segment) —
//   unless a live viewer is attached (trace/live_stream.hpp): it reads events as they happen, so
//   then real time is stamped in nanoseconds from the monotonic clock.
//
// Simulated workers (multi_thread(n) with virtual time; src/sim_workers.cpp) — tokio's multi_thread
// scheduler as a learner sees it, simulated deterministically on this one thread:
// * N logical workers, numbered 0..N-1. Each has a local FIFO run queue; there is one global inject
//   queue. A task spawned or woken by a task running on worker W goes to W's local queue; anything
//   else (block_on's main, timer wakes, a finished blocking job's wake) goes to the inject queue.
//   A task woken while it runs goes back to the local queue of the worker that ran it.
// * A free worker takes the front of its local queue, else the front of the inject queue, else it
//   steals: it picks a victim starting at a seeded pseudo-random worker and going round, and takes
//   the older half (rounded up) of the first non-empty local queue it finds. Each stolen task is
//   recorded as task_stolen (task, a: from worker, b: to worker).
// * Time: at each virtual instant the free workers poll in rounds, worker 0 first, one poll each per
//   round, until no free worker finds a task. A poll takes no virtual time, except sim::block_for(d)
//   inside it: that worker alone is busy until now + d (its poll is set aside on the worker's own
//   fiber, detail/fiber.hpp) while the others go on polling at the same instant. When no free
//   worker has work, the clock moves to the earliest of: a busy worker's end, a timer's deadline.
//   At that instant the busy workers whose time is up finish their polls first (in worker order),
//   then due timers fire, then the rounds start again. So times never decrease, a task is never
//   polled on two workers at once (the SCHEDULED/RUNNING bits still guard it), and the same seed and
//   program give the same trace byte for byte.
// * Every event carries the worker whose poll recorded it (0 for the run loop itself: timers,
//   steals are the thief's). runtime_started records workers − 1 in its worker field and flavor 1
//   (multi_thread) in its flags, so a reader knows the worker count even if one never polled.
// * block_on returns once main is complete and every busy worker has finished the poll it was in
//   (their tasks' other work is left to shutdown, as tokio leaves it to the runtime's drop).
// * Not modelled: tokio's LIFO slot, the local queues' capacity of 256 (overflow to inject), the
//   global queue check every 61 ticks, and explore_schedules (the seed decides steals instead);
//   block_on's future is a task on the inject queue (tokio polls it on the thread that called
//   block_on, beside the workers), and yield_now wakes at once (tokio's workers defer it until they
//   have no other work). Real
//   time with multi_thread(n) is not simulated: it runs the worker threads below.
//
// Worker threads (multi_thread(n) in real time; src/worker_threads.cpp) — tokio's multi_thread
// scheduler for real:
// * n worker threads, started by run_until_complete and joined before it returns (tasks left in the
//   queues then wait for the next block_on or for shutdown; tokio's workers instead keep running in
//   the background). The thread that calls block_on only waits: main is a task like the others.
// * Each worker has a local FIFO queue under its own SpinLock; there is one global inject queue.
//   A task spawned or woken on worker W goes to W's local queue; a wake from any other thread (the
//   block_on thread, a blocking-pool thread, a thread of the program's own) goes to the inject queue.
// * LIFO slot, as tokio's: a task spawned or woken on worker W goes to W's LIFO slot, and the task
//   it displaces goes to the back of W's local queue. A task woken during its own poll (yield_now)
//   goes to the back of the local queue instead. A worker takes its LIFO slot first, but at most 3
//   times in a row (then the slot's task goes to the back of the queue, so the queue cannot starve);
//   then the front of its local queue; every 61st pick, and whenever both are empty, it looks at
//   the inject queue first (so the inject queue is not starved); else it steals the older half,
//   rounded up, of the first non-empty local queue it finds, starting at a pseudo-random victim.
//   A LIFO slot is never stolen from, so only its own worker touches it, without a lock. Each
//   steal is recorded as task_stolen (a: from, b: to).
// * A worker with nothing to do first fires its due timers; if one woke a task into its own LIFO slot
//   (which no other worker sees) it runs that task instead of parking. Otherwise it parks on a
//   condition variable until a push, a timer's deadline or shutdown. A pusher puts the task in a queue, then issues a seq_cst fence and reads `sleepers_`
//   (a read-modify-write instead under ThreadSanitizer, which does not model fences); a parker
//   increments `sleepers_` (seq_cst) and then looks at every queue. In the single total order one
//   of them comes first, so the other sees it: a push is never left with every worker asleep.
// * A push into an empty LIFO slot wakes nobody: the worker runs that task itself as soon as its
//   current poll returns (so a ping-pong between two tasks stays on one worker, with no system
//   call). Work that can be stolen — a push onto a local queue, or from outside — unparks a
//   sleeping worker to come and take it. The cost, as in tokio: a task in the LIFO slot waits
//   while its worker is inside a long poll.
// * A task woken during its own poll (yield_now) is not pushed when its poll returns: it waits in
//   the worker's `yielded` until the worker picks its next task, and goes to the back of the local
//   queue under the same lock that picks it — one lock a yield instead of two. Only its own worker
//   sees it there, and that worker is running; a worker that stops flushes it to its queue.
// * A push onto a local queue that was not empty wakes nobody and issues no fence: the push that
//   made the queue non-empty looked for sleepers, and any worker that parked since then saw the
//   queue non-empty at its last look and did not sleep.
// * Searching, as tokio's `num_searching`: one unparked worker looking for work is enough. A push
//   unparks a worker only when some are parked and none is searching (`searching_` is 0); the
//   unparked worker counts as searching from the moment it is chosen (`wake_tokens_`, under
//   park_mutex_: whichever parked worker leaves park next takes the token, so a token never outlives
//   the parked workers, and unpark_one issues none when every parked worker has one already). It
//   stops searching when it finds a task — and if it was the last searcher it unparks another,
//   since there may be more — or when it parks again. A parking searcher decrements `searching_`
//   (seq_cst) before its last look at every queue, so a push that saw it searching and woke nobody
//   is seen by that look. Without the throttle every push on a busy runtime woke a sleeper that
//   found nothing and parked again: with more workers than cores, context switches ate the run.
// * The task state machine is atomic (detail/task_header.hpp), so a task is polled by one worker
//   at a time and a wake from any thread is never lost.
// * Timers: one heap under timer_lock_. Any worker fires due timers — every 61 polls and whenever
//   it would park; a parked worker sleeps at most until the earliest deadline. Wakers fired by a
//   timer are woken after the lock is released.
// * I/O: the runtime has one Reactor (detail/reactor.hpp) for all workers. A worker about to park
//   while a waker is parked in it drives it instead — waits in epoll_wait until a socket event,
//   the earliest timer, or an unpark (unpark_one writes the eventfd while `in_reactor_wait_`) —
//   and dispatches the events it got; one worker at a time (`reactor_driven_`). A busy worker looks
//   at the reactor without waiting every 61 polls, as at timers. While a waker is parked there the
//   runtime is not stuck.
// * Tracing: each worker appends to its own log without a lock (detail/worker_event_log.hpp),
//   stamping events with the time-stamp counter (ns when a live stream is attached); events from
//   other threads go to a shared buffer under a lock. When the run ends (and at shutdown) the logs
//   are merged into the recorder by stamp, stably, so each worker's events keep their order. The
//   recorder's tables (strings, locations, sites) are shared under the recorder's own lock
//   (Recorder::share).
// * Which events read the clock. Reading it costs as much as a short poll on some machines (15 ns
//   in a virtual machine), so a worker reads it where the merged order needs it and nowhere else.
//   The order needs two things. An event that saw another thread's doing sorts after it: so the
//   start of a poll of a task from the inject queue, a receive, an acquire, a wait, a steal, a
//   timer's events (workers hand timer slots to each other) read the clock. A poll of a task from
//   the worker's own queue starts at its last stamp: whatever queued the task there is in that
//   worker's log already (a wake that found the task idle reads the clock after taking it, a
//   steal reads it, a task another woke during its last poll is requeued by that poll's end,
//   which then reads the clock again, and a task aborted while queued reads it before it ends).
//   And an event whose effect another thread can see sorts before what that thread does next: so
//   a wake of another task, a send, a release, a spawn, a poll's end read the clock before the
//   effect is published (a wake before the task's state changes, a poll's end before the task is
//   released, the others under the lock that publishes them or before the push). Any other event
//   (a self-wake, a waker clone or drop, a future's node, a lint, a pin, a completion, which the
//   waiting task's next poll follows through a wake) takes the worker's last stamp, which is no
//   later than now (stamp_lags_behind in worker_threads.cpp). A worker's stamps never go down
//   (each read is at least the last), so its log is in order without a sort. One order is left
//   to chance: a task that wakes itself while another thread wakes it too may show that other
//   wake after its next poll has begun. A live viewer gets every event stamped when it happened.
// * Stuck: when every worker is parked, no task is queued, no timer is armed, no blocking job is
//   out, no waker is parked in the reactor, main is not complete, and every waker clone of every
//   live task is held where the runtime can see it (by the resource the task waits on, or as
//   another live task's join waker), nothing can make progress: the workers stop and block_on
//   throws StuckError, as on the current-thread runtime. Never while a worker drives the reactor:
//   between taking wakers out of it and running what they woke (into its LIFO slot) nothing else
//   shows that work is pending. A waker held anywhere else (a thread of the program's own may wake
//   it at any time) makes the runtime wait instead, as tokio always does. So a deadlock through a
//   JoinSet, or through a future that keeps wakers of its own, is waited on rather than reported.
// * Not on worker threads: sim::block_for's virtual lanes (in real time it sleeps the worker, which
//   is what it models).
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <exception>
#include <source_location>
#include <string>
#include <string_view>
#include <thread>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <unordered_set>
#include <vector>

#include "asynclab/detail/fiber.hpp"
#include "asynclab/detail/live_tasks.hpp"
#include "asynclab/detail/worker_event_log.hpp"
#include "asynclab/detail/reactor.hpp"
#include "asynclab/detail/spin_lock.hpp"
#include "asynclab/detail/task_header.hpp"
#include "asynclab/detail/thread_pool.hpp"
#include "asynclab/trace/recorder.hpp"

namespace asynclab {
class StuckReport;
}

namespace asynclab::detail {

class Resource;

struct SchedulerConfig {
  bool virtual_time = false;
  bool explore_schedules = false;  // pick ready tasks pseudo-randomly (seeded) instead of FIFO
  std::uint64_t seed = 0;
  std::uint32_t workers = 0;  // 0: current_thread; n >= 1: n workers (simulated in virtual time, threads in real time)
  trace::Recorder* recorder = nullptr;
  std::chrono::nanoseconds long_poll_threshold = std::chrono::milliseconds(10);
  std::size_t max_blocking_threads = 64;  // real time only: threads of the blocking pool
  // Per-runtime objects a part of the library keeps with the runtime (the simulated network and
  // file table), made fresh for each runtime built.
  std::vector<std::pair<std::type_index, std::function<std::shared_ptr<void>()>>> extensions;
};

struct TimerSlot {
  Waker waker;
  std::uint64_t deadline = 0;
  std::uint32_t generation = 0;
  std::uint32_t owner = 0;  // task id, for the trace
  bool armed = false;
};

class Scheduler {
 public:
  explicit Scheduler(const SchedulerConfig& config);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  static Scheduler* current() { return current_; }

  // Whether the scheduler with this address and serial still exists. For objects that can outlive
  // their runtime (a Sleep kept in state the program owns): they check before calling back into it.
  // The serial guards against a new scheduler allocated at a dead one's address.
  static bool is_alive(const Scheduler* s, std::uint64_t serial);
  std::uint64_t serial() const { return serial_; }

  // --- clock ---------------------------------------------------------------------------------
  // Nanoseconds since the runtime started, on its clock (virtual or real).
  std::uint64_t now_ns() const { return config_.virtual_time ? virtual_now_ : real_now_ns(); }
  bool virtual_time() const { return config_.virtual_time; }
  // Moves virtual time forward by d while the current task keeps the worker (sim::block_for).
  void advance_virtual(std::uint64_t d);

  // --- tasks -----------------------------------------------------------------------------------
  // Returns the new task's cell with one reference for the caller, which a JoinHandle takes over.
  template <Future F>
  TaskOutput<output_t<F>>* spawn(F&& future, std::string_view name, const std::source_location& loc) {
    auto* cell = new TaskCell<std::remove_cvref_t<F>>(std::move(future), this, threaded_);
    // The caller's reference (its JoinHandle) is taken before the task is queued: on worker threads
    // the task may run, finish and drop the scheduler's reference before adopt returns.
    cell->refs = 2;  // the scheduler's and the caller's; a plain store, nobody else sees it yet
    adopt(cell, name, loc);
    return cell;
  }
  void wake(TaskHeader* task, bool by_ref);
  void abort(TaskHeader* task);
  // yield_now's wake (tokio's context::defer): on the current-thread loop the waker is kept and woken
  // when the loop next parks, so every task woken meanwhile runs before the yielder; elsewhere it is
  // woken at once (worker threads put a yielded task behind their queue; simulated workers do not
  // defer).
  void defer_wake(const Waker& waker);
  TaskHeader* running() const {
    if (threaded_) [[unlikely]]
      return on_my_worker() ? thread_->running : nullptr;
    return running_;
  }
  std::uint32_t running_id() const {
    TaskHeader* t = running();
    return t ? t->id : 0;
  }
  // Real worker threads (multi_thread without virtual time).
  bool threaded() const { return threaded_; }

  // Runs tasks until `main` completes. Throws StuckError when nothing can make progress any more.
  void run_until_complete(TaskHeader* main);
  // Simulated workers (see the rules above): their count (0: the current-thread scheduler), and the
  // worker whose poll is running now (0 outside any poll).
  std::uint32_t workers() const { return config_.workers; }
  std::uint32_t current_worker() const {
    if (threaded_) [[unlikely]]
      return on_my_worker() ? thread_->worker : 0;
    return worker_;
  }
  // Drops every task still alive (their futures' destructors run), clears timers and the queue.
  void shutdown();

  // --- timers ----------------------------------------------------------------------------------
  struct TimerHandle {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
  };
  TimerHandle arm_timer(std::uint64_t deadline_ns, const Waker& waker);
  // True while the timer has neither fired nor been cancelled. Replaces the stored waker when it
  // would not wake the same task (Rust's `will_wake` check).
  bool timer_pending(TimerHandle h, const Waker& waker);
  void cancel_timer(TimerHandle h);

  // --- trace -----------------------------------------------------------------------------------
  trace::Recorder* recorder() const { return recorder_; }
  // Untraced, this is one load and one branch wherever it is inlined; the recording is out of line.
  void emit(trace::EventKind kind, std::uint32_t task, std::uint32_t a = 0, std::uint32_t b = 0,
            std::uint16_t flags = 0) {
    if (recorder_) [[unlikely]]
      record(kind, task, a, b, flags);
  }
  // Who is waking tasks right now, for wake events: a task, or the timer driver.
  trace::WakeSource wake_source() const {
    if (threaded_) [[unlikely]]
      return on_my_worker() ? thread_->wake_source : trace::WakeSource::runtime;
    return wake_source_;
  }
  trace::WakeSource swap_wake_source(trace::WakeSource s) {
    if (threaded_) [[unlikely]]
      return on_my_worker() ? std::exchange(thread_->wake_source, s) : trace::WakeSource::runtime;
    return std::exchange(wake_source_, s);
  }
  std::uint32_t next_future_node() {
    if (threaded_) [[unlikely]]
      return future_nodes_.fetch_add(1, std::memory_order_relaxed) + 1;
    return future_nodes_.store(future_nodes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed),
           future_nodes_.load(std::memory_order_relaxed);
  }
  std::uint64_t random() {
    std::uint64_t& r = threaded_ && on_my_worker() ? thread_->rng : rng_;
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    return r;
  }

  // Lint: a future dropped unpolled (called from Task's destructor). Not raised while the runtime or
  // a combinator is cancelling futures on purpose (see CancellingScope).
  void forgotten_future(const std::source_location* where);

  // While one of these lives, futures being destroyed are being cancelled on purpose (a select's
  // losers, an aborted task, a timeout's inner future), so dropping one unpolled is no mistake.
  class CancellingScope {
   public:
    explicit CancellingScope(Scheduler* s) : s_(s) {
      if (s_) ++s_->cancelling_counter();
    }
    ~CancellingScope() {
      if (s_) --s_->cancelling_counter();
    }
    CancellingScope(const CancellingScope&) = delete;
    CancellingScope& operator=(const CancellingScope&) = delete;

   private:
    Scheduler* s_;
  };

  // --- blocking work (spawn_blocking, sim::block_for) ------------------------------------------------
  // Runs `job` on the blocking pool (real time only). It must report back through post_remote.
  void submit_blocking(std::function<void()> job);
  // Any thread: queues `completion` to run on the scheduler's thread, and wakes the scheduler if it
  // is idle. Blocking jobs use it to deliver their result.
  void post_remote(std::function<void()> completion);
  // Blocking jobs started and not yet delivered: while any is out, an idle runtime waits for it
  // instead of declaring itself stuck.
  void blocking_started() { blocking_outstanding_.fetch_add(1, std::memory_order_relaxed); }
  void blocking_delivered() { blocking_outstanding_.fetch_sub(1, std::memory_order_relaxed); }
  std::uint32_t next_blocking_job() { return blocking_jobs_.fetch_add(1, std::memory_order_relaxed) + 1; }
  // Holds the worker for ns (sim::block_for inside a task): the virtual clock moves, or the thread
  // sleeps; recorded as blocking work on lane 0, the worker itself.
  void block_worker_for(std::uint64_t ns);
  // Virtual-time blocking lanes: the lowest lane free at `now`, taken until `until`.
  std::uint32_t take_blocking_lane(std::uint64_t until);

  // --- per-runtime objects (sim::network(), sim::files()) -------------------------------------------
  template <class T>
  T& extension() {
    std::unique_lock lock(shared_lock_, std::defer_lock);
    if (threaded_) lock.lock();
    auto& slot = extensions_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }
  std::uint32_t next_request() { return requests_.fetch_add(1, std::memory_order_relaxed) + 1; }

  // --- I/O (net::TcpListener, net::TcpStream) ------------------------------------------------------
  // The reactor of a real-time scheduler; null in virtual time.
  Reactor* reactor() const { return reactor_.get(); }

  // --- resources (channels, locks: see detail/resource.hpp) --------------------------------------
  // Returns the resource's id and sets `slot` to its place in the table (for unregister_resource).
  std::uint32_t register_resource(Resource* r, std::uint32_t name_string, std::uint32_t& slot);
  // Ids for Pinned futures in the trace: numbered per runtime, so traces stay deterministic.
  std::uint32_t next_pin_id() { return next_pin_id_.fetch_add(1, std::memory_order_relaxed) + 1; }
  void unregister_resource(std::uint32_t slot);
  // The running task is about to answer Pending waiting on resource `id`.
  void running_waits_on(std::uint32_t id) {
    if (TaskHeader* t = running()) t->waiting_on = id;
  }

  // Wakers of tasks point here.
  static const WakerVTable task_waker_vtable;
  // The last waker clone of a finished task is gone: it can no longer outlive the scheduler.
  void forget_finished_with_wakers(TaskHeader* task) { finished_with_wakers_.erase(task); }
  // The last Waker clone of a task was dropped: forget it if finished, lint it if it is now lost.
  void last_waker_dropped(TaskHeader* task);

 private:
  struct HeapEntry {
    std::uint64_t deadline;
    std::uint64_t sequence;  // ties broken by arming order, so equal deadlines fire FIFO
    std::uint32_t slot;
    std::uint32_t generation;
  };

  void adopt(TaskHeader* task, std::string_view name, const std::source_location& loc);
  // The last spawn site interned, so a loop spawning from one line costs no hash lookups. The name
  // is kept by value: a name built on the fly (fmt::format in a loop) can reuse the same buffer
  // for different text, so its address says nothing.
  struct SpawnSiteCache {
    std::string name;
    std::uint_least32_t line = 0;
    const char* file = nullptr;
    std::uint32_t site = 0;
    std::uint32_t get(trace::Recorder& recorder, std::string_view n, const std::source_location& loc) {
      if (n != name || loc.line() != line || loc.file_name() != file) {
        site = recorder.intern_site(n, loc);
        name.assign(n);
        line = loc.line();
        file = loc.file_name();
      }
      return site;
    }
  };
  // The recorder's site id for a spawn here (traced only; on worker threads each worker has its
  // own cache, and a thread that is no worker takes tasks_lock_ for this one).
  std::uint32_t spawn_site(std::string_view name, const std::source_location& loc) {
    return spawn_sites_.get(*recorder_, name, loc);
  }
  [[gnu::noinline]] void record_wake(TaskHeader* task, bool by_ref, bool self);

  // --- worker threads (src/worker_threads.cpp) ---
  // What one worker thread owns: its queue, its poll state and its trace buffer. `thread_` points
  // at it on that thread (and at nothing on any other thread).
  struct alignas(64) ThreadWorker {
    Scheduler* owner = nullptr;
    std::uint32_t worker = 0;
    SpinLock queue_lock;
    std::deque<TaskHeader*> local;  // under queue_lock
    TaskHeader* lifo = nullptr;     // the task this worker runs next: its own thread's only, no lock
    // A task woken during its own poll, which just returned: next_for_thread puts it at the back
    // of the local queue under the same lock it takes its next task with (see the rules).
    TaskHeader* yielded = nullptr;
    std::uint32_t lifo_polls = 0;   // LIFO picks in a row
    bool searching = false;         // counted in searching_: unparked to look for work, none found yet
    TaskHeader* running = nullptr;
    trace::WakeSource wake_source = trace::WakeSource::task;
    std::uint32_t cancelling = 0;
    std::uint32_t ticks = 0;        // picks since the inject queue was last looked at
    std::uint32_t timer_ticks = 0;  // loop turns since the timers were last looked at
    std::uint64_t rng = 0;          // where a steal starts looking
    WorkerEventLog events;         // this worker's trace events, merged when the run ends
    std::uint64_t last_stamp = 0;  // the stamp of its latest event (see "Which events read the clock")
    bool picked_from_inject = false;  // next_for_thread's task came from the inject queue
    bool woke_itself = false;         // the task being polled woke itself (traced runs only)
    SpawnSiteCache spawn_sites;       // this worker's, so a traced spawn takes no shared lock
    std::vector<TaskHeader*> stolen;   // scratch: the half taken from a victim
    std::vector<Waker> due;            // scratch: wakers of timers that came due
    // Where tasks parked, as interned by the recorder: asked at the end of every traced poll, so a
    // worker keeps its own small cache rather than take the recorder's lock each time.
    struct ParkedAt {
      const void* key = nullptr;
      std::uint32_t id = 0;
    };
    std::array<ParkedAt, 64> parked_at{};
  };
  bool on_my_worker() const { return thread_ && thread_->owner == this; }
  std::uint32_t& cancelling_counter() { return threaded_ && on_my_worker() ? thread_->cancelling : cancelling_; }
  void adopt_threaded(TaskHeader* task, std::string_view name, const std::source_location& loc);
  [[gnu::noinline]] void record(trace::EventKind kind, std::uint32_t task, std::uint32_t a, std::uint32_t b,
                                std::uint16_t flags) {
    if (threaded_) [[unlikely]] {
      emit_threaded(kind, task, a, b, flags);
      return;
    }
    // try_emit makes no call; the rare ones (a new trace chunk, a live viewer) are tail calls, so
    // this saves no registers on any event.
    if (!recorder_->try_emit(trace::Event{stamp_, kind, static_cast<std::uint8_t>(worker_), flags, task, a, b}))
        [[unlikely]]
      record_into_new_chunk(kind, task, a, b, flags);
  }
  [[gnu::noinline]] void record_into_new_chunk(trace::EventKind kind, std::uint32_t task, std::uint32_t a,
                                              std::uint32_t b, std::uint16_t flags) {
    recorder_->emit(trace::Event{stamp_, kind, static_cast<std::uint8_t>(worker_), flags, task, a, b});
  }
  void emit_threaded(trace::EventKind kind, std::uint32_t task, std::uint32_t a, std::uint32_t b, std::uint16_t flags);
  // The same, stamped by the caller (wake_threaded); on a worker, a stamp its last one is not
  // below (read with fresh_stamp, or that last stamp itself).
  void emit_threaded_at(std::uint64_t stamp, trace::EventKind kind, std::uint32_t task, std::uint32_t a,
                        std::uint32_t b, std::uint16_t flags);
  void run_threads_until_complete(TaskHeader* main);
  void worker_thread_main(std::uint32_t w);
  TaskHeader* next_for_thread(ThreadWorker& me);
  TaskHeader* pop_inject();
  TaskHeader* steal(ThreadWorker& me);
  // The task's SCHEDULED bit is already set. yielded: it was woken during its own poll.
  void push_threaded(TaskHeader* task, bool yielded = false);
  // The end of a push that left stealable work behind: unpark a worker if some are parked and none
  // is searching. Ordered against park_thread (see the rules).
  void notify_parked();
  void wake_threaded(TaskHeader* task, bool by_ref);
  void abort_threaded(TaskHeader* task);
  void poll_threaded(TaskHeader* task);
  void drop_future_threaded(ThreadWorker& me, TaskHeader* task);
  void finish_threaded(TaskHeader* task);
  void park_thread(ThreadWorker& me);
  bool any_stealable();  // the inject queue, or any local queue (never a LIFO slot)
  static constexpr std::uint32_t max_lifo_polls = 3;
  bool every_waker_accounted();
  // Unparks a parked worker, counted as searching, unless none is parked or each already has a
  // wake coming.
  void unpark_one();
  // A searching worker found a task: it stops counting as searching, and if it was the last one it
  // unparks another, which may find more (tokio's transition_worker_from_searching).
  void stop_searching(ThreadWorker& me);
  void drive_reactor(ThreadWorker& me, std::int64_t timeout_ns);
  void fire_due_timers_threaded(ThreadWorker& me);
  void drain_remote_threaded(ThreadWorker& me);
  // The stamp of an event recorded now: counter ticks since the start, or ns with a live stream.
  std::uint64_t stamp_now() const;
  // Reads the clock for an event on worker `me`: never below that worker's last stamp, which it
  // becomes (see "Which events read the clock").
  std::uint64_t fresh_stamp(ThreadWorker& me) const;
  void merge_thread_traces();  // moves every buffered event into the recorder, by stamp
  void stop_threads();

  // --- simulated workers (src/sim_workers.cpp) ---
  struct SimWorker {
    std::deque<TaskHeader*> local;
    std::unique_ptr<Fiber> fiber;
    TaskHeader* assigned = nullptr;  // the task the fiber polls when next resumed between polls
    bool busy = false;               // its poll is set aside inside sim::block_for
    std::uint64_t busy_until = 0;
    TaskHeader* running = nullptr;   // running_ of the set-aside poll
  };
  void run_workers_until_complete(TaskHeader* main);
  TaskHeader* next_for_worker(std::uint32_t w);
  void enter_worker(std::uint32_t w);  // resumes worker w's fiber, as the running worker
  void block_sim_worker(std::uint64_t ns);
  void clear_worker_queues();
  bool any_worker_busy() const;
  void push_ready(TaskHeader* task);
  TaskHeader* pop_ready();
  // The current-thread loop's two ways to look at the drivers (tokio's Context::park and park_yield):
  // park waits for the next timer, socket event or remote completion when nothing can run;
  // park_yield only takes what is due now. Both then wake the deferred wakers.
  void park(TaskHeader* main);
  void park_yield();
  void wake_deferred();
  void take_out_of_ready(TaskHeader* task);
  void poll_task(TaskHeader* task);
  void finish(TaskHeader* task);
  void drop_future_now(TaskHeader* task);
  bool fire_due_timers(std::uint64_t now);
  // Takes the earliest timer due at `now` off the heap (skipping cancelled entries), records it
  // fired and returns its waker, for the caller to wake; empty when none is due. Both timer drivers
  // use it: fire_due_timers, and fire_due_timers_threaded under timer_lock_.
  bool pop_due_timer(std::uint64_t now, Waker& waker);
  bool next_timer_deadline(std::uint64_t& deadline);
  void idle_until_next_timer(std::uint64_t deadline);
  // Waits (real time) until a remote completion arrives or, if has_deadline, the deadline passes.
  void wait_for_remote(bool has_deadline, std::uint64_t deadline);
  // Real time: waits in epoll_wait up to the deadline (or without limit), dispatching I/O wakes.
  void wait_in_reactor(bool has_deadline, std::uint64_t deadline);
  // Dispatches the reactor's ready events with WakeSource::io; timeout_ns as for Reactor::wait.
  void poll_reactor(std::int64_t timeout_ns);
  void drain_remote();
  void check_self_wakes(TaskHeader* task);
  // Traced: a poll's end (parked at `where`, 0: nowhere), and the lints a poll can show, long poll
  // (from the stamps it began and ended at) and lost waker. Every flavor's poll ends here.
  void record_poll_end(TaskHeader* task, bool done, std::uint32_t where, std::uint64_t started,
                       std::uint64_t ended);
  void rebuild_timer_heap();
  std::uint64_t real_now_ns() const;
  // Re-reads the clock into stamp_ (tracing only).
  void restamp();
  // Tells the trace how to scale the raw counter stamps recorded since the last call (real time).
  void finish_trace_segment();
  std::uint64_t ticks_to_ns(std::uint64_t ticks) const;
  [[noreturn]] void report_stuck(TaskHeader* main);

  SchedulerConfig config_;
  std::uint64_t serial_;
  trace::Recorder* recorder_;
  Scheduler* previous_ = nullptr;  // the scheduler that was current when this one started running
  TaskHeader* running_ = nullptr;
  trace::WakeSource wake_source_ = trace::WakeSource::runtime;

  // Ring buffer of ready tasks; capacity is a power of two.
  std::vector<TaskHeader*> ready_;
  std::size_t ready_head_ = 0;
  std::size_t ready_len_ = 0;
  // The current-thread loop (see the rules): block_on's own future is not in the run queue; a wake
  // sets main_woken_, and the loop polls it when the queue has drained or 61 tasks have run.
  TaskHeader* block_on_task_ = nullptr;
  bool main_woken_ = false;
  // yield_now's wakes, done when the loop next parks (tokio's context::defer). A task of this
  // scheduler is kept as itself, holding a reference and counting as a live waker (as the Waker it
  // stands for would), without the clone and drop a Waker would record; any other waker as a Waker.
  // The batch being woken is swapped out so that a wake that yields again lands in the next one,
  // and both vectors keep their capacity.
  std::vector<TaskHeader*> deferred_tasks_, waking_tasks_;
  std::vector<Waker> deferred_;
  // Worker threads: only when threaded_. The inject queue and the park/stop protocol are shared.
  bool threaded_ = false;
  std::vector<std::unique_ptr<ThreadWorker>> threads_;
  std::vector<std::thread> thread_handles_;
  std::mutex inject_mutex_;
  std::deque<TaskHeader*> thread_inject_;  // under inject_mutex_
  std::atomic<std::uint32_t> sleepers_{0};
  // Workers unparked to look for work that have not found any yet, counting those woken but not yet
  // running (wake_tokens_). While one is searching, a push wakes nobody (see the rules).
  std::atomic<std::uint32_t> searching_{0};
  std::uint32_t wake_tokens_ = 0;  // under park_mutex_: unparks no parked worker has taken up yet
  std::mutex park_mutex_;
  std::condition_variable park_cv_;
  std::condition_variable done_cv_;  // the block_on thread waits on it (with park_mutex_)
  std::atomic<bool> stop_threads_{false};
  std::atomic<bool> reactor_driven_{false};   // a worker is in drive_reactor (one at a time)
  std::atomic<bool> in_reactor_wait_{false};  // ... and may be blocked in epoll_wait
  std::atomic<bool> main_done_{false};
  bool stuck_ = false;  // under park_mutex_
  TaskHeader* threaded_main_ = nullptr;
  SpinLock tasks_lock_;    // names_, finished_with_wakers_, spawn_sites_; live_ off the workers
  ShardedLiveTasks live_shards_;  // the live table while worker threads run (see live_tasks.hpp)
  std::atomic<bool> named_tasks_{false};  // some task has a name in names_ (finish looks only then)
  SpinLock timer_lock_;    // the timer heap and slots
  std::mutex shared_lock_;  // resources_, extensions_
  SpinLock foreign_lock_;  // foreign_events_ and the live stream's producer side
  std::vector<trace::Event> foreign_events_;  // events recorded off the worker threads
  std::exception_ptr thread_failure_;  // under park_mutex_: an exception escaped a worker's loop
  static inline thread_local ThreadWorker* thread_ = nullptr;

  // Simulated workers: their queues and fibers, the inject queue, and who is polling.
  std::vector<SimWorker> workers_;
  std::deque<TaskHeader*> inject_;
  std::uint32_t worker_ = 0;    // the worker whose poll is running (0 outside polls)
  bool on_worker_ = false;      // a simulated worker's poll is running

  LiveTasks live_;  // every task not yet complete, for shutdown and the stuck report
  // Finished tasks that still have Waker clones out there (kept by a test, a lesson's shared state):
  // marked ORPHANED when the scheduler is destroyed, so those wakers never reach a dead scheduler.
  std::unordered_set<TaskHeader*> finished_with_wakers_;
  std::uint32_t next_task_id_ = 0;
  std::uint32_t next_resource_id_ = 0;
  std::atomic<std::uint32_t> next_pin_id_{0};
  std::atomic<std::uint32_t> requests_{0};
  std::unordered_map<std::type_index, std::shared_ptr<void>> extensions_;
  // Every resource alive, for the stuck report: a slab (a freed slot is reused), so joining and
  // leaving cost no hashing; the report, which is rare, searches it by id.
  std::vector<Resource*> resources_;
  std::vector<std::uint32_t> free_resource_slots_;
  Resource* find_resource(std::uint32_t id) const;
  // Names of named tasks that are still alive, for the stuck report (unnamed tasks cost nothing).
  std::unordered_map<std::uint32_t, std::string> names_;
  std::atomic<std::uint32_t> future_nodes_{0};
  std::uint32_t cancelling_ = 0;

  std::vector<HeapEntry> timer_heap_;
  std::vector<TimerSlot> timer_slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t timer_sequence_ = 0;
  std::atomic<std::uint32_t> armed_timers_{0};  // atomic: workers peek at it without timer_lock_
  std::uint32_t stale_heap_entries_ = 0;

  std::uint64_t virtual_now_ = 0;
  std::uint64_t timers_checked_at_ = 0;  // virtual time of the last look at the timers
  std::chrono::steady_clock::time_point real_start_;

  // Blocking work. The pool exists only once something is submitted in real time.
  std::unique_ptr<ThreadPool> blocking_pool_;
  std::unique_ptr<Reactor> reactor_;  // real time only; made with the scheduler
  std::atomic<std::size_t> blocking_outstanding_{0};
  std::atomic<std::uint32_t> blocking_jobs_{0};
  std::vector<std::uint64_t> blocking_lanes_busy_until_;  // virtual time: lane i is busy until [i]
  std::mutex remote_mutex_;
  std::condition_variable remote_ready_;
  std::vector<std::function<void()>> remote_;
  std::atomic<bool> remote_pending_{false};
  std::uint64_t stamp_ = 0;         // the time written into events (see the rules above)
  std::uint64_t ticks_start_ = 0;   // counter value when the runtime started (real time, traced)
  bool live_stamps_ = false;        // real time with a live stream: stamps are nanoseconds, not ticks
  std::size_t retimed_upto_ = 0;    // events before this index already carry nanoseconds
  SpawnSiteCache spawn_sites_;
  std::uint64_t rng_;

  static inline thread_local Scheduler* current_ = nullptr;
};

}  // namespace asynclab::detail
