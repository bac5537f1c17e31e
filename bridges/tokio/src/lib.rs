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
//! Not recorded (yet): tokio's `runtime.resource` spans (timers, channels, locks) and their
//! `async_op`s; lints are left to the visualizer's own (it finds self-wakes and long polls in any
//! trace). A task aborted in the middle of a poll looks as if it finished.
//!
//! Bounded: at most `ASYNCLAB_TOKIO_MAX_EVENTS` events (default 4,000,000, 96 MB) are kept; the rest
//! are counted, and the file and the closing line on stderr say how many were dropped.

mod altrace;

use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use altrace::{outcome, poll_result, wake, Event, Kind, Tables};
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
        self.state.recording.store(false, Ordering::SeqCst);
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        if st.tasks.is_empty() {
            return Err(
                "asynclab: no Tokio task was seen, so there is nothing to draw. Tokio reports its tasks only when \
                 built with RUSTFLAGS=\"--cfg tokio_unstable\" and its \"tracing\" feature (and only tasks it \
                 spawns: the future given to block_on or #[tokio::main] is not one); no file was written"
                    .to_owned(),
            );
        }
        let end = self.state.now_ns();
        let summary = Summary {
            tasks: st.tasks.len(),
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
    refs: u64,
    polling: bool,
    last_poll_end: Option<usize>, // index into Inner::events
}

struct Inner {
    tables: Tables,
    events: Vec<Event>,
    dropped: u64,
    max_events: usize,
    tasks: HashMap<u64, TaskState>, // by span id
    workers_seen: u8,
}

struct Shared {
    inner: Mutex<Inner>,
    start: Instant,
    next_span: AtomicU64,
    next_worker: AtomicU8,
    recording: AtomicBool,
}

impl Shared {
    fn new(max_events: usize) -> Self {
        Shared {
            inner: Mutex::new(Inner {
                tables: Tables::default(),
                events: Vec::new(),
                dropped: 0,
                max_events,
                tasks: HashMap::new(),
                workers_seen: 0,
            }),
            start: Instant::now(),
            next_span: AtomicU64::new(1),
            next_worker: AtomicU8::new(0),
            recording: AtomicBool::new(true),
        }
    }
    fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos().min((1u128 << 48) - 1) as u64
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
        let time_ns = shared.now_ns();
        self.events.push(Event { time_ns, kind, worker, flags, task, a, b });
    }
}

thread_local! {
    // The task being polled on this thread (asynclab's task id; 0: none).
    static POLLING: Cell<u32> = Cell::new(0);
    // The task whose poll ended last on this thread, until anything else happens here.
    static JUST_POLLED: Cell<u32> = Cell::new(0);
    // The task that just finished on this thread and when (ns): the next wake here, if it comes within
    // FINISH_WAKE_NS, is its JoinHandle's owner being woken by it.
    static FINISHED: Cell<(u32, u64)> = Cell::new((0, 0));
    // This thread's worker number, from the order threads first polled a task (255: not yet).
    static WORKER: Cell<u8> = Cell::new(u8::MAX);
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

struct Recorder {
    state: Arc<Shared>,
}

/// What tokio writes on a `runtime.spawn` span.
#[derive(Default)]
struct SpawnFields {
    kind: String,
    name: String,
    file: String,
    line: u32,
    column: u32,
}

impl Visit for SpawnFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "kind" => self.kind = format!("{value:?}"),
            "task.name" => self.name = format!("{value:?}"),
            _ => {}
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "loc.file" => self.file = value.to_owned(),
            "task.name" => self.name = value.to_owned(),
            "kind" => self.kind = value.to_owned(),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "loc.line" => self.line = value as u32,
            "loc.col" => self.column = value as u32,
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, value.max(0) as u64);
    }
}

/// What tokio writes on a `tokio::task::waker` event.
#[derive(Default)]
struct WakerFields {
    op: String,
    span: u64,
}

impl Visit for WakerFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "op" {
            self.op = format!("{value:?}").trim_matches('"').to_owned();
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "op" {
            self.op = value.to_owned();
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "task.id" {
            self.span = value;
        }
    }
}

fn is_spawn(meta: &Metadata<'_>) -> bool {
    meta.name() == "runtime.spawn"
}
fn is_waker(meta: &Metadata<'_>) -> bool {
    meta.target() == "tokio::task::waker"
}

impl Subscriber for Recorder {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if is_spawn(meta) || is_waker(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        is_spawn(meta) || is_waker(meta)
    }
    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let span = self.state.next_span.fetch_add(1, Ordering::Relaxed);
        if is_spawn(attrs.metadata()) && self.state.recording.load(Ordering::Relaxed) {
            let mut fields = SpawnFields::default();
            attrs.record(&mut fields);
            let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
            let id = st.tasks.len() as u32 + 1;
            // asynclab's task names: the name given to tokio::task::Builder, or what kind of task it is.
            let name = if !fields.name.is_empty() {
                fields.name.clone()
            } else if fields.kind == "blocking" {
                "blocking".to_owned()
            } else {
                String::new()
            };
            let location = if fields.file.is_empty() { 0 } else { st.tables.location(&fields.file, fields.line, fields.column) };
            let site = st.tables.site(&name, location);
            let parent = POLLING.with(|p| p.get());
            JUST_POLLED.with(|j| j.set(0));
            FINISHED.with(|f| f.set((0, 0)));
            let w = WORKER.with(|w| if w.get() == u8::MAX { 0 } else { w.get() });
            st.tasks.insert(span, TaskState { id, refs: 1, polling: false, last_poll_end: None });
            st.push(&self.state, Kind::TaskSpawned, w, 0, id, parent, site);
        }
        Id::from_u64(span)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &tracing_core::Event<'_>) {
        if !is_waker(event.metadata()) || !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        let mut fields = WakerFields::default();
        event.record(&mut fields);
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        let task = match st.tasks.get(&fields.span) {
            Some(t) => t.id,
            None => return,
        };
        let polling = POLLING.with(|p| p.get());
        let w = WORKER.with(|w| if w.get() == u8::MAX { 0 } else { w.get() });
        match fields.op.as_str() {
            "waker.clone" => st.push(&self.state, Kind::WakerCloned, w, 0, task, polling, 0),
            "waker.drop" => st.push(&self.state, Kind::WakerDropped, w, 0, task, polling, 0),
            "waker.wake" | "waker.wake_by_ref" => {
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
                if fields.op == "waker.wake_by_ref" {
                    flags |= wake::BY_REF;
                }
                st.push(&self.state, Kind::Wake, w, flags, task, by, 0);
            }
            _ => {}
        }
    }

    fn enter(&self, span: &Id) {
        if !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        let task = match st.tasks.get_mut(&span.into_u64()) {
            Some(t) => t,
            None => return,
        };
        task.polling = true;
        let id = task.id;
        let w = worker(&self.state, &mut st);
        POLLING.with(|p| p.set(id));
        JUST_POLLED.with(|j| j.set(0));
        FINISHED.with(|f| f.set((0, 0)));
        st.push(&self.state, Kind::PollBegin, w, 0, id, 0, 0);
    }

    fn exit(&self, span: &Id) {
        if !self.state.recording.load(Ordering::Relaxed) {
            return;
        }
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        let task = match st.tasks.get_mut(&span.into_u64()) {
            Some(t) => t,
            None => return,
        };
        task.polling = false;
        let id = task.id;
        let w = worker(&self.state, &mut st);
        POLLING.with(|p| p.set(0));
        JUST_POLLED.with(|j| j.set(id));
        // A poll that unwinds exits its span while the thread panics. Pending until the span closes
        // right after this (see the crate's rules), when it is turned into Ready.
        let result = if std::thread::panicking() { poll_result::PANICKED } else { poll_result::PENDING };
        let index = st.events.len();
        st.push(&self.state, Kind::PollEnd, w, result, id, 0, 0);
        let kept = (index < st.events.len()).then_some(index);
        if let Some(task) = st.tasks.get_mut(&span.into_u64()) {
            task.last_poll_end = kept;
        }
    }

    fn clone_span(&self, span: &Id) -> Id {
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(task) = st.tasks.get_mut(&span.into_u64()) {
            task.refs += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let mut st = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = span.into_u64();
        let task = match st.tasks.get_mut(&key) {
            Some(t) => t,
            None => return false,
        };
        task.refs = task.refs.saturating_sub(1);
        if task.refs > 0 {
            return false;
        }
        let id = task.id;
        let was_polling = task.polling;
        let last_poll_end = task.last_poll_end;
        // Keep the entry (its waker may still be dropped later), but it can never be entered again.
        task.polling = false;
        if !self.state.recording.load(Ordering::Relaxed) {
            return true;
        }
        let just_polled = JUST_POLLED.with(|j| j.get()) == id;
        let w = WORKER.with(|w| if w.get() == u8::MAX { 0 } else { w.get() });
        let outcome = if just_polled && !was_polling {
            // Closed right after its poll on this thread: it finished in that poll; say how that poll
            // answered. The wake that follows here (its JoinHandle's owner) is still its own.
            FINISHED.with(|f| f.set((id, self.state.now_ns())));
            let mut finished = outcome::OK;
            if let Some(i) = last_poll_end {
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
        st.push(&self.state, Kind::TaskCompleted, w, outcome, id, 0, 0);
        true
    }
}
