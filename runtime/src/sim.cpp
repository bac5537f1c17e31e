// The simulated world: routes, sim::http::get and sim::fs. See sim/network.hpp, sim/http.hpp and
// sim/fs.hpp.
#include <stdexcept>

#include "asynclab/blocking.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/sim/block_for.hpp"
#include "asynclab/sim/fs.hpp"
#include "asynclab/sim/http.hpp"
#include "asynclab/sim/network.hpp"
#include "asynclab/time/sleep.hpp"

namespace asynclab::sim {

namespace {
detail::Scheduler& scheduler(const char* what) {
  auto* s = detail::Scheduler::current();
  if (!s) throw std::logic_error(std::string(what) + " must be called from inside an asynclab runtime");
  return *s;
}
}  // namespace

std::string Network::host_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  auto end = url.find_first_of("/?#");
  return std::string(url.substr(0, end));
}

const Route& Network::route_for(std::string_view url) const {
  if (auto it = urls_.find(url); it != urls_.end()) return it->second;
  if (auto it = hosts_.find(host_of(url)); it != hosts_.end()) return it->second;
  return fallback_;
}

Network& network() { return scheduler("sim::network()").extension<Network>(); }
FileSystem& files() { return scheduler("sim::files()").extension<FileSystem>(); }

namespace http {

std::string HttpError::message() const {
  switch (failure) {
    case HttpFailure::connection_refused: return "connection refused: " + url;
    case HttpFailure::connection_reset: return "connection reset by peer: " + url;
    case HttpFailure::timed_out: return "request timed out: " + url;
  }
  return "request failed: " + url;
}

namespace {

trace::HttpFailure to_trace(HttpFailure f) {
  switch (f) {
    case HttpFailure::connection_refused: return trace::HttpFailure::connection_refused;
    case HttpFailure::connection_reset: return trace::HttpFailure::connection_reset;
    case HttpFailure::timed_out: return trace::HttpFailure::timed_out;
  }
  return trace::HttpFailure::none;
}

// A body of exactly n bytes that says where it came from.
std::string make_body(std::string_view url, std::size_t n) {
  std::string pattern = "<p>" + std::string(url) + "</p>\n";
  std::string body;
  body.reserve(n);
  while (body.size() < n) body.append(pattern, 0, std::min(pattern.size(), n - body.size()));
  return body;
}

// Records request_end exactly once: when the request finishes, or when it is dropped mid-flight.
class RequestRecord {
 public:
  RequestRecord(detail::Scheduler& s, std::uint32_t id) : s_(s), id_(id) {}
  ~RequestRecord() {
    if (!ended_) s_.emit(trace::EventKind::request_end, s_.running_id(), id_, 0, static_cast<std::uint16_t>(trace::HttpFailure::cancelled));
  }
  void end(std::uint32_t status, trace::HttpFailure failure) {
    ended_ = true;
    s_.emit(trace::EventKind::request_end, s_.running_id(), id_, status, static_cast<std::uint16_t>(failure));
  }

 private:
  detail::Scheduler& s_;
  std::uint32_t id_;
  bool ended_ = false;
};

}  // namespace

Task<std::expected<Response, HttpError>> get(std::string url) {
  auto& s = scheduler("sim::http::get");
  const Route route = network().route_for(url);  // a copy: the route may change while we wait
  const std::uint32_t id = s.next_request();
  s.emit(trace::EventKind::request_begin, s.running_id(), id, s.recorder() ? s.recorder()->intern(url) : 0);
  RequestRecord record(s, id);

  Duration latency = route.latency();
  if (route.jitter().count() > 0) latency += Duration(static_cast<Duration::rep>(s.random() % static_cast<std::uint64_t>(route.jitter().count())));

  if (auto failure = route.failure()) {
    auto waiting = sleep(*failure == HttpFailure::connection_reset ? latency / 2 : latency);
    co_await detail::library_await(waiting);
    record.end(0, to_trace(*failure));
    co_return std::unexpected(HttpError{*failure, url});
  }
  auto answering = sleep(latency);
  co_await detail::library_await(answering);
  Response response{url, route.status(), route.fixed_body() ? *route.fixed_body() : make_body(url, route.body_size())};
  record.end(static_cast<std::uint32_t>(route.status()), trace::HttpFailure::none);
  co_return response;
}

}  // namespace http

namespace fs {

Task<std::expected<std::string, FsError>> read_to_string(std::string path) {
  const FileSystem::File* found = files().find(path);
  if (!found) co_return std::unexpected(FsError{FsError::Kind::not_found, path});
  FileSystem::File file = *found;  // read "from disk" on the blocking lane, as tokio::fs does
  // Named before it is awaited: GCC 12 mis-copies a lambda with non-trivial captures that is a
  // temporary inside a co_await expression (see runtime/README.md, "The compiler").
  auto reading = spawn_blocking(
      [file = std::move(file)] {
        block_for(file.read_time);
        return file.contents;
      },
      "fs::read_to_string");
  auto contents = co_await detail::library_await(reading);
  if (!contents) contents.error().resume_panic();
  co_return std::move(*contents);
}

Task<void> write(std::string path, std::string contents) {
  // The blocking lane stands for the disk; the table itself is changed back on the runtime's
  // thread, which owns it.
  auto writing = spawn_blocking([] { block_for(std::chrono::milliseconds(1)); }, "fs::write");
  auto done = co_await detail::library_await(writing);
  if (!done) done.error().resume_panic();
  files().add(std::move(path), std::move(contents));
}

}  // namespace fs
}  // namespace asynclab::sim
