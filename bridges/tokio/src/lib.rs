//! Record a real Tokio program into an `.altrace` that asynclab's visualizer opens: one line in
//! `main`,
//!
//! ```ignore
//! let _recording = asynclab_tokio::record("run.altrace");
//! ```
//!
//! and a build with `RUSTFLAGS="--cfg tokio_unstable"` and tokio's `tracing` feature. The file is
//! written when the returned guard is dropped (the end of `main`).
//!
//! What is recorded is what tokio 1.24's own instrumentation reports (`tokio/src/util/trace.rs`,
//! `runtime/task/waker.rs`):
//! * a `runtime.spawn` span is a task (`task.name`, `kind`, `loc.file`/`loc.line`/`loc.col`); its
//!   spawner is the task polled on that thread when it was made (0: outside any task);
//! * entering a task's span is the start of a poll, exiting it the end, on the worker (thread) that
//!   polled it. The span closing right after a poll, on that thread, is the task finishing: that poll
//!   answered Ready (Panicked when the poll unwound); closing at any other moment is the task being
//!   dropped unfinished (aborted while idle, or the runtime shut down): cancelled;
//! * `tokio::task::waker` events (`op` = `waker.clone`, `waker.wake`, `waker.wake_by_ref`,
//!   `waker.drop`, `task.id` = the task span's id) are waker clones, wakes and drops. The waker is the
//!   task being polled on that thread; a wake on the thread where a task has just finished, within
//!   200 µs, is that task waking its JoinHandle's owner; any other wake is the runtime's (its timer
//!   or I/O driver, outside every task). A task waking itself in its own poll is a self-wake.
//!
//! * `runtime.resource` spans of concrete_type "Sleep" are timers: armed by their `state_update`
//!   (`duration` in ms), fired at the poll whose last `poll_op` said Ready (tokio reports the
//!   cooperative budget's answer first), cancelled when dropped before that (a select's losing sleep);
//! * the `runtime.resource` span of a `tokio::sync::Semaphore` is a semaphore resource: its permits
//!   (`permits.op` = override), acquisitions (`sub`) and returns to the pool (`add`). A task that has
//!   to queue is reported taking 0 permits: it waits. A release hands permits straight to a queued
//!   Acquire, said only on that Acquire's `runtime.resource.async_op` span (`permits_obtained`):
//!   the releaser (the task running there) releases and the Acquire's task acquires. An Acquire
//!   dropped while it waits leaves the queue without an event of its own;
//! * the `runtime.resource` span of a `tokio::sync::Mutex` is a mutex resource: `locked = true` in
//!   the task that takes it, `locked = false` where its guard is dropped (outside any poll: the
//!   holder's), and a task that has to queue is seen taking 0 permits of the batch semaphore inside;
//! * the lints asynclab's runtime gives, by its rules (runtime/src/scheduler.cpp): long poll (10 ms,
//!   `ASYNCLAB_TOKIO_LONG_POLL_MS`), self-wakes (more than half of at least two wakes, at the task's
//!   end), lost waker (Pending with no waker kept and no wake, or the last waker of a waiting task
//!   dropped). A lost waker after a poll is recorded when the next thing happens on that thread:
//!   only then does tokio tell whether that poll was the task's last.
//!
//! * the `runtime.resource` span of a `tokio::sync::oneshot` channel (concrete_type
//!   "Sender|Receiver") is a oneshot resource, recorded as asynclab's own oneshot records itself
//!   (`sync/oneshot.hpp`): `value_sent = true` is the send; the awaited Receiver's `poll_recv`
//!   poll_op is its wait (Pending: waiting) and its answer (Ready: received if a value was sent,
//!   else closed), and `try_recv` says `value_received = true`; `tx_dropped = true` before a send is
//!   the sender dropped, `rx_dropped = true` before a send is the receiver closed or dropped (tokio
//!   says the same for both: recorded as dropped), and a value sent and never received is dropped
//!   with the channel. Not seen, because tokio 1.24 says nothing of them: a send that fails (the
//!   receiver was gone) and a `try_recv` that finds the channel closed.
//!
//! Not recorded (yet): RwLock, Notify and mpsc resources (tokio 1.24 gives an mpsc channel no
//! resource span, and Notify none at all; the semaphore inside an mpsc channel or an RwLock is left
//! out). A task aborted in the middle of a poll looks as if it finished.
//!
//! Bounded: at most `ASYNCLAB_TOKIO_MAX_EVENTS` events (default 4,000,000, 96 MB) are kept; the rest
//! are counted, and the file and the closing line on stderr say how many were dropped.

mod altrace;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use altrace::{channel, outcome, poll_result, resource_kind, wake, Event, Kind, Tables};
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::{Interest, Subscriber};
use tracing_core::{Dispatch, LevelFilter, Metadata};

const DEFAULT_MAX_EVENTS: usize = 4_000_000;
// Tokio wakes a finished task's JoinHandle owner in the same harness call that drops its future,
// microseconds later; a wake on that thread after this long is the runtime's (a timer, I/O).
const FINISH_WAKE_NS: u64 = 200_000;

/// A recording in progress; dropping it writes the file (see [`record`]).
#[must_use = "the recording is written when this guard is dropped: keep it alive until the end of main"]
pub struct Recording {
    state: Arc<Shared>,
    path: PathBuf,
}

/// Starts recording every Tokio task of this process into `path`. Call it once, first thing in
/// `main`, before any runtime is built (`#[tokio::main]` builds it before the body runs, but tasks
/// are spawned only later, so the first line of the body is early enough).
pub fn record(path: impl AsRef<Path>) -> Recording {
    let max_events = std::env::var("ASYNCLAB_TOKIO_MAX_EVENTS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(DEFAULT_MAX_EVENTS);
    let state = Arc::new(Shared::new(max_events));
    let subscriber = Recorder { state: state.clone() };
    if tracing_core::dispatcher::set_global_default(Dispatch::new(subscriber)).is_err() {
        eprintln!(
            "asynclab: another tracing subscriber is already installed for this process, so nothing can be \
             recorded: call asynclab_tokio::record() once, before any other subscriber"
        );
        state.recording.store(false, Ordering::Relaxed);
    }
    Recording { state, path: path.as_ref().to_owned() }
}

impl Recording {
    /// Stops recording and writes the file; what `drop` does, with the error returned instead of
    /// printed.
    pub fn finish(self) -> Result<Summary, String> {
        let r = self.write();
        std::mem::forget(self);
        r
    }

    fn write(&self) -> Result<Summary, String> {
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        // A lost waker suspected on this thread (the runtime's own, on current_thread) is one now.
        settle_lost_waker(&self.state, &mut st);
        self.state.recording.store(false, Ordering::SeqCst);
        if st.tasks == 0 {
            return Err(
                "asynclab: no Tokio task was seen, so there is nothing to draw. Tokio reports its tasks only when \
                 built with RUSTFLAGS=\"--cfg tokio_unstable\" and its \"tracing\" feature (and only tasks it \
                 spawns: the future given to block_on or #[tokio::main] is not one); no file was written"
                    .to_owned(),
            );
        }
        let end = self.state.now_ticks();
        let summary = Summary {
            tasks: st.tasks,
            events: st.events.len(),
            dropped: st.dropped,
            workers: st.workers_seen as usize,
        };
        // Say where the trace came from, at its start: `trace info` and the GUI list marks.
        let origin = st.tables.string("a Tokio program, recorded by asynclab-tokio from tokio's own instrumentation");
        st.events.insert(0, Event { time_ns: 0, kind: Kind::Mark, worker: 0, flags: 0, task: 0, a: 0, b: origin });
        if st.dropped > 0 {
            let label = format!("the recorder kept its first {} events and dropped {} more", st.events.len(), st.dropped);
            let id = st.tables.string(&label);
            let time_ns = st.events.last().map_or(end, |e| e.time_ns.max(end));
            st.events.push(Event { time_ns, kind: Kind::Mark, worker: 0, flags: 0, task: 0, a: 0, b: id });
        }
        let time_ns = st.events.last().map_or(end, |e| e.time_ns.max(end));
        st.events.push(Event { time_ns, kind: Kind::RuntimeStopped, worker: 0, flags: 0, task: 0, a: 0, b: 0 });
        // Ticks into nanoseconds since the start (an .altrace holds up to 2^48 ns, 78 hours).
        let ns_per_tick = self.state.clock.ns_per_tick();
        for e in st.events.iter_mut() {
            e.time_ns = ((e.time_ns as f64 * ns_per_tick) as u64).min((1u64 << 48) - 1);
        }
        let bytes = altrace::to_bytes(&st.tables, &st.events);
        // Written beside the target and renamed over it: a crash never leaves half a file.
        let tmp = self.path.with_extension("altrace.partial");
        std::fs::write(&tmp, &bytes)
            .and_then(|_| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("asynclab: could not write {}: {e}", self.path.display()))?;
        Ok(summary)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        match self.write() {
            Ok(s) => eprintln!(
                "asynclab: recorded {} into {} (open it with `asynclab gui --trace {}`)",
                format!(
                    "{} task{}, {} events on {} worker thread{}{}",
                    s.tasks,
                    if s.tasks == 1 { "" } else { "s" },
                    s.events,
                    s.workers,
                    if s.workers == 1 { "" } else { "s" },
                    if s.dropped > 0 { format!(", {} events dropped past the limit", s.dropped) } else { String::new() }
                ),
                self.path.display(),
                self.path.display()
            ),
            Err(message) => eprintln!("{message}"),
        }
    }
}

/// What a finished recording holds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub tasks: usize,
    pub events: usize,
    pub dropped: u64,
    pub workers: usize,
}

// --- the recorder -------------------------------------------------------------------------------

struct TaskState {
    id: u32,
    polling: bool,
    last_poll_end: Option<usize>, // index into Inner::events
    poll_started_ns: u64,
    // For the lints, counted as asynclab's runtime counts them (runtime/src/scheduler.cpp).
    wakes: u32,
    self_wakes: u32,
    live_wakers: i64, // clones − drops − wakes by value: tokio reports every one of them
    notified: bool,   // woken since its last poll began: it is queued, or will be polled again
    done: bool,
}

impl TaskState {
    fn new(id: u32) -> Self {
        TaskState {
            id,
            polling: false,
            last_poll_end: None,
            poll_started_ns: 0,
            wakes: 0,
            self_wakes: 0,
            live_wakers: 0,
            notified: false,
            done: false,
        }
    }
}

mod lint {
    pub const LOST_WAKER: u16 = 2;
    pub const SELF_WAKE: u16 = 3;
    pub const LONG_POLL: u16 = 4;
}

/// A `Sleep` (tokio's `runtime.resource` span of concrete_type "Sleep").
struct TimerState {
    id: u32,
    owner: u32,
    fired: bool,
    // What the latest poll_op inside the current poll said: tokio reports the cooperative budget's
    // answer first, then the timer's own, so only the last one before the poll ends counts.
    answer: Option<bool>,
}

/// A semaphore (tokio's batch semaphore: `tokio::sync::Semaphore`, and the one inside a bounded mpsc
/// channel, which tokio 1.24 gives no resource of its own).
struct SemaphoreState {
    id: u32,
    limits_said: bool,
    available: i64,
    waiters: std::collections::HashSet<u32>, // tasks that said they wait and have not acquired since
    waiting: u32,
    handed: std::collections::HashSet<u32>, // tasks given permits by a release, until their next poll
}

/// A `tokio::sync::Mutex`: its span says `locked = true` in the task that takes it and `locked =
/// false` where the guard is dropped; a task that has to queue says so through the batch semaphore
/// inside it (an attempt taking 0 permits).
struct MutexState {
    id: u32,
    locked: bool,                            // tokio says `locked = false` once at creation too
    holder: u32,                             // the task that locked it (0: code outside any task)
    waiters: std::collections::HashSet<u32>, // tasks that said they wait and have not locked since
}

/// A `tokio::sync::oneshot` channel: what its span has said so far. Each side's end is recorded as
/// asynclab's oneshot records it: only while the receiver has had no answer (with the value, or that
/// none will come).
///
/// tokio marks the channel complete (and wakes the receiver) before it says `value_sent` or
/// `tx_dropped`: a receiver on another thread may answer Ready first. Such an answer is held back
/// until its cause is said, so the trace shows the send (or the sender's end) before the receive.
struct OneshotState {
    id: u32,
    sent: bool,            // value_sent = true
    answered: bool,        // the receiver had its answer: the awaited Receiver said Ready, or try_recv took it
    held: Option<u32>,     // that answer's task, while its cause has not been said yet
    waiting: bool,         // the awaited Receiver said Pending and has had no answer since
    sender_gone: bool,     // tx_dropped = true (said once)
    receiver_gone: bool,   // rx_dropped = true (tokio says it for close() and again for the drop)
}

// tokio does not report a permit that a release hands straight to a waiting task (only permits that
// go back to the pool): such a holder is shown releasing when its task ends, which is when a permit
// kept in the task (the usual `let _permit = sem.acquire().await`) is dropped.

enum What {
    Task(TaskState),
    Timer(TimerState),
    Semaphore(SemaphoreState),
    Mutex(MutexState),
    Oneshot(OneshotState),
    /// The batch semaphore inside a `tokio::sync::Semaphore` or `Mutex`: its state updates are that
    /// resource's.
    PartOf(u64),
    /// An operation on a resource (tokio's `runtime.resource.async_op`: a Sleep's wait, a semaphore's
    /// Acquire), made by `owner` (0: outside any task). What happens inside it is its resource's.
    AsyncOp { resource: u64, owner: u32 },
    /// A resource span this recorder does not draw (the semaphore inside an mpsc channel, an RwLock):
    /// still tracked, so that what happens inside it is not taken for its parent's.
    Other,
}

struct Tracked {
    refs: u64,
    what: What,
}

struct Inner {
    tables: Tables,
    events: Vec<Event>,
    dropped: u64,
    max_events: usize,
    spans: IdMap<u64, Tracked>, // by span id: every span this recorder created
    held: IdMap<u32, Vec<u64>>,   // by task id: the semaphore spans it holds permits of, once per acquire
    tasks: usize,
    timers: u32,
    resources: u32,
    workers_seen: u8,
}

/// Span and task ids are counters: one multiplication (Fibonacci hashing) spreads them over the
/// table's buckets and control bits. The recorder looks one up for every event, and SipHash would
/// cost more than the rest of the work; ids hashed as themselves pile up in one run of buckets.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Stamps events with the CPU's time-stamp counter where there is one (x86-64): reading the system
/// clock costs ~30 ns, more than everything else the recorder does for an event. The ticks are
/// turned into nanoseconds when the file is written, from the whole run's ticks and elapsed time.
struct Clock {
    start: Instant,
    start_ticks: u64,
    ns_per_tick_estimate: f64,
}

impl Clock {
    fn new() -> Self {
        let start = Instant::now();
        let start_ticks = raw_ticks();
        // A first estimate of the tick rate, from 200 µs of counting.
        while start.elapsed().as_nanos() < 200_000 {
            std::hint::spin_loop();
        }
        let (ns, ticks) = (start.elapsed().as_nanos() as f64, raw_ticks().wrapping_sub(start_ticks) as f64);
        let ns_per_tick_estimate = if ticks > 0.0 { ns / ticks } else { 1.0 };
        Clock { start, start_ticks, ns_per_tick_estimate }
    }
    fn ticks(&self) -> u64 {
        raw_ticks().saturating_sub(self.start_ticks)
    }
    fn estimate_ns(&self, ticks: u64) -> u64 {
        (ticks as f64 * self.ns_per_tick_estimate) as u64
    }
    /// Nanoseconds per tick over the whole run so far: what the file's times are converted with.
    fn ns_per_tick(&self) -> f64 {
        let (ns, ticks) = (self.start.elapsed().as_nanos() as f64, self.ticks() as f64);
        if ticks > 0.0 {
            ns / ticks
        } else {
            self.ns_per_tick_estimate
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn raw_ticks() -> u64 {
    // SAFETY: rdtsc has no preconditions; every x86-64 CPU has it.
    unsafe { core::arch::x86_64::_rdtsc() }
}

// Elsewhere the ticks are nanoseconds of the monotonic clock, counted from the first reading.
#[cfg(not(target_arch = "x86_64"))]
fn raw_ticks() -> u64 {
    use std::sync::Once;
    static INIT: Once = Once::new();
    static mut START: Option<Instant> = None;
    // SAFETY: START is written once, inside call_once, before any read.
    unsafe {
        INIT.call_once(|| START = Some(Instant::now()));
        START.map_or(0, |s| s.elapsed().as_nanos() as u64)
    }
}

struct Shared {
    inner: Mutex<Inner>,
    clock: Clock,
    next_span: AtomicU64,
    next_worker: AtomicU8,
    recording: AtomicBool,
    long_poll_ns: u64,
}

impl Shared {
    fn new(max_events: usize) -> Self {
        Shared {
            inner: Mutex::new(Inner {
                tables: Tables::default(),
                events: Vec::new(),
                dropped: 0,
                max_events,
                spans: IdMap::default(),
                held: IdMap::default(),
                tasks: 0,
                timers: 0,
                resources: 0,
                workers_seen: 0,
            }),
            clock: Clock::new(),
            next_span: AtomicU64::new(1),
            next_worker: AtomicU8::new(0),
            recording: AtomicBool::new(true),
            // asynclab's runtime's default (Builder::long_poll_threshold).
            long_poll_ns: std::env::var("ASYNCLAB_TOKIO_LONG_POLL_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(10)
                .saturating_mul(1_000_000),
        }
    }
    /// The clock events are stamped with while recording: CPU ticks since the start (see Clock).
    fn now_ticks(&self) -> u64 {
        self.clock.ticks()
    }
    /// An estimate of the nanoseconds since the start, for the recorder's own decisions (a long
    /// poll, the window after a task finishes); the file's times are converted at the end.
    fn now_ns(&self) -> u64 {
        self.clock.estimate_ns(self.clock.ticks())
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Appends an event, unless the limit is reached. The time is read under the lock, so times never
    /// decrease even across threads.
    fn push(&mut self, shared: &Shared, kind: Kind, worker: u8, flags: u16, task: u32, a: u32, b: u32) {
        if self.events.len() >= self.max_events {
            self.dropped += 1;
            return;
        }
        // Ticks for now (see Clock), never before the previous event: counters of two cores may
        // differ by a few ticks.
        let ticks = shared.now_ticks().max(self.events.last().map_or(0, |e| e.time_ns));
        self.events.push(Event { time_ns: ticks, kind, worker, flags, task, a, b });
    }
    fn task(&mut self, span: u64) -> Option<&mut TaskState> {
        match self.spans.get_mut(&span) {
            Some(Tracked { what: What::Task(t), .. }) => Some(t),
            _ => None,
        }
    }
}

thread_local! {
    // The task being polled on this thread (asynclab's task id; 0: none).
    static POLLING: Cell<u32> = Cell::new(0);
    // The task whose poll ended last on this thread, until anything else happens here.
    static JUST_POLLED: Cell<(u32, u64)> = Cell::new((0, 0));
    // The task that just finished on this thread and when (ns): the next wake here, if it comes within
    // FINISH_WAKE_NS, is its JoinHandle's owner being woken by it.
    static FINISHED: Cell<(u32, u64)> = Cell::new((0, 0));
    // This thread's worker number, from the order threads first polled a task (255: not yet).
    static WORKER: Cell<u8> = Cell::new(u8::MAX);
    // The resource spans entered on this thread, innermost last: what a state_update or poll_op
    // event is about.
    static IN_RESOURCE: RefCell<Vec<u64>> = RefCell::new(Vec::new());
    // A task whose poll just ended Pending with no waker kept and no wake: lost, unless what comes
    // next on this thread is that task finishing (tokio closes its span right after a Ready poll).
    static LOST_IF_NOT_DONE: Cell<(u32, u64)> = Cell::new((0, 0));
}

/// Records the lost-waker lint left pending on this thread (see LOST_IF_NOT_DONE), now that this
/// thread polls or spawns another task: the task's future was not being dropped after all. Called
/// only there, never while a future may still be dropping (its wakers and resources go first, then
/// its span closes).
fn settle_lost_waker(shared: &Shared, st: &mut Inner) {
    let (task, span) = LOST_IF_NOT_DONE.with(|l| l.replace((0, 0)));
    if task == 0 || !shared.recording.load(Ordering::Relaxed) {
        return;
    }
    // Finished meanwhile (on another thread), or gone: nothing was lost.
    if let Some(Tracked { what: What::Task(t), .. }) = st.spans.get(&span) {
        if !t.done {
            st.push(shared, Kind::Lint, current_worker(), lint::LOST_WAKER, task, 0, 0);
        }
    }
}

/// A task may have lost its waker: decided at the next settle point on this thread, unless its span
/// closes first.
fn suspect_lost_waker(shared: &Shared, st: &mut Inner, task: u32, span: u64) {
    let (pending, _) = LOST_IF_NOT_DONE.with(|l| l.get());
    if pending != 0 && pending != task {
        settle_lost_waker(shared, st);
    }
    LOST_IF_NOT_DONE.with(|l| l.set((task, span)));
}

fn worker(shared: &Shared, inner: &mut Inner) -> u8 {
    WORKER.with(|w| {
        if w.get() == u8::MAX {
            // Worker numbers fit a byte; threads past 254 share the last one.
            let n = shared.next_worker.fetch_add(1, Ordering::Relaxed).min(254);
            w.set(n);
            inner.workers_seen = inner.workers_seen.max(n + 1);
        }
        w.get()
    })
}

fn current_worker() -> u8 {
    WORKER.with(|w| if w.get() == u8::MAX { 0 } else { w.get() })
}

/// The resource a span stands for: a semaphore for the batch semaphore inside it, a resource for
/// an operation on it.
fn resolve(st: &Inner, span: u64) -> u64 {
    match st.spans.get(&span) {
        Some(Tracked { what: What::PartOf(outer), .. }) => *outer,
        Some(Tracked { what: What::AsyncOp { resource, .. }, .. }) => *resource,
        _ => span,
    }
}

fn innermost_resource() -> Option<u64> {
    IN_RESOURCE.with(|r| r.borrow().last().copied())
}

struct Recorder {
    state: Arc<Shared>,
}

/// What a `tokio::task::waker` event says happened to the waker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum WakerOp {
    #[default]
    Unknown,
    Clone,
    Wake,
    WakeByRef,
    Drop,
}

impl From<&str> for WakerOp {
    fn from(op: &str) -> Self {
        match op {
            "waker.clone" => WakerOp::Clone,
            "waker.wake" => WakerOp::Wake,
            "waker.wake_by_ref" => WakerOp::WakeByRef,
            "waker.drop" => WakerOp::Drop,
            _ => WakerOp::Unknown,
        }
    }
}

/// The fields tokio writes on its spans and events that the recorder reads.
#[derive(Default)]
struct Fields {
    kind: String,
    name: String,
    concrete_type: String,
    file: String,
    line: u32,
    column: u32,
    op: WakerOp,
    span: u64,
    duration: Option<u64>,
    permits: Option<u64>,
    permits_obtained: Option<u64>,
    permits_op: String,
    is_ready: Option<bool>,
    is_internal: bool,
    locked: Option<bool>,
    op_name: String,
    tx_dropped: Option<bool>,
    rx_dropped: Option<bool>,
    value_sent: Option<bool>,
    value_received: Option<bool>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = || format!("{value:?}").trim_matches('"').to_owned();
        match field.name() {
            "kind" => self.kind = text(),
            "task.name" => self.name = text(),
            "concrete_type" => self.concrete_type = text(),
            "loc.file" => self.file = text(),
            "op" => self.op = WakerOp::from(text().as_str()),
            "permits.op" => self.permits_op = text(),
            "op_name" => self.op_name = text(),
            _ => {}
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "kind" => self.kind = value.to_owned(),
            "task.name" => self.name = value.to_owned(),
            "concrete_type" => self.concrete_type = value.to_owned(),
            "loc.file" => self.file = value.to_owned(),
            "op" => self.op = WakerOp::from(value),
            "permits.op" => self.permits_op = value.to_owned(),
            "op_name" => self.op_name = value.to_owned(),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "loc.line" => self.line = value as u32,
            "loc.col" => self.column = value as u32,
            "task.id" => self.span = value,
            "duration" => self.duration = Some(value),
            "permits" => self.permits = Some(value),
            "permits_obtained" => self.permits_obtained = Some(value),
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, value.max(0) as u64);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        match field.name() {
            "is_ready" => self.is_ready = Some(value),
            "is_internal" => self.is_internal = value,
            "locked" => self.locked = Some(value),
            "tx_dropped" => self.tx_dropped = Some(value),
            "rx_dropped" => self.rx_dropped = Some(value),
            "value_sent" => self.value_sent = Some(value),
            "value_received" => self.value_received = Some(value),
            _ => {}
        }
    }
}

const SPAWN: &str = "runtime.spawn";
const RESOURCE: &str = "runtime.resource";
const WAKER: &str = "tokio::task::waker";
const STATE_UPDATE: &str = "runtime::resource::state_update";
const POLL_OP: &str = "runtime::resource::poll_op";
const ASYNC_OP: &str = "runtime.resource.async_op";
const ASYNC_OP_STATE_UPDATE: &str = "runtime::resource::async_op::state_update";

fn wanted(meta: &Metadata<'_>) -> bool {
    if meta.is_span() {
        meta.name() == SPAWN || meta.name() == RESOURCE || meta.name() == ASYNC_OP
    } else {
        matches!(meta.target(), WAKER | STATE_UPDATE | POLL_OP | ASYNC_OP_STATE_UPDATE)
    }
}

impl Recorder {
    fn new_task(&self, span: u64, fields: &Fields) {
        let mut st = self.state.lock();
        settle_lost_waker(&self.state, &mut st);
        // Past the limit nothing more is kept: not the task, not its tables (its events would be
        // dropped anyway).
        if st.events.len() >= st.max_events {
            st.dropped += 1;
            return;
        }
        st.tasks += 1;
        let id = st.tasks as u32;
        // asynclab's task names: the name given to tokio::task::Builder, or what kind of task it is.
        let name = if !fields.name.is_empty() {
            fields.name.clone()
        } else if fields.kind == "blocking" {
            "blocking".to_owned()
        } else {
            String::new()
        };
        let site = st.tables.site_at(&name, &fields.file, fields.line, fields.column);
        let parent = POLLING.with(|p| p.get());
        JUST_POLLED.with(|j| j.set((0, 0)));
        FINISHED.with(|f| f.set((0, 0)));
        st.spans.insert(span, Tracked { refs: 1, what: What::Task(TaskState::new(id)) });
        st.push(&self.state, Kind::TaskSpawned, current_worker(), 0, id, parent, site);
    }

    fn new_resource(&self, span: u64, fields: &Fields) {
        let mut st = self.state.lock();
        // A resource made inside another (the batch semaphore of a Semaphore or of a Mutex) is part of
        // that one.
        let outer = innermost_resource();
        let outer_is_lock = outer.map_or(false, |o| {
            matches!(st.spans.get(&o), Some(Tracked { what: What::Semaphore(_), .. }) | Some(Tracked { what: What::Mutex(_), .. }))
        });
        let what = match fields.concrete_type.as_str() {
            "Sleep" => {
                st.timers += 1;
                What::Timer(TimerState { id: st.timers, owner: POLLING.with(|p| p.get()), fired: false, answer: None })
            }
            "Semaphore" if outer_is_lock => What::PartOf(outer.unwrap_or(0)),
            "Mutex" if outer.is_none() => {
                let id = self.new_named_resource(&mut st, resource_kind::MUTEX, "mutex", fields);
                st.push(&self.state, Kind::ResourceLimits, current_worker(), 0, POLLING.with(|p| p.get()), id, 1);
                What::Mutex(MutexState { id, locked: false, holder: 0, waiters: Default::default() })
            }
            // tokio::sync::Semaphore's own span (the batch semaphores inside other types say
            // is_internal, and tokio 1.24 gives an mpsc channel no resource of its own).
            "Semaphore" if outer.is_none() && !fields.is_internal => {
                let id = self.new_named_resource(&mut st, resource_kind::SEMAPHORE, "semaphore", fields);
                What::Semaphore(SemaphoreState {
                    id,
                    limits_said: false,
                    available: 0,
                    waiters: Default::default(),
                    waiting: 0,
                    handed: Default::default(),
                })
            }
            "Sender|Receiver" if fields.kind == "Sync" && outer.is_none() => {
                let id = self.new_named_resource(&mut st, resource_kind::ONESHOT, "oneshot", fields);
                st.push(&self.state, Kind::ResourceLimits, current_worker(), 0, POLLING.with(|p| p.get()), id, 1);
                What::Oneshot(OneshotState {
                    id,
                    sent: false,
                    answered: false,
                    held: None,
                    waiting: false,
                    sender_gone: false,
                    receiver_gone: false,
                })
            }
            _ => What::Other,
        };
        st.spans.insert(span, Tracked { refs: 1, what });
    }

    /// A new resource (a semaphore, a mutex, a oneshot channel): its id, and its resource_created
    /// event, named after where it was made ("mutex at examples/mutex_wait.rs:18").
    fn new_named_resource(&self, st: &mut Inner, kind: u16, word: &str, fields: &Fields) -> u32 {
        st.resources += 1;
        let id = st.resources;
        let name = if fields.file.is_empty() {
            format!("{word} {id}")
        } else {
            format!("{word} at {}:{}", fields.file, fields.line)
        };
        let name = st.tables.string(&name);
        st.push(&self.state, Kind::ResourceCreated, current_worker(), kind, POLLING.with(|p| p.get()), id, name);
        id
    }

    fn new_async_op(&self, span: u64) {
        let resource = match innermost_resource() {
            Some(r) => r,
            None => return,
        };
        let mut st = self.state.lock();
        let resource = resolve(&st, resource);
        let owner = POLLING.with(|p| p.get());
        st.spans.insert(span, Tracked { refs: 1, what: What::AsyncOp { resource, owner } });
    }

    /// tokio hands released permits straight to a queued Acquire, and says so only on that Acquire's
    /// own span (`permits_obtained`, op "add"): the waiting task has its permit.
    fn async_op_event(&self, fields: &Fields) {
        let op = match innermost_resource() {
            Some(r) => r,
            None => return,
        };
        if fields.permits_op != "add" || fields.permits_obtained.unwrap_or(0) == 0 {
            return;
        }
        let w = current_worker();
        let mut st = self.state.lock();
        let (resource, owner) = match st.spans.get(&op) {
            Some(Tracked { what: What::AsyncOp { resource, owner }, .. }) => (*resource, *owner),
            _ => return,
        };
        let out = match st.spans.get_mut(&resource) {
            Some(Tracked { what: What::Semaphore(s), .. }) => {
                if s.waiters.remove(&owner) {
                    s.waiting = s.waiting.saturating_sub(1);
                    Some((s.id, s.available.clamp(0, u32::MAX as i64) as u32))
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some((id, left)) = out {
            // Whoever released is running here: the task being polled, or the one whose future is
            // being dropped as it finishes. Its permit went to `owner`.
            let releaser = match POLLING.with(|p| p.get()) {
                0 => JUST_POLLED.with(|j| j.get().0),
                t => t,
            };
            let released = st.held.get_mut(&releaser).and_then(|list| {
                let i = list.iter().position(|&r| r == resource)?;
                list.swap_remove(i);
                Some(())
            });
            if released.is_some() {
                st.push(&self.state, Kind::LockReleased, w, 0, releaser, id, left);
            }
            if let Some(Tracked { what: What::Semaphore(s), .. }) = st.spans.get_mut(&resource) {
                s.handed.insert(owner);
            }
            st.held.entry(owner).or_default().push(resource);
            st.push(&self.state, Kind::LockAcquired, w, 0, owner, id, left);
        }
    }

    /// A state_update or poll_op inside a resource span this thread has entered.
    fn resource_event(&self, fields: &Fields, poll_op: bool) {
        let mut resource = match innermost_resource() {
            Some(r) => r,
            None => return,
        };
        let task = POLLING.with(|p| p.get());
        let w = current_worker();
        let mut st = self.state.lock();
        resource = resolve(&st, resource);
        let mut out: Option<(Kind, u16, u32, u32, u32)> = None;
        let mut then: Option<(Kind, u16, u32, u32, u32)> = None; // recorded right after `out`
        let mut limits: Option<(u32, u32)> = None;
        match st.spans.get_mut(&resource).map(|t| &mut t.what) {
            Some(What::Timer(t)) => {
                if poll_op {
                    t.answer = fields.is_ready;
                } else if let Some(ms) = fields.duration {
                    // Armed (or reset) for `ms` milliseconds from now, tokio's whole-millisecond ticks.
                    t.fired = false;
                    let micros = ms.saturating_mul(1000).min(u32::MAX as u64) as u32;
                    out = Some((Kind::TimerArmed, 0, t.owner, t.id, micros));
                }
            }
            Some(What::Mutex(m)) if !poll_op => {
                if let Some(locked) = fields.locked {
                    if locked {
                        m.waiters.remove(&task);
                        m.locked = true;
                        m.holder = task;
                        out = Some((Kind::LockAcquired, 0, task, m.id, 0));
                    } else if m.locked {
                        // The guard is dropped in a task's poll, or outside any poll: as a finished
                        // task's future is dropped, or by code outside the tasks (block_on's
                        // future). Then it was the holder's guard (guards seldom change hands).
                        let releaser = match task {
                            0 => m.holder,
                            t => t,
                        };
                        m.locked = false;
                        out = Some((Kind::LockReleased, 0, releaser, m.id, 0));
                    }
                } else if fields.permits_op == "sub" && fields.permits == Some(0) && task != 0 {
                    // The batch semaphore inside: this attempt has to queue.
                    if m.waiters.insert(task) {
                        out = Some((Kind::LockWaiting, 0, task, m.id, m.waiters.len() as u32));
                    }
                }
            }
            Some(What::Oneshot(o)) => {
                if poll_op {
                    // Only the awaited Receiver's poll_recv: Sender::closed() has a poll_op of its own.
                    if fields.op_name == "poll_recv" {
                        match fields.is_ready {
                            // Pending once the answer is known is the cooperative budget's (poll_recv
                            // asks it first), not a wait.
                            Some(false) if !o.waiting && !o.sent && !o.sender_gone && !o.answered => {
                                o.waiting = true;
                                out = Some((Kind::ChannelRecv, channel::EMPTY, task, o.id, 0));
                            }
                            Some(true) if !o.answered => {
                                o.waiting = false;
                                o.answered = true;
                                if o.sent {
                                    out = Some((Kind::ChannelRecv, channel::RECEIVED, task, o.id, 0));
                                } else if o.sender_gone || o.receiver_gone {
                                    out = Some((Kind::ChannelRecv, channel::CLOSED, task, o.id, 0));
                                } else {
                                    o.held = Some(task); // its cause is on its way (see OneshotState)
                                }
                            }
                            _ => {}
                        }
                    }
                } else if fields.value_sent == Some(true) {
                    o.sent = true;
                    out = Some((Kind::ChannelSend, channel::SENT, task, o.id, 1));
                    if let Some(receiver) = o.held.take() {
                        then = Some((Kind::ChannelRecv, channel::RECEIVED, receiver, o.id, 0));
                    }
                } else if fields.value_received == Some(true) && !o.answered {
                    // try_recv took the value.
                    o.answered = true;
                    if o.sent {
                        out = Some((Kind::ChannelRecv, channel::RECEIVED, task, o.id, 0));
                    } else {
                        o.held = Some(task);
                    }
                } else if fields.tx_dropped == Some(true) && !o.sender_gone {
                    o.sender_gone = true;
                    let held = o.held.take();
                    if !o.sent && !o.receiver_gone && (!o.answered || held.is_some()) {
                        out = Some((Kind::ChannelClosed, channel::SENDERS_DROPPED, task, o.id, 0));
                    }
                    if let Some(receiver) = held {
                        then = Some((Kind::ChannelRecv, channel::CLOSED, receiver, o.id, 0));
                    }
                } else if fields.rx_dropped == Some(true) && !o.receiver_gone {
                    // Before its answer, with nothing sent: it stopped waiting (close() and a drop say
                    // the same). With a value sent, close() keeps it readable: whether it is dropped
                    // unread is known when the channel's span closes.
                    o.receiver_gone = true;
                    if !o.answered && !o.sent {
                        out = Some((Kind::ChannelClosed, channel::RECEIVER_DROPPED, task, o.id, 0));
                    }
                }
            }
            Some(What::Semaphore(s)) if !poll_op => {
                if let Some(n) = fields.permits {
                    let n = n as i64;
                    match fields.permits_op.as_str() {
                        "override" => {
                            s.available = n;
                            if !s.limits_said {
                                s.limits_said = true;
                                limits = Some((s.id, n.clamp(0, u32::MAX as i64) as u32));
                            }
                        }
                        // tokio reports every attempt of a task that has to queue as taking 0
                        // permits: the first one starts its wait (the permits come later, handed
                        // over on its Acquire's span: see async_op_event).
                        "sub" if n == 0 => {
                            // The poll after a hand-over reports 0 once more: it already holds.
                            if s.handed.remove(&task) {
                            } else if s.waiters.insert(task) {
                                s.waiting += 1;
                                out = Some((Kind::LockWaiting, 0, task, s.id, s.waiting));
                            }
                        }
                        "sub" => {
                            s.available -= n;
                            if s.waiters.remove(&task) {
                                s.waiting = s.waiting.saturating_sub(1);
                            }
                            out = Some((Kind::LockAcquired, 0, task, s.id, s.available.clamp(0, u32::MAX as i64) as u32));
                        }
                        "add" => {
                            s.available += n;
                            out = Some((Kind::LockReleased, 0, task, s.id, s.available.clamp(0, u32::MAX as i64) as u32));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if let Some((id, capacity)) = limits {
            st.push(&self.state, Kind::ResourceLimits, w, 0, 0, id, capacity);
        }
        if let Some((kind, flags, task, a, b)) = out {
            match kind {
                Kind::LockAcquired if task != 0 => st.held.entry(task).or_default().push(resource),
                Kind::LockReleased => {
                    if let Some(list) = st.held.get_mut(&task) {
                        if let Some(i) = list.iter().position(|&r| r == resource) {
                            list.swap_remove(i);
                        }
                    }
                }
                _ => {}
            }
            st.push(&self.state, kind, w, flags, task, a, b);
        }
        if let Some((kind, flags, task, a, b)) = then {
            st.push(&self.state, kind, w, flags, task, a, b);
        }
    }

    fn waker_event(&self, fields: &Fields) {
        let polling = POLLING.with(|p| p.get());
        let w = current_worker();
        let mut st = self.state.lock();
        let (task, lost) = match st.spans.get_mut(&fields.span).map(|t| &mut t.what) {
            Some(What::Task(t)) => {
                match fields.op {
                    WakerOp::Clone => t.live_wakers += 1,
                    WakerOp::Drop | WakerOp::Wake => t.live_wakers -= 1,
                    _ => {}
                }
                if matches!(fields.op, WakerOp::Wake | WakerOp::WakeByRef) {
                    t.wakes += 1;
                    t.self_wakes += (polling != 0 && polling == t.id) as u32;
                    t.notified = true;
                }
                // Its last waker gone while it waits, with no wake pending: nothing can ever poll it
                // again (a running task is judged when its poll ends).
                let lost = t.live_wakers <= 0 && !t.polling && !t.notified && !t.done && fields.op == WakerOp::Drop;
                (t.id, (lost, t.done && t.live_wakers <= 0))
            }
            _ => return,
        };
        let (task, lost, forget) = (task, lost.0, lost.1);
        match fields.op {
            WakerOp::Clone => st.push(&self.state, Kind::WakerCloned, w, 0, task, polling, 0),
            WakerOp::Drop => st.push(&self.state, Kind::WakerDropped, w, 0, task, polling, 0),
            WakerOp::Wake | WakerOp::WakeByRef => {
                let by = if polling != 0 {
                    polling
                } else {
                    let (finished, at) = FINISHED.with(|f| f.replace((0, 0)));
                    if finished != 0 && self.state.now_ns().saturating_sub(at) <= FINISH_WAKE_NS { finished } else { 0 }
                };
                let mut flags = if by != 0 { wake::FROM_TASK } else { wake::FROM_RUNTIME };
                if polling != 0 && polling == task {
                    flags |= wake::SELF;
                }
                if fields.op == WakerOp::WakeByRef {
                    flags |= wake::BY_REF;
                }
                st.push(&self.state, Kind::Wake, w, flags, task, by, 0);
            }
            WakerOp::Unknown => {}
        }
        if lost {
            suspect_lost_waker(&self.state, &mut st, task, fields.span);
        }
        if forget {
            // A finished task's last waker: nothing will name its span again.
            st.spans.remove(&fields.span);
        }
    }
}

impl Subscriber for Recorder {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if wanted(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        wanted(meta)
    }
    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let span = self.state.next_span.fetch_add(1, Ordering::Relaxed);
        if self.state.recording.load(Ordering::Relaxed) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            match attrs.metadata().name() {
                SPAWN => self.new_task(span, &fields),
                RESOURCE => self.new_resource(span, &fields),
                ASYNC_OP => self.new_async_op(span),
                _ => {}
            }
        }
        Id::from_u64(span)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &tracing_core::Event<'_>) {
        if !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        match event.metadata().target() {
            WAKER => self.waker_event(&fields),
            STATE_UPDATE => self.resource_event(&fields, false),
            ASYNC_OP_STATE_UPDATE => self.async_op_event(&fields),
            POLL_OP => self.resource_event(&fields, true),
            _ => {}
        }
    }

    fn enter(&self, span: &Id) {
        let key = span.into_u64();
        let mut st = self.state.lock();
        let is_task = match st.spans.get(&key) {
            Some(Tracked { what: What::Task(_), .. }) => true,
            Some(_) => {
                IN_RESOURCE.with(|r| r.borrow_mut().push(key));
                false
            }
            None => false,
        };
        if !is_task || !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        settle_lost_waker(&self.state, &mut st);
        let w = worker(&self.state, &mut st);
        let now = self.state.now_ns();
        let id = match st.task(key) {
            Some(task) => {
                task.polling = true;
                task.notified = false;
                task.poll_started_ns = now;
                task.id
            }
            None => return,
        };
        POLLING.with(|p| p.set(id));
        JUST_POLLED.with(|j| j.set((0, 0)));
        FINISHED.with(|f| f.set((0, 0)));
        st.push(&self.state, Kind::PollBegin, w, 0, id, 0, 0);
    }

    fn exit(&self, span: &Id) {
        let key = span.into_u64();
        let mut st = self.state.lock();
        let mut fired: Option<(u32, u32)> = None;
        let is_task = match st.spans.get_mut(&key) {
            Some(Tracked { what: What::Task(_), .. }) => true,
            Some(other) => {
                IN_RESOURCE.with(|r| {
                    let mut r = r.borrow_mut();
                    if let Some(i) = r.iter().rposition(|&s| s == key) {
                        r.remove(i);
                    }
                });
                // A Sleep's poll ends here: Ready means the timer fired.
                if let What::Timer(t) = &mut other.what {
                    if t.answer.take() == Some(true) && !t.fired {
                        t.fired = true;
                        fired = Some((t.owner, t.id));
                    }
                }
                false
            }
            None => false,
        };
        if let Some((owner, id)) = fired {
            if self.state.recording.load(Ordering::Relaxed) {
                st.push(&self.state, Kind::TimerFired, current_worker(), 0, owner, id, 0);
            }
        }
        if !is_task || !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        let w = worker(&self.state, &mut st);
        let now = self.state.now_ns();
        let long_poll_ns = self.state.long_poll_ns;  // compared with the clock's estimate
        let (id, took, lost) = match st.task(key) {
            Some(task) => {
                task.polling = false;
                // Pending with no waker kept and no wake arrived: lost (judged again at its close, if
                // this poll was in fact its last).
                (task.id, now.saturating_sub(task.poll_started_ns), task.live_wakers <= 0 && !task.notified)
            }
            None => return,
        };
        POLLING.with(|p| p.set(0));
        JUST_POLLED.with(|j| j.set((id, self.state.now_ns())));
        // A poll that unwinds exits its span while the thread panics. Pending until the span closes
        // right after this (see the crate's rules), when it is turned into Ready.
        let result = if std::thread::panicking() { poll_result::PANICKED } else { poll_result::PENDING };
        let index = st.events.len();
        st.push(&self.state, Kind::PollEnd, w, result, id, 0, 0);
        let kept = (index < st.events.len()).then_some(index);
        if let Some(task) = st.task(key) {
            task.last_poll_end = kept;
        }
        if took >= long_poll_ns {
            st.push(&self.state, Kind::Lint, w, lint::LONG_POLL, id, (took / 1000).min(u32::MAX as u64) as u32, 0);
        }
        if lost && result == poll_result::PENDING {
            suspect_lost_waker(&self.state, &mut st, id, key);
        }
    }

    fn clone_span(&self, span: &Id) -> Id {
        if let Some(t) = self.state.lock().spans.get_mut(&span.into_u64()) {
            t.refs += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let key = span.into_u64();
        let mut st = self.state.lock();
        match st.spans.get_mut(&key) {
            Some(t) => {
                t.refs = t.refs.saturating_sub(1);
                if t.refs > 0 {
                    return false;
                }
            }
            None => return false,
        }
        let closed = st.spans.remove(&key).map(|t| t.what);
        // Its span closes: it finished or was dropped, so no waker of it was lost.
        if let Some(What::Task(t)) = &closed {
            LOST_IF_NOT_DONE.with(|l| {
                if l.get().0 == t.id {
                    l.set((0, 0))
                }
            });
        }
        if !self.state.recording.load(Ordering::Relaxed) {
            return true;
        }
        let w = current_worker();
        match closed {
            Some(What::Task(task)) => {
                // Kept as a closed task: its waker may still be dropped later, naming its span.
                let id = task.id;
                // tokio drops a finished task's future right after its Ready poll, in the same call;
                // a close on this thread long after the last poll (an abort of an idle task, with
                // nothing else polled here meanwhile) is not that.
                let (last, at) = JUST_POLLED.with(|j| j.get());
                let just_polled = last == id && self.state.now_ns().saturating_sub(at) <= FINISH_WAKE_NS;
                let outcome = if just_polled && !task.polling {
                    // Closed right after its poll on this thread: it finished in that poll; say how that
                    // poll answered. The wake that follows here (its JoinHandle's owner) is its own.
                    FINISHED.with(|f| f.set((id, self.state.now_ns())));
                    let mut finished = outcome::OK;
                    if let Some(i) = task.last_poll_end {
                        if st.events[i].flags == poll_result::PANICKED {
                            finished = outcome::PANICKED;
                        } else {
                            st.events[i].flags = poll_result::READY;
                        }
                    }
                    finished
                } else {
                    outcome::CANCELLED
                };
                if task.wakes >= 2 && task.self_wakes * 2 > task.wakes {
                    st.push(&self.state, Kind::Lint, w, lint::SELF_WAKE, id, task.self_wakes * 100 / task.wakes, 0);
                }
                // Kept while a waker of it lives (its drop names the span); then forgotten, so that
                // a run of a million tasks does not keep a million entries.
                if task.live_wakers > 0 {
                    let mut kept = task;
                    kept.done = true;
                    kept.polling = false;
                    kept.last_poll_end = None;
                    st.spans.insert(key, Tracked { refs: 0, what: What::Task(kept) });
                }
                // Permits it still holds go with it (see SemaphoreState).
                for sem in st.held.remove(&id).unwrap_or_default() {
                    let found = match st.spans.get(&sem) {
                        Some(Tracked { what: What::Semaphore(s), .. }) => Some((s.id, s.available.clamp(0, u32::MAX as i64) as u32)),
                        _ => None,
                    };
                    if let Some((res, left)) = found {
                        st.push(&self.state, Kind::LockReleased, w, 0, id, res, left);
                    }
                }
                st.push(&self.state, Kind::TaskCompleted, w, outcome, id, 0, 0);
            }
            Some(What::Timer(t)) => {
                // Dropped before the poll that saw it elapsed: cancelled (a select's losing sleep).
                if !t.fired {
                    st.push(&self.state, Kind::TimerCancelled, w, 0, t.owner, t.id, 0);
                }
            }
            Some(What::Semaphore(s)) => st.push(&self.state, Kind::ResourceDropped, w, 0, POLLING.with(|p| p.get()), s.id, 0),
            Some(What::Mutex(m)) => st.push(&self.state, Kind::ResourceDropped, w, 0, POLLING.with(|p| p.get()), m.id, 0),
            Some(What::Oneshot(o)) => {
                let task = POLLING.with(|p| p.get());
                if let Some(receiver) = o.held {
                    // An answer whose cause was never said: with no value sent, the channel closed.
                    st.push(&self.state, Kind::ChannelRecv, w, channel::CLOSED, receiver, o.id, 0);
                } else if o.sent && !o.answered {
                    // A value sent and never received goes with the channel: the receiver's end.
                    st.push(&self.state, Kind::ChannelClosed, w, channel::RECEIVER_DROPPED, task, o.id, 0);
                }
                st.push(&self.state, Kind::ResourceDropped, w, 0, task, o.id, 0)
            }
            // An Acquire dropped while it waited (a timeout around `acquire()`): no longer in the queue.
            Some(What::AsyncOp { resource, owner }) => {
                if let Some(Tracked { what: What::Semaphore(s), .. }) = st.spans.get_mut(&resource) {
                    if s.waiters.remove(&owner) {
                        s.waiting = s.waiting.saturating_sub(1);
                    }
                }
            }
            _ => {}
        }
        true
    }
}
