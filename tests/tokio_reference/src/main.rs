//! The scenarios of tests/runtime/tokio_order_test.cpp, on Tokio itself (current_thread, paused
//! time). Each line is "<scenario>: <what happened>"; orders.log is this program's output, and the
//! C++ test prints the same lines from asynclab and compares them one by one.
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch, Notify, Semaphore};
use tokio::time::{interval, sleep, Instant, MissedTickBehavior};

type Log = Arc<Mutex<Vec<String>>>;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap()
}

fn say(log: &Log, scenario: &str, what: String) {
    log.lock().unwrap().push(format!("{scenario}: {what}"));
}

fn main() {
    let log: Log = Arc::new(Mutex::new(Vec::new()));

    // block_on's future is polled once the run queue has drained.
    let l = log.clone();
    rt().block_on(async move {
        let (tx, rx) = oneshot::channel::<i32>();
        let l2 = l.clone();
        tokio::spawn(async move {
            let _ = tx.send(1);
            let l3 = l2.clone();
            tokio::spawn(async move { say(&l3, "block_on", "spawned after main's wake ran".into()) });
            say(&l2, "block_on", "sender done".into());
        });
        let _ = rx.await;
        say(&l, "block_on", "main resumed".into());
    });

    // yield_now's wake waits until the run queue is empty.
    let l = log.clone();
    rt().block_on(async move {
        let bell = Arc::new(Notify::new());
        let (b1, l1) = (bell.clone(), l.clone());
        let w = tokio::spawn(async move {
            b1.notified().await;
            say(&l1, "yield_now", "waiter woke".into());
        });
        let l2 = l.clone();
        let y = tokio::spawn(async move {
            say(&l2, "yield_now", "yielder yields".into());
            tokio::task::yield_now().await;
            say(&l2, "yield_now", "yielder back".into());
        });
        let (b3, l3) = (bell.clone(), l.clone());
        let r = tokio::spawn(async move {
            b3.notify_one();
            say(&l3, "yield_now", "ringer rang".into());
        });
        let _ = w.await;
        let _ = y.await;
        let _ = r.await;
    });

    // Who is woken first when several wait: notify_waiters, a watch's send, add_permits, close.
    for which in ["notify_waiters", "watch send", "add_permits", "semaphore close"] {
        let l = log.clone();
        rt().block_on(async move {
            let n = Arc::new(Notify::new());
            let s = Arc::new(Semaphore::new(0));
            let (tx, rx) = watch::channel(0);
            let mut handles = vec![];
            for i in 0..3 {
                let (n, s, mut rx, l) = (n.clone(), s.clone(), rx.clone(), l.clone());
                handles.push(tokio::spawn(async move {
                    match which {
                        "notify_waiters" => n.notified().await,
                        "watch send" => rx.changed().await.unwrap(),
                        "add_permits" => s.acquire().await.unwrap().forget(),
                        _ => assert!(s.acquire().await.is_err()),
                    }
                    say(&l, which, format!("waiter {i} ran"));
                }));
            }
            drop(rx);
            sleep(Duration::from_millis(1)).await;
            match which {
                "notify_waiters" => n.notify_waiters(),
                "watch send" => tx.send(1).unwrap(),
                "add_permits" => s.add_permits(3),
                _ => s.close(),
            }
            for h in handles {
                h.await.unwrap();
            }
        });
    }

    // Timers fire on whole milliseconds, in the order they were made.
    let l = log.clone();
    rt().block_on(async move {
        let start = Instant::now();
        let (la, lb) = (l.clone(), l.clone());
        let a = tokio::spawn(async move {
            sleep(Duration::from_micros(1500)).await;
            say(&la, "timers", format!("1.5 ms sleep done at {} us", start.elapsed().as_micros()));
        });
        let b = tokio::spawn(async move {
            sleep(Duration::from_micros(1200)).await;
            say(&lb, "timers", format!("1.2 ms sleep done at {} us", start.elapsed().as_micros()));
        });
        a.await.unwrap();
        b.await.unwrap();
    });

    // An interval of 10 ms whose task is 25 ms late after its first tick, for each behaviour.
    for (name, behavior) in [
        ("Burst", MissedTickBehavior::Burst),
        ("Delay", MissedTickBehavior::Delay),
        ("Skip", MissedTickBehavior::Skip),
    ] {
        let l = log.clone();
        rt().block_on(async move {
            let start = Instant::now();
            let mut ticks = interval(Duration::from_millis(10));
            ticks.set_missed_tick_behavior(behavior);
            for i in 0..5 {
                let due = ticks.tick().await;
                say(&l, name, format!("the {} ms tick at {} ms", (due - start).as_millis(), start.elapsed().as_millis()));
                if i == 0 {
                    tokio::time::advance(Duration::from_millis(25)).await;
                }
            }
        });
    }

    // select! with patterns and else: two channels read until both have closed.
    let l = log.clone();
    rt().block_on(async move {
        let start = Instant::now();
        let ms = move || start.elapsed().as_millis();
        let (tx1, mut rx1) = mpsc::channel::<i32>(4);
        let (tx2, mut rx2) = mpsc::channel::<i32>(4);
        tokio::spawn(async move {
            sleep(Duration::from_millis(1)).await;
            tx1.send(1).await.unwrap();
            sleep(Duration::from_millis(2)).await;
            tx1.send(3).await.unwrap();
        });
        tokio::spawn(async move {
            sleep(Duration::from_millis(2)).await;
            tx2.send(2).await.unwrap();
            sleep(Duration::from_millis(2)).await;
        });
        loop {
            tokio::select! {
                Some(v) = rx1.recv() => say(&l, "select patterns", format!("first channel gave {v} at {} ms", ms())),
                Some(v) = rx2.recv() => say(&l, "select patterns", format!("second channel gave {v} at {} ms", ms())),
                else => { say(&l, "select patterns", format!("else: both closed at {} ms", ms())); break; }
            }
        }
    });

    // A branch whose pattern fails is disabled; the others race on.
    let l = log.clone();
    rt().block_on(async move {
        let start = Instant::now();
        let (tx, mut rx) = mpsc::channel::<i32>(1);
        tokio::spawn(async move {
            sleep(Duration::from_millis(5)).await;
            drop(tx);
        });
        tokio::select! {
            Some(v) = rx.recv() => say(&l, "select disabled", format!("got {v}")),
            _ = sleep(Duration::from_millis(10)) => say(&l, "select disabled", format!("the sleep won at {} ms", start.elapsed().as_millis())),
        }
        let (otx, orx) = oneshot::channel::<i32>();
        drop(otx);
        tokio::select! {
            Ok(v) = orx => say(&l, "select disabled", format!("got {v}")),
            _ = sleep(Duration::from_millis(10)) => say(&l, "select disabled", format!("Ok(v) refused the error; the sleep won at {} ms", start.elapsed().as_millis())),
        }
    });

    // &mut sleep keeps its deadline across iterations; `if !sleep.is_elapsed()` disables it once fired.
    let l = log.clone();
    rt().block_on(async move {
        let start = Instant::now();
        let deadline = sleep(Duration::from_millis(25));
        tokio::pin!(deadline);
        let mut ticks = interval(Duration::from_millis(10));
        let mut n = 0;
        while n < 5 {
            tokio::select! {
                _ = &mut deadline, if !deadline.is_elapsed() => say(&l, "select borrow", format!("deadline at {} ms", start.elapsed().as_millis())),
                _ = ticks.tick() => { n += 1; say(&l, "select borrow", format!("tick at {} ms", start.elapsed().as_millis())); }
            }
        }
    });

    // Every precondition false: else at once; without else, a panic.
    let l = log.clone();
    rt().block_on(async move {
        let start = Instant::now();
        let off = false;
        tokio::select! {
            _ = sleep(Duration::from_millis(1)), if off => say(&l, "select else", "the sleep ran".into()),
            else => say(&l, "select else", format!("else ran at {} ms", start.elapsed().as_millis())),
        }
        let handle = tokio::spawn(async move {
            tokio::select! {
                _ = sleep(Duration::from_millis(1)), if off => {},
            }
        });
        let e = handle.await.unwrap_err();
        let message = e.into_panic();
        let text = message.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| message.downcast_ref::<String>().cloned()).unwrap_or_default();
        say(&l, "select else", format!("without else: panicked: {text}"));
    });

    for line in log.lock().unwrap().iter() {
        println!("{line}");
    }
}
