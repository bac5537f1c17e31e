//! Seed B's cancellation: a task that would sleep 10 s, aborted while it waits (lesson 10's third
//! scene). Its one poll answered Pending; the abort drops it unfinished: cancelled, nothing lost.
use std::time::Duration;
use tokio::time::sleep;

async fn my_task() {
    sleep(Duration::from_secs(10)).await; // a long-running operation
    println!("Task completed");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "abort_idle.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    let task = tokio::spawn(my_task());
    sleep(Duration::from_millis(20)).await;
    task.abort();
    let outcome = task.await;
    println!("awaiting the aborted task: cancelled = {}", outcome.map_or_else(|e| e.is_cancelled(), |_| false));
}
