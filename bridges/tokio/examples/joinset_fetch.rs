//! The seeds' JoinSet fetcher (seed B, "JoinSet and a concurrency limit"): five pages fetched
//! concurrently, at most two at a time (a Semaphore), from a small HTTP server on the loopback
//! interface instead of the internet, on the multi-threaded runtime (two workers).
//!
//!     RUSTFLAGS="--cfg tokio_unstable" cargo run --release --offline --example joinset_fetch -- joinset_fetch.altrace
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Answers each request after a delay its path names ("/page/30" waits 30 ms).
async fn serve(listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => return,
        };
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            if reader.read_line(&mut request).await.is_err() {
                return;
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let ms: u64 = path.rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(10);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let body = format!("page {path}");
            let answer = format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
            let _ = reader.get_mut().write_all(answer.as_bytes()).await;
        });
    }
}

async fn fetch(addr: std::net::SocketAddr, path: String) -> std::io::Result<usize> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(response.len())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "joinset_fetch.altrace".to_owned());
    let _recording = asynclab_tokio::record(&path);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener));

    let limit = Arc::new(Semaphore::new(2));
    let mut set = JoinSet::new();
    for ms in [40, 10, 30, 20, 10] {
        let limit = limit.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.unwrap();
            fetch(addr, format!("/page/{ms}")).await
        });
    }
    let mut fetched = 0;
    while let Some(res) = set.join_next().await {
        match res {
            Ok(Ok(bytes)) => {
                fetched += 1;
                println!("fetched {bytes} bytes");
            }
            Ok(Err(e)) => println!("a fetch failed: {e}"),
            Err(e) => println!("a task failed: {e}"),
        }
    }
    println!("{fetched} of 5 pages fetched, at most 2 at a time");
}
