#pragma once
// TCP over the reactor — `tokio::net::{TcpListener, TcpStream}` with `AsyncReadExt::read` and
// `AsyncWriteExt::{write, write_all, shutdown}`, IPv4 only (made for loopback demos and tests).
//
// Rules:
// * Real time only. A real socket cannot wait in virtual time (the virtual clock would jump past a
//   reply that is still on its way), so bind and connect polled on a virtual-time runtime — or outside
//   any runtime — throw std::logic_error saying so; inside a task that is the task's panic. The
//   simulated world (sim::http) is what virtual-time scenarios use instead.
// * Errors are values, like Rust's io::Result: every operation gives std::expected<T, std::error_code>
//   (connection refused, address in use, ...). Only misuse throws.
// * A socket belongs to the runtime it was made on: it registers with that runtime's reactor once
//   (edge-triggered), and its futures must be polled there. A socket that outlives its runtime may
//   still be dropped (it just closes its fd).
// * The futures are lazy and borrow: `stream.read(buf)` holds the stream and the buffer, which must
//   outlive it, as `&mut` does in Rust. Each future tries its system call when polled and, only if it
//   would block, parks the task's waker with the reactor (Pending). The wake is recorded with source
//   `io`. One reader and one writer may wait on a socket at a time (Rust's &mut enforces that; here
//   it is the caller's duty). A future dropped while parked takes its waker back, so a cancelled read
//   (select, timeout) leaves nothing behind.
// * Writes never raise SIGPIPE: writing to a closed peer gives an error value (broken pipe).
// * `shutdown()` closes the write half at once (a TCP shutdown does not block), so it is a plain call
//   rather than a future; the peer's reads then see end of stream (0 bytes).
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "asynclab/coop.hpp"
#include "asynclab/detail/reactor.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/waker.hpp"

namespace asynclab::detail {
class Scheduler;
}

namespace asynclab::net {

template <class T>
using IoResult = std::expected<T, std::error_code>;

// An IPv4 address and port (Rust's SocketAddrV4). `parse("127.0.0.1:8080")`.
struct SocketAddr {
  std::uint32_t ip = 0;  // host byte order: 127.0.0.1 is 0x7f000001
  std::uint16_t port = 0;

  static SocketAddr localhost(std::uint16_t port) { return SocketAddr{0x7f000001u, port}; }
  // "a.b.c.d:port" or "localhost:port"; anything else is std::errc::invalid_argument.
  static IoResult<SocketAddr> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const SocketAddr&, const SocketAddr&) = default;
};

namespace detail {

// The reactor of the runtime running on this thread, or std::logic_error naming `what` if there is
// none or it runs in virtual time.
asynclab::detail::Reactor& real_time_reactor(const char* what);
bool would_block(const std::error_code& ec);

// An open, non-blocking socket registered with a reactor: the part TcpListener and TcpStream share.
class Socket {
 public:
  Socket() = default;
  // Takes ownership of a non-blocking fd and registers it with the current runtime's reactor.
  static IoResult<Socket> adopt(int fd, const char* what);
  Socket(Socket&& other) noexcept { *this = std::move(other); }
  Socket& operator=(Socket&& other) noexcept;
  ~Socket() { close(); }

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  // Throws std::logic_error if closed, or polled on another runtime than the one it belongs to.
  void check(const char* what) const;
  // The readiness tick to read before a system call (see detail/reactor.hpp), and park with it:
  // false when readiness arrived since, and the call should be tried again.
  std::uint32_t tick(asynclab::detail::Interest i) const { return source_->tick(i); }
  bool park(asynclab::detail::Interest i, const Waker& waker, std::uint32_t tick) {
    return source_->park(i, waker, tick);
  }
  // Takes back a parked waker (a future dropped while waiting); safe after the runtime is gone.
  void unpark(asynclab::detail::Interest i) noexcept;
  void close() noexcept;

 private:
  int fd_ = -1;
  std::unique_ptr<asynclab::detail::IoSource> source_;
  asynclab::detail::Scheduler* scheduler_ = nullptr;
  std::uint64_t serial_ = 0;
};

// The system calls, out of line (no system headers here). Each gives would_block as an error value.
IoResult<int> listen_on(const SocketAddr& addr);  // a non-blocking listening fd
IoResult<int> accept_on(int fd, SocketAddr& peer);
IoResult<int> start_connect(const SocketAddr& addr, bool& in_progress);
IoResult<void> finish_connect(int fd);  // would_block while still connecting
IoResult<std::size_t> recv_some(int fd, std::span<char> buf);
IoResult<std::size_t> send_some(int fd, std::span<const char> data);
IoResult<SocketAddr> local_address(int fd);
IoResult<SocketAddr> peer_address(int fd);
IoResult<void> shutdown_write(int fd);
void close_fd(int fd) noexcept;

// Parks `interest` when it answered Pending and takes the waker back if dropped before Ready.
class ParkGuard {
 public:
  ParkGuard(Socket* s, asynclab::detail::Interest i) : socket_(s), interest_(i) {}
  ParkGuard(ParkGuard&& other) noexcept
      : socket_(std::exchange(other.socket_, nullptr)), interest_(other.interest_), parked_(other.parked_) {}
  ParkGuard& operator=(ParkGuard&&) = delete;
  ~ParkGuard() {
    if (parked_ && socket_) socket_->unpark(interest_);
  }
  // Before each attempt: the readiness tick park() compares against.
  void attempt() { tick_ = socket_->tick(interest_); }
  // After an attempt that would block: false when readiness arrived meanwhile (attempt again).
  [[nodiscard]] bool park(const Waker& w) {
    if (!socket_->park(interest_, w, tick_)) return false;
    parked_ = true;
    return true;
  }
  void done() {
    if (parked_) socket_->unpark(interest_);
    parked_ = false;
  }
  Socket* socket() const { return socket_; }

 private:
  Socket* socket_;
  asynclab::detail::Interest interest_;
  bool parked_ = false;
  std::uint32_t tick_ = 0;
};

}  // namespace detail

class TcpStream;

// `stream.read(buf)`: the bytes received (0: the peer closed its write half).
class [[nodiscard("futures are lazy: a read does nothing until it is awaited")]] ReadFuture {
 public:
  using Output = IoResult<std::size_t>;
  ReadFuture(detail::Socket* s, std::span<char> buf) : guard_(s, asynclab::detail::Interest::read), buf_(buf) {}
  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    guard_.socket()->check("TcpStream::read");
    for (;;) {
      guard_.attempt();
      auto r = detail::recv_some(guard_.socket()->fd(), buf_);
      if (!r && detail::would_block(r.error())) {
        if (guard_.park(cx.waker())) return Poll<Output>::pending();
        continue;  // readiness came in between: try again
      }
      guard_.done();
      return Poll<Output>::ready(std::move(r));
    }
  }

 private:
  detail::ParkGuard guard_;
  std::span<char> buf_;
};

// `stream.write(data)`: how many bytes the kernel took (at least one, unless data is empty).
class [[nodiscard("futures are lazy: a write does nothing until it is awaited")]] WriteFuture {
 public:
  using Output = IoResult<std::size_t>;
  WriteFuture(detail::Socket* s, std::span<const char> data) : guard_(s, asynclab::detail::Interest::write), data_(data) {}
  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    guard_.socket()->check("TcpStream::write");
    for (;;) {
      guard_.attempt();
      auto r = detail::send_some(guard_.socket()->fd(), data_);
      if (!r && detail::would_block(r.error())) {
        if (guard_.park(cx.waker())) return Poll<Output>::pending();
        continue;  // readiness came in between: try again
      }
      guard_.done();
      return Poll<Output>::ready(std::move(r));
    }
  }

 private:
  detail::ParkGuard guard_;
  std::span<const char> data_;
};

// `stream.write_all(data)`: ready once every byte is written, or at the first error.
class [[nodiscard("futures are lazy: a write does nothing until it is awaited")]] WriteAllFuture {
 public:
  using Output = IoResult<void>;
  WriteAllFuture(detail::Socket* s, std::string_view data) : guard_(s, asynclab::detail::Interest::write), data_(data) {}
  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    guard_.socket()->check("TcpStream::write_all");
    while (written_ < data_.size()) {
      guard_.attempt();
      auto r = detail::send_some(guard_.socket()->fd(), std::span<const char>(data_.data() + written_, data_.size() - written_));
      if (!r) {
        if (detail::would_block(r.error())) {
          if (guard_.park(cx.waker())) return Poll<Output>::pending();
          continue;  // readiness came in between: try again
        }
        guard_.done();
        return Poll<Output>::ready(std::unexpected(r.error()));
      }
      written_ += *r;
    }
    guard_.done();
    return Poll<Output>::ready({});
  }

 private:
  detail::ParkGuard guard_;
  std::string_view data_;
  std::size_t written_ = 0;
};

class [[nodiscard("futures are lazy: connect does nothing until it is awaited")]] ConnectFuture;

class TcpStream {
 public:
  TcpStream() = default;
  // `TcpStream::connect(addr).await`.
  static ConnectFuture connect(SocketAddr addr);
  // Wraps a connected non-blocking fd (accept uses it).
  static IoResult<TcpStream> from_fd(int fd);

  ReadFuture read(std::span<char> buf) { return ReadFuture(&socket_, buf); }
  WriteFuture write(std::span<const char> data) { return WriteFuture(&socket_, data); }
  WriteAllFuture write_all(std::string_view data) { return WriteAllFuture(&socket_, data); }
  // Closes the write half: the peer reads end of stream. Reads on this side go on working.
  IoResult<void> shutdown() { return detail::shutdown_write(socket_.fd()); }

  IoResult<SocketAddr> local_addr() const { return detail::local_address(socket_.fd()); }
  IoResult<SocketAddr> peer_addr() const { return detail::peer_address(socket_.fd()); }
  bool is_open() const { return socket_.is_open(); }

 private:
  friend class ConnectFuture;
  detail::Socket socket_;
};

class ConnectFuture {
 public:
  using Output = IoResult<TcpStream>;
  explicit ConnectFuture(SocketAddr addr) : addr_(addr) {}
  ConnectFuture(ConnectFuture&&) noexcept = default;
  ~ConnectFuture() {
    if (parked_) socket_.unpark(asynclab::detail::Interest::write);
  }
  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx);

 private:
  SocketAddr addr_;
  detail::Socket socket_;  // once the connection has started
  bool parked_ = false;
};

inline ConnectFuture TcpStream::connect(SocketAddr addr) { return ConnectFuture(addr); }

class AcceptFuture;
class BindFuture;

class TcpListener {
 public:
  TcpListener() = default;
  // `TcpListener::bind(addr).await`: port 0 picks a free (ephemeral) port; see local_addr().
  static BindFuture bind(SocketAddr addr);
  // `listener.accept().await`: the next connection and its peer's address.
  AcceptFuture accept();
  IoResult<SocketAddr> local_addr() const { return detail::local_address(socket_.fd()); }
  bool is_open() const { return socket_.is_open(); }

 private:
  friend class AcceptFuture;
  friend class BindFuture;
  detail::Socket socket_;
};

class [[nodiscard("futures are lazy: bind does nothing until it is awaited")]] BindFuture {
 public:
  using Output = IoResult<TcpListener>;
  explicit BindFuture(SocketAddr addr) : addr_(addr) {}
  Poll<Output> poll(Context& cx);

 private:
  SocketAddr addr_;
};

class [[nodiscard("futures are lazy: accept does nothing until it is awaited")]] AcceptFuture {
 public:
  using Output = IoResult<std::pair<TcpStream, SocketAddr>>;
  explicit AcceptFuture(TcpListener* l) : guard_(&l->socket_, asynclab::detail::Interest::read) {}
  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx);

 private:
  detail::ParkGuard guard_;
};

inline BindFuture TcpListener::bind(SocketAddr addr) { return BindFuture(addr); }
inline AcceptFuture TcpListener::accept() { return AcceptFuture(this); }

}  // namespace asynclab::net
