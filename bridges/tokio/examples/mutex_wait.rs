//! Shared state behind a tokio::sync::Mutex (lesson 15's lock, on real Tokio): two tasks take the
//! same lock and hold it across an await, so the second waits until the first's guard is dropped.
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::sleep;

async fn cook(name: &'static str, board: Arc<Mutex<Vec<&'static str>>>) {
    let mut dishes = board.lock().await;
    sleep(Duration::from_millis(20)).await; // holds the board while it cooks
    dishes.push(name);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "mutex_wait.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    let board = Arc::new(Mutex::new(Vec::new()));
    let first = tokio::spawn(cook("soup", board.clone()));
    let second = tokio::spawn(cook("bread", board.clone()));
    let _ = first.await;
    let _ = second.await;
    println!("cooked, one at a time: {:?}", board.lock().await);
}
