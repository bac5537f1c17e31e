//! A Tokio program whose instrumentation reports no task: its only work is the block_on future of
//! `#[tokio::main]`, which Tokio does not instrument (a program built without
//! `--cfg tokio_unstable` looks the same). The recorder says so and writes no file.
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "no_tasks.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    tokio::time::sleep(Duration::from_millis(1)).await;
    println!("done, without a spawned task");
}
