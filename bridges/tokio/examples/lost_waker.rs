//! A hand-written future that answers Pending without keeping the waker: nothing will ever wake its
//! task again (seed A's warning about Poll::Pending). main gives up on it after 100 ms. The recording
//! shows the task parked for good and the lost-waker lint on its poll.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

struct Forgetful;

impl Future for Forgetful {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending // the waker in _cx is neither kept nor woken
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "lost_waker.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    let task = tokio::spawn(Forgetful);
    match tokio::time::timeout(Duration::from_millis(100), task).await {
        Ok(_) => println!("it finished (it should not have)"),
        Err(_) => println!("gave up after 100 ms: nothing ever woke the task"),
    }
}
