// The minimal HTTP/1.1 client and server. See net/http.hpp for the rules this file keeps.
//
// GCC 12 (runtime/README.md): every future is named before it is awaited, and nothing is awaited
// inside a conditional expression.
#include "asynclab/net/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "asynclab/spawn.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab::net::http {

namespace {

constexpr std::size_t max_head = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

HttpError io_error(std::string what, std::error_code ec) {
  return HttpError{HttpError::Kind::io, fmt::format("{}: {}", what, ec.message()), ec};
}
HttpError bad(std::string message) { return HttpError{HttpError::Kind::bad_message, std::move(message), {}}; }

// The start line and headers of a message, split at CRLF.
struct Head {
  std::string_view start;
  Headers headers;
};

std::expected<Head, HttpError> parse_head(std::string_view head) {
  Head h;
  auto eol = head.find("\r\n");
  h.start = head.substr(0, eol);
  head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return std::unexpected(bad(fmt::format("malformed header line \"{}\" (no name: value)", line)));
    h.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return h;
}

// How long the body is: Content-Length, or nullopt for "until the stream ends".
std::expected<std::optional<std::size_t>, HttpError> body_length(const Headers& headers) {
  if (auto te = find_header(headers, "Transfer-Encoding"); te && !iequals(*te, "identity"))
    return std::unexpected(HttpError{HttpError::Kind::unsupported,
                                     fmt::format("Transfer-Encoding: {} is not supported (only Content-Length bodies)", *te),
                                     {}});
  auto cl = find_header(headers, "Content-Length");
  if (!cl) return std::optional<std::size_t>{};
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
  if (ec != std::errc() || end != cl->data() + cl->size() || cl->empty())
    return std::unexpected(bad(fmt::format("Content-Length \"{}\" is not a number", *cl)));
  return std::optional<std::size_t>{n};
}

// A message read off a stream: its head (up to the blank line) and whatever of the body came with it.
struct RawMessage {
  std::string head;
  std::string rest;
  bool closed = false;  // the peer ended the stream before a complete head arrived
};

Task<std::expected<RawMessage, HttpError>> read_head(TcpStream& stream) {
  RawMessage m;
  std::string buf;
  char chunk[4096];
  for (;;) {
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      m.head = buf.substr(0, end);
      m.rest = buf.substr(end + 4);
      co_return m;
    }
    if (buf.size() > max_head) co_return std::unexpected(bad("message head is over 64 KiB"));
    auto read = stream.read(std::span<char>(chunk, sizeof chunk));
    auto n = co_await asynclab::detail::library_await(read);
    if (!n) co_return std::unexpected(io_error("read", n.error()));
    if (*n == 0) {
      if (buf.empty()) co_return std::unexpected(bad("the connection closed before any message arrived"));
      co_return std::unexpected(bad(fmt::format("the connection closed in the middle of the message head ({} bytes)", buf.size())));
    }
    buf.append(chunk, *n);
  }
}

// Reads the body after `have`: exactly `length` bytes, or to the end of the stream.
Task<std::expected<std::string, HttpError>> read_body(TcpStream& stream, std::string have, std::optional<std::size_t> length) {
  char chunk[4096];
  while (!length || have.size() < *length) {
    auto read = stream.read(std::span<char>(chunk, sizeof chunk));
    auto n = co_await asynclab::detail::library_await(read);
    if (!n) co_return std::unexpected(io_error("read body", n.error()));
    if (*n == 0) {
      if (!length) break;
      co_return std::unexpected(bad(fmt::format("the body ended after {} of {} bytes (Content-Length)", have.size(), *length)));
    }
    have.append(chunk, *n);
  }
  if (length && have.size() > *length) have.resize(*length);
  co_return have;
}

std::string_view reason_for(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

Task<void> serve_connection(TcpStream stream, std::shared_ptr<Handler> handler) {
  auto reading = read_request(stream);
  auto request = co_await asynclab::detail::library_await(reading);
  Response response;
  if (request) {
    auto answer = (*handler)(std::move(*request));
    response = co_await asynclab::detail::library_await(answer);
  } else {
    response = Response::text(400, request.error().message + "\n");
  }
  const std::string bytes = format_response(response);
  auto writing = stream.write_all(bytes);
  auto written = co_await asynclab::detail::library_await(writing);
  if (written) (void)stream.shutdown();
  // The stream closes when this task ends.
}

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

std::expected<Url, HttpError> Url::parse(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(HttpError{HttpError::Kind::bad_url, fmt::format("bad URL \"{}\": {}", text, why), {}});
  };
  constexpr std::string_view scheme = "http://";
  if (!text.starts_with(scheme)) {
    if (text.starts_with("https://")) return fail("https is not supported (no TLS here): use http://");
    return fail("it must start with http://");
  }
  std::string_view rest = text.substr(scheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Url url;
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty()) return fail("no host");
  if (authority.find(':') == std::string_view::npos) {
    auto addr = SocketAddr::parse(std::string(authority) + ":80");
    if (!addr) return fail("the host must be an IPv4 address or localhost (there is no DNS)");
    url.addr = *addr;
  } else {
    auto addr = SocketAddr::parse(authority);
    if (!addr) return fail("the host must be an IPv4 address or localhost and the port a number up to 65535");
    url.addr = *addr;
  }
  url.host = std::string(authority);
  return url;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.reason = std::string(reason_for(status));
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string format_request(const Request& request, std::string_view host) {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n", request.method, request.path, host);
  bool has_length = false;
  for (const auto& [k, v] : request.headers) {
    has_length = has_length || iequals(k, "Content-Length");
    out += fmt::format("{}: {}\r\n", k, v);
  }
  if (!has_length && !request.body.empty()) out += fmt::format("Content-Length: {}\r\n", request.body.size());
  out += "Connection: close\r\n\r\n";
  out += request.body;
  return out;
}

std::string format_response(const Response& response) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", response.status, response.reason);
  for (const auto& [k, v] : response.headers)
    if (!iequals(k, "Content-Length") && !iequals(k, "Connection")) out += fmt::format("{}: {}\r\n", k, v);
  out += fmt::format("Content-Length: {}\r\nConnection: close\r\n\r\n", response.body.size());
  out += response.body;
  return out;
}

Task<std::expected<Request, HttpError>> read_request(TcpStream& stream) {
  auto reading = read_head(stream);
  auto raw = co_await asynclab::detail::library_await(reading);
  if (!raw) co_return std::unexpected(raw.error());
  auto head = parse_head(raw->head);
  if (!head) co_return std::unexpected(head.error());
  // "GET /path HTTP/1.1"
  std::string_view start = head->start;
  auto sp1 = start.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : start.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !start.substr(sp2 + 1).starts_with("HTTP/1."))
    co_return std::unexpected(bad(fmt::format("malformed request line \"{}\" (want: METHOD /path HTTP/1.1)", start)));
  Request request;
  request.method = std::string(start.substr(0, sp1));
  request.path = std::string(start.substr(sp1 + 1, sp2 - sp1 - 1));
  request.headers = std::move(head->headers);
  auto length = body_length(request.headers);
  if (!length) co_return std::unexpected(length.error());
  // A request without Content-Length has no body (it cannot be "until the end": the client waits).
  auto body_reading = read_body(stream, std::move(raw->rest), length->value_or(0));
  auto body = co_await asynclab::detail::library_await(body_reading);
  if (!body) co_return std::unexpected(body.error());
  request.body = std::move(*body);
  co_return request;
}

Task<std::expected<Response, HttpError>> read_response(TcpStream& stream) {
  auto reading = read_head(stream);
  auto raw = co_await asynclab::detail::library_await(reading);
  if (!raw) co_return std::unexpected(raw.error());
  auto head = parse_head(raw->head);
  if (!head) co_return std::unexpected(head.error());
  // "HTTP/1.1 200 OK"
  std::string_view start = head->start;
  if (!start.starts_with("HTTP/1.") || start.size() < 12 || start[8] != ' ')
    co_return std::unexpected(bad(fmt::format("malformed status line \"{}\" (want: HTTP/1.1 200 OK)", start)));
  int status = 0;
  auto [end, ec] = std::from_chars(start.data() + 9, start.data() + 12, status);
  if (ec != std::errc() || end != start.data() + 12)
    co_return std::unexpected(bad(fmt::format("malformed status code in \"{}\"", start)));
  Response response;
  response.status = status;
  response.reason = std::string(trim(start.substr(12)));
  response.headers = std::move(head->headers);
  auto length = body_length(response.headers);
  if (!length) co_return std::unexpected(length.error());
  auto body_reading = read_body(stream, std::move(raw->rest), *length);
  auto body = co_await asynclab::detail::library_await(body_reading);
  if (!body) co_return std::unexpected(body.error());
  response.body = std::move(*body);
  co_return response;
}

Task<std::expected<Response, HttpError>> get(std::string url_text) {
  auto url = Url::parse(url_text);
  if (!url) co_return std::unexpected(url.error());
  auto connecting = TcpStream::connect(url->addr);
  auto stream = co_await asynclab::detail::library_await(connecting);
  if (!stream) co_return std::unexpected(io_error(fmt::format("connect to {}", url->addr.to_string()), stream.error()));
  Request request;
  request.method = "GET";
  request.path = url->path;
  const std::string bytes = format_request(request, url->host);
  auto writing = stream->write_all(bytes);
  auto written = co_await asynclab::detail::library_await(writing);
  if (!written) co_return std::unexpected(io_error("send request", written.error()));
  auto reading = read_response(*stream);
  auto response = co_await asynclab::detail::library_await(reading);
  co_return response;
}

Task<void> serve(TcpListener listener, Handler handler, std::size_t max_connections) {
  auto shared = std::make_shared<Handler>(std::move(handler));
  std::vector<JoinHandle<void>> limited;  // kept only when max_connections bounds them
  std::size_t accepted = 0;
  while (max_connections == 0 || accepted < max_connections) {
    auto accepting = listener.accept();
    auto conn = co_await asynclab::detail::library_await(accepting);
    if (!conn) {
      // Out of file descriptors: the connection stays queued; give the others time to close some.
      auto pause = sleep(std::chrono::milliseconds(1));
      co_await asynclab::detail::library_await(pause);
      continue;
    }
    ++accepted;
    auto task = serve_connection(std::move(conn->first), shared);
    auto handle = spawn(std::move(task), "http connection");
    if (max_connections) limited.push_back(std::move(handle));
  }
  for (auto& h : limited) (void)co_await asynclab::detail::library_await(h);
}

}  // namespace asynclab::net::http
