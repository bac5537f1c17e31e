//! Replies over tokio::sync::oneshot (lesson 12's one value, one time, on real Tokio): an asker waits
//! for a worker's reply and gets it; a second asker waits for a worker that gives up, dropping its
//! sender unsent, and hears that no reply will come; a third worker's asker has gone before the reply
//! is ready, so the reply cannot be delivered; and a value sent before close() is still read.
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::sleep;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "oneshot_reply.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);

    let (reply_tx, reply_rx) = oneshot::channel::<u32>();
    let worker = tokio::spawn(async move {
        sleep(Duration::from_millis(10)).await;
        let _ = reply_tx.send(42);
    });
    let asker = tokio::spawn(async move {
        match reply_rx.await {
            Ok(v) => println!("asker: the reply is {v}"),
            Err(_) => println!("asker: no reply"),
        }
    });

    let (gone_tx, gone_rx) = oneshot::channel::<u32>();
    let quitter = tokio::spawn(async move {
        sleep(Duration::from_millis(5)).await;
        drop(gone_tx); // gives up without replying
    });
    let waiter = tokio::spawn(async move {
        match gone_rx.await {
            Ok(v) => println!("waiter: the reply is {v}"),
            Err(_) => println!("waiter: the sender was dropped, no reply will come"),
        }
    });

    let (late_tx, late_rx) = oneshot::channel::<u32>();
    let impatient = tokio::spawn(async move {
        drop(late_rx); // stops waiting before the reply is ready
    });
    let late = tokio::spawn(async move {
        sleep(Duration::from_millis(5)).await;
        if late_tx.send(7).is_err() {
            println!("late: nobody is listening any more");
        }
    });

    // Tokio's documented pattern: close() stops further sends but keeps a value already sent readable.
    let closer = tokio::spawn(async move {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let _ = tx.send(5);
        rx.close();
        if let Ok(v) = rx.try_recv() {
            println!("closer: still read {v} after close()");
        }
    });

    let _ = tokio::join!(worker, asker, quitter, waiter, impatient, late, closer);
}
