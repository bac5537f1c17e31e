#pragma once
// A minimal HTTP/1.1 client and server over net::TcpStream — enough for the lessons' `fetch` of
// `http://127.0.0.1:PORT/path` on real sockets (reqwest's `get(url).await?.text().await?`, cut down).
//
// Rules:
// * One request per connection: the client sends `Connection: close`, the server answers with a
//   Content-Length and closes. No keep-alive, no TLS, no chunked encoding, no redirects.
// * URLs are `http://HOST:PORT/path` with HOST an IPv4 literal or `localhost` (there is no DNS).
// * Bodies are framed by Content-Length; a response without one is read to the end of the stream
//   (HTTP/1.1 allows that when the server closes). `Transfer-Encoding: chunked` is refused with a
//   clear error rather than misread.
// * Everything that can go wrong is an HttpError value saying what and where (a bad URL, an I/O error
//   with its std::error_code, a malformed message, a head over 64 KiB); nothing throws except misuse
//   (awaiting in virtual time, see tcp.hpp).
// * serve(listener, handler) accepts connections and spawns a task "http connection" per connection,
//   which reads one request, awaits handler(request) and writes its response. With max_connections
//   non-zero it stops accepting after that many and returns once they are all answered (tests and
//   demos stop by themselves); with 0 it serves until dropped (abort its JoinHandle).
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "asynclab/net/tcp.hpp"
#include "asynclab/task.hpp"

namespace asynclab::net::http {

struct HttpError {
  enum class Kind { bad_url, io, bad_message, unsupported };
  Kind kind = Kind::bad_message;
  std::string message;  // says what went wrong, e.g. "connect to 127.0.0.1:9: Connection refused"
  std::error_code io;   // the system's error, for Kind::io
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header called `name` (compared ignoring case), if any.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct Url {
  SocketAddr addr;
  std::string host;  // as written (for the Host header)
  std::string path;  // "/..." (at least "/")
  static std::expected<Url, HttpError> parse(std::string_view text);
};

struct Request {
  std::string method;
  std::string path;
  Headers headers;
  std::string body;
};

struct Response {
  int status = 200;
  std::string reason = "OK";
  Headers headers;
  std::string body;

  static Response text(int status, std::string body);
  bool is_success() const { return status >= 200 && status < 300; }
};

// `reqwest::get(url)`: connects, sends a GET, reads the whole response. The Task owns `url`.
Task<std::expected<Response, HttpError>> get(std::string url);

// The two halves of one exchange, for servers and clients written by hand.
Task<std::expected<Request, HttpError>> read_request(TcpStream& stream);
Task<std::expected<Response, HttpError>> read_response(TcpStream& stream);
std::string format_request(const Request& request, std::string_view host);
std::string format_response(const Response& response);

// An async handler: a callable kept alive by serve for as long as any connection uses it.
using Handler = std::function<Task<Response>(Request)>;
Task<void> serve(TcpListener listener, Handler handler, std::size_t max_connections = 0);

}  // namespace asynclab::net::http
