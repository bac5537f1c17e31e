//! The `.altrace` file, written from Rust: the layout of `runtime/include/asynclab/trace/file.hpp`
//! (version 1, little-endian) and the event meanings of `trace/event.hpp`, for the few kinds a Tokio
//! run gives. asynclab's strict loader checks every field of what this writes.

/// Event kinds, numbered as `asynclab::trace::EventKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    TaskSpawned = 2,
    PollBegin = 3,
    PollEnd = 4,
    WakerCloned = 5,
    WakerDropped = 6,
    Wake = 7,
    TaskCompleted = 8,
    TimerArmed = 12,
    TimerFired = 13,
    Lint = 15,
    Mark = 16,
    RuntimeStopped = 17,
    ResourceCreated = 18,
    ResourceLimits = 19,
    ResourceDropped = 20,
    ChannelSend = 21,
    ChannelRecv = 22,
    ChannelClosed = 23,
    LockWaiting = 24,
    LockAcquired = 25,
    LockReleased = 26,
    TimerCancelled = 33,
}

pub mod poll_result {
    pub const PENDING: u16 = 0;
    pub const READY: u16 = 1;
    pub const PANICKED: u16 = 2;
}
pub mod outcome {
    pub const OK: u16 = 0;
    pub const PANICKED: u16 = 1;
    pub const CANCELLED: u16 = 2;
}
pub mod resource_kind {
    pub const ONESHOT: u16 = 3;
    pub const MUTEX: u16 = 6;
    pub const SEMAPHORE: u16 = 7;
}
/// A channel_send's, channel_recv's and channel_closed's flags (`SendResult`, `RecvResult`,
/// `CloseReason`).
pub mod channel {
    pub const SENT: u16 = 0;
    pub const RECEIVED: u16 = 0;
    pub const EMPTY: u16 = 1;
    pub const CLOSED: u16 = 2;
    pub const SENDERS_DROPPED: u16 = 1;
    pub const RECEIVER_DROPPED: u16 = 2;
}
pub mod wake {
    /// WakeSource::task: woken from inside a task's poll (or just after it, as a finishing task wakes
    /// the one awaiting its JoinHandle).
    pub const FROM_TASK: u16 = 0;
    /// WakeSource::runtime: from the runtime itself (its timer or I/O driver, outside any task).
    pub const FROM_RUNTIME: u16 = 5;
    pub const SELF: u16 = 1 << 8;
    pub const BY_REF: u16 = 1 << 9;
}

#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub time_ns: u64,
    pub kind: Kind,
    pub worker: u8,
    pub flags: u16,
    pub task: u32,
    pub a: u32,
    pub b: u32,
}

pub struct Location {
    pub file: u32,
    pub function: u32,
    pub line: u32,
    pub column: u32,
}

pub struct Site {
    pub name: u32,
    pub location: u32,
}

/// The tables a trace's events point into. Index 0 of each is the implicit "none" entry: only the
/// entries from 1 on are kept and written.
#[derive(Default)]
pub struct Tables {
    pub strings: Vec<String>,
    pub locations: Vec<Location>,
    pub sites: Vec<Site>,
    string_ids: std::collections::HashMap<String, u32>,
    site_ids: std::collections::HashMap<(u32, u32, u32, u32), u32>, // (name, file, line, column)
}

impl Tables {
    /// The id of a string, added on first use; the empty string is 0 (none).
    pub fn string(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        self.strings.push(s.to_owned());
        let id = self.strings.len() as u32;
        self.string_ids.insert(s.to_owned(), id);
        id
    }
    /// The site of a spawn: one entry (and one location) per name and place, however many tasks
    /// were spawned there.
    pub fn site_at(&mut self, name: &str, file: &str, line: u32, column: u32) -> u32 {
        let key = (self.string(name), self.string(file), line, column);
        if let Some(&id) = self.site_ids.get(&key) {
            return id;
        }
        let location = if key.1 == 0 {
            0
        } else {
            let file = self.string(&source_path(file));
            self.locations.push(Location { file, function: 0, line, column });
            self.locations.len() as u32
        };
        self.sites.push(Site { name: key.0, location });
        let id = self.sites.len() as u32;
        self.site_ids.insert(key, id);
        id
    }
}

/// A source path as the visualizer's Code window can open it. Tokio reports a spawn's file relative
/// to the package that spawned (`examples/joinset_fetch.rs`), and `cargo run` runs in that package's
/// folder: a relative path naming a file there is made absolute. Anything else is kept as given (the
/// timeline shows the last two parts of the path either way).
fn source_path(file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_relative() {
        if let Ok(dir) = std::env::current_dir() {
            let full = dir.join(path);
            if full.is_file() {
                return full.to_string_lossy().into_owned();
            }
        }
    }
    file.to_owned()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &c in bytes {
        h ^= c as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The bytes of an `.altrace` file.
pub fn to_bytes(tables: &Tables, events: &[Event]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + events.len() * 24);
    out.extend_from_slice(b"ALTRACE\0");
    out.extend_from_slice(&1u32.to_le_bytes()); // version
    out.extend_from_slice(&0u32.to_le_bytes()); // flags (reserved)
    out.extend_from_slice(&(tables.strings.len() as u64).to_le_bytes());
    for s in &tables.strings {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&(tables.locations.len() as u64).to_le_bytes());
    for l in &tables.locations {
        for v in [l.file, l.function, l.line, l.column] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.extend_from_slice(&(tables.sites.len() as u64).to_le_bytes());
    for s in &tables.sites {
        out.extend_from_slice(&s.name.to_le_bytes());
        out.extend_from_slice(&s.location.to_le_bytes());
    }
    out.extend_from_slice(&(events.len() as u64).to_le_bytes());
    for e in events {
        out.extend_from_slice(&e.time_ns.to_le_bytes());
        out.push(e.kind as u8);
        out.push(e.worker);
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&e.task.to_le_bytes());
        out.extend_from_slice(&e.a.to_le_bytes());
        out.extend_from_slice(&e.b.to_le_bytes());
    }
    let hash = fnv1a(&out);
    out.extend_from_slice(&hash.to_le_bytes());
    out
}
