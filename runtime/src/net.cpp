// TCP sockets over the reactor: the system calls and the futures that need more than a header line.
// See net/tcp.hpp for the rules this file keeps.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <string>

#include "asynclab/detail/scheduler.hpp"
#include "asynclab/net/tcp.hpp"

namespace asynclab::net {

namespace {

std::error_code last_error() { return std::error_code(errno, std::generic_category()); }

sockaddr_in to_sockaddr(const SocketAddr& a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(a.port);
  s.sin_addr.s_addr = htonl(a.ip);
  return s;
}

SocketAddr from_sockaddr(const sockaddr_in& s) { return SocketAddr{ntohl(s.sin_addr.s_addr), ntohs(s.sin_port)}; }

}  // namespace

IoResult<SocketAddr> SocketAddr::parse(std::string_view text) {
  const auto bad = std::unexpected(std::make_error_code(std::errc::invalid_argument));
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad;
  std::string_view host = text.substr(0, colon), port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 || port_text.empty()) return bad;
  if (host == "localhost") return localhost(static_cast<std::uint16_t>(port));
  in_addr addr{};
  if (::inet_pton(AF_INET, std::string(host).c_str(), &addr) != 1) return bad;
  return SocketAddr{ntohl(addr.s_addr), static_cast<std::uint16_t>(port)};
}

std::string SocketAddr::to_string() const {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." + std::to_string((ip >> 8) & 0xff) +
         "." + std::to_string(ip & 0xff) + ":" + std::to_string(port);
}

namespace detail {

asynclab::detail::Reactor& real_time_reactor(const char* what) {
  auto* s = asynclab::detail::Scheduler::current();
  if (!s)
    throw std::logic_error(std::string("asynclab::net: ") + what +
                           " must be awaited inside an asynclab runtime (block_on or a spawned task)");
  if (!s->reactor())
    throw std::logic_error(std::string("asynclab::net: ") + what +
                           " needs a real-time runtime, and this one runs in virtual time: the virtual clock "
                           "would jump past a reply still on its way, so real sockets and virtual time do not mix. "
                           "Build the runtime without .virtual_time(), or use sim::http in virtual time.");
  return *s->reactor();
}

bool would_block(const std::error_code& ec) {
  return ec.category() == std::generic_category() && (ec.value() == EAGAIN || ec.value() == EWOULDBLOCK);
}

IoResult<Socket> Socket::adopt(int fd, const char* what) {
  auto& reactor = real_time_reactor(what);
  Socket s;
  s.fd_ = fd;
  s.source_ = std::make_unique<asynclab::detail::IoSource>();
  s.source_->fd = fd;
  try {
    reactor.add(s.source_.get());
  } catch (const std::system_error& e) {
    s.source_.reset();
    close_fd(std::exchange(s.fd_, -1));
    return std::unexpected(e.code());
  }
  s.scheduler_ = asynclab::detail::Scheduler::current();
  s.serial_ = s.scheduler_->serial();
  return s;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    source_ = std::move(other.source_);
    scheduler_ = std::exchange(other.scheduler_, nullptr);
    serial_ = other.serial_;
  }
  return *this;
}

void Socket::check(const char* what) const {
  if (fd_ < 0) throw std::logic_error(std::string("asynclab::net: ") + what + " on a closed or moved-from socket");
  if (asynclab::detail::Scheduler::current() != scheduler_)
    throw std::logic_error(std::string("asynclab::net: ") + what +
                           " polled on another runtime than the one the socket was made on");
}

void Socket::unpark(asynclab::detail::Interest i) noexcept {
  if (!source_ || !source_->reactor) return;
  if (asynclab::detail::Scheduler::is_alive(scheduler_, serial_)) source_->unpark(i);
}

void Socket::close() noexcept {
  if (fd_ < 0) return;
  if (source_) {
    if (source_->reactor && asynclab::detail::Scheduler::is_alive(scheduler_, serial_)) {
      source_->reactor->remove(source_.get());
    } else {
      // The runtime is gone: its reactor with it. The wakers only drop their counts.
      source_->reactor = nullptr;
      source_->waiters[0].reset();
      source_->waiters[1].reset();
    }
    source_.reset();
  }
  close_fd(std::exchange(fd_, -1));
}

IoResult<int> listen_on(const SocketAddr& addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(last_error());
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa = to_sockaddr(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, SOMAXCONN) < 0) {
    auto ec = last_error();
    ::close(fd);
    return std::unexpected(ec);
  }
  return fd;
}

IoResult<int> accept_on(int fd, SocketAddr& peer) {
  for (;;) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    int c = ::accept4(fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) {
      peer = from_sockaddr(sa);
      int one = 1;
      ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return c;
    }
    // A connection that died in the queue, or a signal: take the next one.
    if (errno == EINTR || errno == ECONNABORTED) continue;
    return std::unexpected(last_error());
  }
}

IoResult<int> start_connect(const SocketAddr& addr, bool& in_progress) {
  in_progress = false;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(last_error());
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in sa = to_sockaddr(addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    if (errno == EINPROGRESS || errno == EINTR) {
      in_progress = true;
      return fd;
    }
    auto ec = last_error();
    ::close(fd);
    return std::unexpected(ec);
  }
  return fd;
}

IoResult<void> finish_connect(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return std::unexpected(last_error());
  if (err != 0) return std::unexpected(std::error_code(err, std::generic_category()));
  sockaddr_in sa{};
  socklen_t sl = sizeof sa;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &sl) < 0) {
    if (errno == ENOTCONN) return std::unexpected(std::make_error_code(std::errc::operation_would_block));
    return std::unexpected(last_error());
  }
  return {};
}

IoResult<std::size_t> recv_some(int fd, std::span<char> buf) {
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return std::unexpected(last_error());
  }
}

IoResult<std::size_t> send_some(int fd, std::span<const char> data) {
  for (;;) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return std::unexpected(last_error());
  }
}

IoResult<SocketAddr> local_address(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return std::unexpected(last_error());
  return from_sockaddr(sa);
}

IoResult<SocketAddr> peer_address(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return std::unexpected(last_error());
  return from_sockaddr(sa);
}

IoResult<void> shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) < 0) return std::unexpected(last_error());
  return {};
}

void close_fd(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

}  // namespace detail

IoResult<TcpStream> TcpStream::from_fd(int fd) {
  auto s = detail::Socket::adopt(fd, "TcpStream");
  if (!s) return std::unexpected(s.error());
  TcpStream stream;
  stream.socket_ = std::move(*s);
  return stream;
}

Poll<ConnectFuture::Output> ConnectFuture::poll_unbudgeted(Context& cx) {
  if (!socket_.is_open()) {
    detail::real_time_reactor("TcpStream::connect");  // refuses virtual time before touching the network
    bool in_progress = false;
    auto fd = detail::start_connect(addr_, in_progress);
    if (!fd) return Poll<Output>::ready(std::unexpected(fd.error()));
    auto s = detail::Socket::adopt(*fd, "TcpStream::connect");
    if (!s) return Poll<Output>::ready(std::unexpected(s.error()));
    socket_ = std::move(*s);
    if (!in_progress) {
      TcpStream stream;
      stream.socket_ = std::move(socket_);
      return Poll<Output>::ready(std::move(stream));
    }
  }
  socket_.check("TcpStream::connect");
  IoResult<void> done;
  for (;;) {
    const std::uint32_t tick = socket_.tick(asynclab::detail::Interest::write);
    done = detail::finish_connect(socket_.fd());
    if (done || !detail::would_block(done.error())) break;
    if (socket_.park(asynclab::detail::Interest::write, cx.waker(), tick)) {
      parked_ = true;
      return Poll<Output>::pending();
    }
    // Writable came in between (detail/reactor.hpp): look again.
  }
  if (parked_) socket_.unpark(asynclab::detail::Interest::write);
  parked_ = false;
  if (!done) {
    socket_.close();
    return Poll<Output>::ready(std::unexpected(done.error()));
  }
  TcpStream stream;
  stream.socket_ = std::move(socket_);
  return Poll<Output>::ready(std::move(stream));
}

Poll<BindFuture::Output> BindFuture::poll(Context&) {
  detail::real_time_reactor("TcpListener::bind");
  auto fd = detail::listen_on(addr_);
  if (!fd) return Poll<Output>::ready(std::unexpected(fd.error()));
  auto s = detail::Socket::adopt(*fd, "TcpListener::bind");
  if (!s) return Poll<Output>::ready(std::unexpected(s.error()));
  TcpListener l;
  l.socket_ = std::move(*s);
  return Poll<Output>::ready(std::move(l));
}

Poll<AcceptFuture::Output> AcceptFuture::poll_unbudgeted(Context& cx) {
  guard_.socket()->check("TcpListener::accept");
  SocketAddr peer;
  IoResult<int> fd;
  for (;;) {
    guard_.attempt();
    fd = detail::accept_on(guard_.socket()->fd(), peer);
    if (fd || !detail::would_block(fd.error())) break;
    if (guard_.park(cx.waker())) return Poll<Output>::pending();
    // A connection came in between (detail/reactor.hpp): accept again.
  }
  guard_.done();
  if (!fd) return Poll<Output>::ready(std::unexpected(fd.error()));
  auto stream = TcpStream::from_fd(*fd);
  if (!stream) return Poll<Output>::ready(std::unexpected(stream.error()));
  return Poll<Output>::ready(std::pair{std::move(*stream), peer});
}

}  // namespace asynclab::net
