// Real I/O (runtime/include/asynclab/net/, detail/reactor.hpp): TCP on 127.0.0.1 through the epoll
// reactor of the real-time runtime, and the minimal HTTP/1.1 client and server over it.
//
// Every test talks only to 127.0.0.1 on an ephemeral port (bind to port 0), and is bounded: its main
// future runs under a 10-second timeout (which never fires unless something hangs), so a bug ends
// the test with a message instead of a hang. No test sleeps to wait for something; the one real
// timer (1 ms) is the subject of the timer-and-socket test. Nothing asserts a duration.
#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace std::chrono_literals;
using namespace asynclab;
using namespace asynclab::testing;
using net::SocketAddr;
using net::TcpListener;
using net::TcpStream;

namespace {

Runtime real_runtime() { return Runtime::builder().current_thread().build(); }
Runtime worker_threads(std::uint32_t n) { return Runtime::builder().multi_thread(n).build(); }

// The threads tasks ran on. On worker threads they insert from several threads at once.
struct SeenThreads {
  std::mutex m;
  std::set<std::thread::id> ids;
  void add() {
    std::lock_guard lock(m);
    ids.insert(std::this_thread::get_id());
  }
};
Runtime real_runtime(trace::Recorder& rec) { return Runtime::builder().current_thread().trace(rec).build(); }

template <class T>
Task<T> within_10s(Task<T> inner) {
  auto limited = timeout(10s, std::move(inner));
  auto r = co_await limited;
  if (!r) throw std::runtime_error("the test's main future did not finish within 10 s: something hangs");
  co_return std::move(*r);
}

// Runs the coroutine lambda `f` on `rt` under a bound, so a hang fails the test instead of stalling
// it. `f` (and its captures) lives here until block_on returns.
template <class F>
auto bounded(Runtime& rt, F f) {
  auto task = f();
  auto guarded = within_10s(std::move(task));
  return rt.block_on(std::move(guarded));
}

template <class T>
T must(net::IoResult<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

Task<TcpListener> bind_ephemeral() {
  auto binding = TcpListener::bind(SocketAddr::localhost(0));
  auto l = co_await binding;
  co_return must(std::move(l), "bind 127.0.0.1:0");
}

// Reads until the peer shuts its write half.
Task<std::string> read_to_end(TcpStream& s) {
  std::string out;
  char buf[1024];
  for (;;) {
    auto reading = s.read(std::span<char>(buf, sizeof buf));
    auto n = co_await reading;
    if (!n) throw std::runtime_error("read: " + n.error().message());
    if (*n == 0) co_return out;
    out.append(buf, *n);
  }
}

// Serves one connection: echoes everything back, then closes its write half.
Task<void> echo_connection(TcpStream s, SeenThreads* threads) {
  if (threads) threads->add();
  auto reading = read_to_end(s);
  std::string all = co_await reading;
  auto writing = s.write_all(all);
  must(co_await writing, "echo write");
  must(s.shutdown(), "echo shutdown");
}

Task<void> echo_server(TcpListener* l, int connections, SeenThreads* threads) {
  std::vector<JoinHandle<void>> served;
  for (int i = 0; i < connections; ++i) {
    auto accepting = l->accept();
    auto c = co_await accepting;
    auto [stream, peer] = must(std::move(c), "accept");
    if (peer.ip != 0x7f000001u) throw std::runtime_error("peer is not 127.0.0.1: " + peer.to_string());
    auto conn = echo_connection(std::move(stream), threads);
    served.push_back(spawn(std::move(conn), "echo connection"));
  }
  auto joining = join_all(served);
  co_await joining;
}

Task<std::string> echo_client(SocketAddr addr, std::string message, SeenThreads* threads) {
  if (threads) threads->add();
  auto connecting = TcpStream::connect(addr);
  auto stream = must(co_await connecting, "connect");
  auto writing = stream.write_all(message);
  must(co_await writing, "client write");
  must(stream.shutdown(), "client shutdown");
  auto reading = read_to_end(stream);
  co_return co_await reading;
}

}  // namespace

TEST_CASE("net: a listener on 127.0.0.1 port 0 and a stream echo a message", "[net]") {
  auto rt = real_runtime();
  auto [port, echoed] = bounded(rt, []() -> Task<std::pair<std::uint16_t, std::string>> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;
    const SocketAddr addr = must(l.local_addr(), "local_addr");
    auto server = echo_server(&l, 1, nullptr);
    auto handle = spawn(std::move(server), "server");
    auto client = echo_client(addr, "hello, loopback", nullptr);
    std::string got = co_await client;
    auto done = co_await handle;
    if (!done) throw std::runtime_error("server: " + done.error().to_string());
    co_return std::pair{addr.port, got};
  });
  CHECK(port != 0);  // the kernel picked an ephemeral port
  CHECK(echoed == "hello, loopback");
}

// No timeout here, on purpose: with no timer armed, the idle runtime must wait in epoll_wait without
// a deadline (the path a bounded test never takes), for the socket and for the blocking pool's
// eventfd. A hang would be stopped by ctest's time limit.
// One echo over loopback, then one blocking job: what the client got back and what the job returned.
Task<std::pair<std::string, int>> echo_then_blocking_job(std::string message) {
  auto binding = bind_ephemeral();
  TcpListener l = co_await binding;
  const SocketAddr addr = must(l.local_addr(), "local_addr");
  auto server = echo_server(&l, 1, nullptr);
  auto handle = spawn(std::move(server), "server");
  auto client = echo_client(addr, std::move(message), nullptr);
  std::string got = co_await client;
  (void)co_await handle;
  auto job = spawn_blocking([] { return 7; });
  auto r = co_await job;
  co_return std::pair{got, r ? *r : -1};
}

TEST_CASE("net: with no timer armed, an idle runtime waits for sockets and blocking jobs in epoll_wait", "[net]") {
  trace::Recorder rec;
  auto rt = real_runtime(rec);
  auto both = rt.block_on(echo_then_blocking_job("no timers"));
  CHECK(both.first == "no timers");
  CHECK(both.second == 7);
  TraceQuery q(rec.trace());
  CHECK(q.count(trace::EventKind::timer_armed) == 0);
  CHECK(q.count_if([](const trace::Event& e) {
    return e.kind == trace::EventKind::wake &&
           (e.flags & trace::wake_flag::source_mask) == static_cast<std::uint16_t>(trace::WakeSource::io);
  }) >= 1);
}

// Serves n connections at once, each echoing its client's message; returns the replies in order.
std::vector<std::string> serve_many(Runtime& rt, int n, SeenThreads* threads) {
  return bounded(rt, [n, threads]() -> Task<std::vector<std::string>> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;
    const SocketAddr addr = must(l.local_addr(), "local_addr");
    auto server = echo_server(&l, n, threads);
    auto server_handle = spawn(std::move(server), "server");
    std::vector<JoinHandle<std::string>> clients;
    for (int i = 0; i < n; ++i) {
      auto c = echo_client(addr, "client " + std::to_string(i), threads);
      clients.push_back(spawn(std::move(c), "client"));
    }
    std::vector<std::string> out;
    for (auto& h : clients) {
      auto r = co_await h;
      out.push_back(r ? std::move(*r) : "failed: " + r.error().to_string());
    }
    auto done = co_await server_handle;
    if (!done) throw std::runtime_error("server: " + done.error().to_string());
    co_return out;
  });
}

TEST_CASE("net: 300 connections at once are served by tasks on one thread", "[net]") {
  constexpr int n = 300;
  auto rt = real_runtime();
  SeenThreads threads;
  auto replies = serve_many(rt, n, &threads);
  REQUIRE(replies.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) CHECK(replies[static_cast<std::size_t>(i)] == "client " + std::to_string(i));
  CHECK(threads.ids.size() == 1);
  CHECK(*threads.ids.begin() == std::this_thread::get_id());
}

// The same on worker threads: sockets made on one worker are read and written on others, one idle
// worker at a time waits in the reactor, and readiness dispatched on one worker while a future on
// another is between its EAGAIN and its park is not lost (detail/reactor.hpp). A lost wake would
// hang a connection and end the test at its 10-second bound.
TEST_CASE("net: on 2 and 4 worker threads, 300 connections at once are all served", "[net][workers]") {
  const std::uint32_t workers = GENERATE(2u, 4u);
  CAPTURE(workers);
  constexpr int n = 300;
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    auto rt = worker_threads(workers);
    SeenThreads threads;
    auto replies = serve_many(rt, n, &threads);
    REQUIRE(replies.size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) CHECK(replies[static_cast<std::size_t>(i)] == "client " + std::to_string(i));
    CHECK(threads.ids.count(std::this_thread::get_id()) == 0);  // the block_on thread only waits
  }
}

// No timeout, as in the current-thread test above: with no timer armed, the idle workers must wait
// for the socket (one of them in epoll_wait) and for the blocking pool, not report a deadlock.
TEST_CASE("net: on worker threads, an idle runtime with no timer waits in the reactor for sockets", "[net][workers]") {
  trace::Recorder rec;
  auto rt = Runtime::builder().multi_thread(2).trace(rec).build();
  auto both = rt.block_on(echo_then_blocking_job("no timers, two workers"));
  CHECK(both.first == "no timers, two workers");
  CHECK(both.second == 7);
  TraceQuery q(rec.trace());
  CHECK(q.count(trace::EventKind::timer_armed) == 0);
}

TEST_CASE("net: a read woken by the reactor records a wake with source io", "[net][trace]") {
  trace::Recorder rec;
  auto rt = real_runtime(rec);
  std::string got = bounded(rt, []() -> Task<std::string> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;
    const SocketAddr addr = must(l.local_addr(), "local_addr");
    auto channel = sync::oneshot::channel<TcpStream>();
    auto tx = std::move(channel.first);
    // The reader: takes the accepted stream and reads; nothing has been written yet, so its first
    // read parks with the reactor and answers Pending.
    auto reader = [](sync::oneshot::Receiver<TcpStream> from) -> Task<std::string> {
      auto receiving = std::move(from);
      auto s = co_await receiving;
      if (!s) throw std::runtime_error("no stream");
      auto reading = read_to_end(*s);
      co_return co_await reading;
    };
    auto reading = reader(std::move(channel.second));
    auto handle = spawn(std::move(reading), "reader");
    auto connecting = TcpStream::connect(addr);
    TcpStream client = must(co_await connecting, "connect");
    auto accepting = l.accept();
    auto accepted = must(co_await accepting, "accept");
    (void)std::move(tx).send(std::move(accepted.first));
    // Let the reader run until it waits on the socket.
    for (int i = 0; i < 4; ++i) {
      auto y = yield_now();
      co_await y;
    }
    auto writing = client.write_all("ding");
    must(co_await writing, "write");
    must(client.shutdown(), "shutdown");
    auto r = co_await handle;
    co_return r ? std::move(*r) : std::string("reader failed");
  });
  CHECK(got == "ding");
  TraceQuery q(rec.trace());
  const auto reader = q.task_named("reader");
  REQUIRE(reader != 0);
  CHECK(q.wakes_from(reader, trace::WakeSource::io) >= 1);
  // and the reader answered Pending before the bytes came (it was parked, not spinning)
  CHECK(q.count_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::poll_end && e.task == reader &&
           e.flags == static_cast<std::uint16_t>(trace::PollResult::pending);
  }) >= 1);
}

TEST_CASE("net: a timer and a socket in one run, a read cancelled by select leaves nothing parked", "[net]") {
  trace::Recorder rec;
  auto rt = real_runtime(rec);
  auto [first_winner, data] = bounded(rt, []() -> Task<std::pair<std::size_t, std::string>> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;
    const SocketAddr addr = must(l.local_addr(), "local_addr");
    auto connecting = TcpStream::connect(addr);
    TcpStream client = must(co_await connecting, "connect");
    auto accepting = l.accept();
    auto [server, peer] = must(co_await accepting, "accept");
    (void)peer;
    char buf[16];
    // Nothing is written yet: the 1 ms timer wins, and the read is dropped.
    auto racing = select(client.read(std::span<char>(buf, sizeof buf)), sleep(1ms));
    auto winner = co_await racing;
    const std::size_t first = winner.index();
    auto writing = server.write_all("late");
    must(co_await writing, "write");
    must(server.shutdown(), "shutdown");
    auto reading = read_to_end(client);
    std::string got = co_await reading;
    co_return std::pair{first, got};
  });
  CHECK(first_winner == 1);  // the sleep
  CHECK(data == "late");
  TraceQuery q(rec.trace());
  const auto main = q.task_named("main");
  CHECK(q.count_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::wake &&
           (e.flags & trace::wake_flag::source_mask) == static_cast<std::uint16_t>(trace::WakeSource::timer);
  }) >= 1);
  CHECK(q.count(trace::EventKind::timer_fired) >= 1);
  (void)main;
}

TEST_CASE("net: connecting to a closed port gives an error value, not a crash", "[net]") {
  auto rt = real_runtime();
  auto result = bounded(rt, []() -> Task<net::IoResult<TcpStream>> {
    SocketAddr addr;
    {
      auto binding = bind_ephemeral();
      TcpListener l = co_await binding;
      addr = must(l.local_addr(), "local_addr");
    }  // closed: nothing listens on that port any more
    auto connecting = TcpStream::connect(addr);
    co_return co_await connecting;
  });
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error() == std::errc::connection_refused);
}

TEST_CASE("net: sockets refuse a virtual-time runtime with a message saying why", "[net]") {
  auto rt = Runtime::builder().current_thread().virtual_time().build();
  auto binding = []() -> Task<void> {
    auto b = TcpListener::bind(SocketAddr::localhost(0));
    auto l = co_await b;
    (void)l;
  };
  CHECK_THROWS_WITH(rt.block_on(binding()), Catch::Contains("virtual time"));
  auto connecting = []() -> Task<void> {
    auto c = TcpStream::connect(SocketAddr::localhost(9));
    auto s = co_await c;
    (void)s;
  };
  CHECK_THROWS_WITH(rt.block_on(connecting()), Catch::Contains("real-time runtime"));
}

TEST_CASE("net: addresses parse and print, bad ones are errors", "[net]") {
  auto a = SocketAddr::parse("127.0.0.1:8080");
  REQUIRE(a);
  CHECK(a->ip == 0x7f000001u);
  CHECK(a->port == 8080);
  CHECK(a->to_string() == "127.0.0.1:8080");
  CHECK(SocketAddr::parse("localhost:1")->ip == 0x7f000001u);
  CHECK_FALSE(SocketAddr::parse("127.0.0.1"));
  CHECK_FALSE(SocketAddr::parse("127.0.0.1:70000"));
  CHECK_FALSE(SocketAddr::parse("example.com:80"));
}

TEST_CASE("net: a blocking job's completion still wakes a runtime idle in epoll_wait", "[net]") {
  auto rt = real_runtime();
  int v = bounded(rt, []() -> Task<int> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;  // a reactor with a registered socket, nobody waiting on it
    auto job = spawn_blocking([] { return 42; });
    auto r = co_await job;
    co_return r ? *r : -1;
  });
  CHECK(v == 42);
}

// --- HTTP --------------------------------------------------------------------------------------------

namespace {

Task<net::http::Response> hello_handler(net::http::Request req) {
  if (req.path == "/missing") co_return net::http::Response::text(404, "no such page\n");
  co_return net::http::Response::text(200, "hello from " + req.path);
}

}  // namespace

TEST_CASE("http: get against the serve helper returns status and body", "[net][http]") {
  auto rt = real_runtime();
  auto results = bounded(rt, []() -> Task<std::vector<std::string>> {
    auto binding = bind_ephemeral();
    TcpListener l = co_await binding;
    const auto port = must(l.local_addr(), "local_addr").port;
    auto serving = net::http::serve(std::move(l), &hello_handler, 3);
    auto server = spawn(std::move(serving), "http server");
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto a = net::http::get(base + "/a");
    auto b = net::http::get(base + "/b/c");
    auto c = net::http::get(base + "/missing");
    auto all = join(std::move(a), std::move(b), std::move(c));
    auto [ra, rb, rc] = co_await all;
    std::vector<std::string> out;
    for (auto* r : {&ra, &rb, &rc})
      out.push_back(*r ? std::to_string((*r)->status) + " " + (*r)->body : "error: " + r->error().message);
    auto done = co_await server;  // it stops by itself after three connections
    out.push_back(done ? "server finished" : "server: " + done.error().to_string());
    co_return out;
  });
  REQUIRE(results.size() == 4);
  CHECK(results[0] == "200 hello from /a");
  CHECK(results[1] == "200 hello from /b/c");
  CHECK(results[2] == "404 no such page\n");
  CHECK(results[3] == "server finished");
}

TEST_CASE("http: bad URLs, refused connections and malformed replies are clear errors", "[net][http]") {
  auto rt = real_runtime();
  auto errors = bounded(rt, []() -> Task<std::vector<net::http::HttpError>> {
    std::vector<net::http::HttpError> out;
    auto bad_url = net::http::get("ftp://127.0.0.1/x");
    auto r1 = co_await bad_url;
    if (!r1) out.push_back(r1.error());

    SocketAddr closed;
    {
      auto binding = bind_ephemeral();
      TcpListener l = co_await binding;
      closed = must(l.local_addr(), "local_addr");
    }
    auto refused = net::http::get("http://" + closed.to_string() + "/");
    auto r2 = co_await refused;
    if (!r2) out.push_back(r2.error());

    // A server that does not speak HTTP, then one that sends a chunked body.
    for (std::string reply : {std::string("NOT HTTP AT ALL\r\n\r\n"),
                              std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")}) {
      auto binding = bind_ephemeral();
      TcpListener l = co_await binding;
      const SocketAddr addr = must(l.local_addr(), "local_addr");
      auto liar = [](TcpListener* listener, std::string bytes) -> Task<void> {
        auto accepting = listener->accept();
        auto [s, peer] = must(co_await accepting, "accept");
        (void)peer;
        auto writing = s.write_all(bytes);
        must(co_await writing, "write");
        must(s.shutdown(), "shutdown");
        char buf[1024];
        auto draining = s.read(std::span<char>(buf, sizeof buf));
        (void)co_await draining;
      };
      auto liar_task = liar(&l, reply);
      auto h = spawn(std::move(liar_task), "liar");
      auto fetching = net::http::get("http://" + addr.to_string() + "/");
      auto r = co_await fetching;
      if (!r) out.push_back(r.error());
      (void)co_await h;
    }
    co_return out;
  });
  REQUIRE(errors.size() == 4);
  using Kind = net::http::HttpError::Kind;
  CHECK(errors[0].kind == Kind::bad_url);
  CHECK_THAT(errors[0].message, Catch::Contains("http://"));
  CHECK(errors[1].kind == Kind::io);
  CHECK(errors[1].io == std::errc::connection_refused);
  CHECK_THAT(errors[1].message, Catch::Contains("connect to 127.0.0.1:"));
  CHECK(errors[2].kind == Kind::bad_message);
  CHECK_THAT(errors[2].message, Catch::Contains("malformed status line"));
  CHECK(errors[3].kind == Kind::unsupported);
  CHECK_THAT(errors[3].message, Catch::Contains("chunked"));
}

TEST_CASE("http: URLs parse into address and path", "[net][http]") {
  auto u = net::http::Url::parse("http://127.0.0.1:8080/menu/today");
  REQUIRE(u);
  CHECK(u->addr == SocketAddr::localhost(8080));
  CHECK(u->path == "/menu/today");
  CHECK(net::http::Url::parse("http://localhost:9")->path == "/");
  CHECK(net::http::Url::parse("https://127.0.0.1:1/").error().message.find("https") != std::string::npos);
  CHECK_FALSE(net::http::Url::parse("http://example.com/"));
}
