//! The scenarios of tests/runtime/tokio_order_test.cpp, on Tokio itself (current_thread, paused
//! time). Each line is "<scenario>: <what happened>"; orders.log is this program's output, and the
//! C++ test prints the same lines from asynclab and compares them one by one.
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch, Notify, Semaphore};
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

    for line in log.lock().unwrap().iter() {
        println!("{line}");
    }
}
