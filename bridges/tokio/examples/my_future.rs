//! The seeds' `MyFuture` (seed A, "Understanding Futures"): a future that is Pending three times,
//! waking itself each time, and Ready on its fourth poll. Spawned as a task, so that Tokio's
//! instrumentation sees it: the block_on future of `#[tokio::main]` is not a task.
//!
//!     RUSTFLAGS="--cfg tokio_unstable" cargo run --release --offline --example my_future -- my_future.altrace
//!     asynclab gui --trace my_future.altrace
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

struct MyFuture {
    count: u32,
}

impl Future for MyFuture {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.count += 1;
        if self.count > 3 {
            Poll::Ready(self.count)
        } else {
            cx.waker().wake_by_ref(); // wake up the executor later
            Poll::Pending
        }
    }
}

async fn my_async_function() -> u32 {
    println!("Starting async function");
    let result = MyFuture { count: 0 }.await;
    println!("Async function completed");
    result
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "my_future.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    let result = tokio::spawn(my_async_function()).await.unwrap();
    println!("Result: {}", result);
}
