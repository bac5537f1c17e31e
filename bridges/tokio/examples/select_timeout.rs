//! The seeds' timeout wrapper (seed C, "select! and timeouts"): a slow operation raced against a
//! sleep in `tokio::select!`. The sleep wins at 100 ms and the operation's future is dropped
//! mid-flight. Spawned as a task, so that Tokio's instrumentation sees it.
//!
//!     RUSTFLAGS="--cfg tokio_unstable" cargo run --release --offline --example select_timeout -- select_timeout.altrace
use std::time::Duration;
use tokio::time::sleep;

async fn slow_operation() -> &'static str {
    sleep(Duration::from_millis(300)).await;
    "the slow answer"
}

async fn with_timeout() -> Option<&'static str> {
    tokio::select! {
        v = slow_operation() => Some(v),
        _ = sleep(Duration::from_millis(100)) => None,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "select_timeout.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    match tokio::spawn(with_timeout()).await.unwrap() {
        Some(v) => println!("finished in time: {v}"),
        None => println!("timed out after 100 ms"),
    }
}
