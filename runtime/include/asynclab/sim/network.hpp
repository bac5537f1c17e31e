#pragma once
// sim::Network — the pretend internet the documents' examples fetch from, offline and
// deterministic. A scenario or grader says how each host or URL behaves; sim::http::get obeys.
//
// Rules:
// * A route is chosen by exact URL first, then by host, then the fallback (50 ms, status 200,
//   a 256-byte body).
// * Everything is deterministic: a route's jitter is drawn from the runtime's seeded generator, so
//   the same seed gives the same latencies.
// * Each runtime has its own Network: give one to the builder (Runtime::builder().network(net)) or
//   change the running runtime's through sim::network().
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "asynclab/time/clock.hpp"

namespace asynclab::sim {

enum class HttpFailure {
  connection_refused,  // fails after the route's latency, having sent nothing
  connection_reset,    // fails halfway through the route's latency
  timed_out,           // fails after the route's latency (set it long: a server that never answers)
};

class Route {
 public:
  Route& latency(Duration d) {
    latency_ = d;
    return *this;
  }
  Route& jitter(Duration d) {
    jitter_ = d;
    return *this;
  }
  Route& status(int s) {
    status_ = s;
    return *this;
  }
  Route& body_size(std::size_t n) {
    body_size_ = n;
    body_.reset();
    return *this;
  }
  Route& body(std::string b) {
    body_ = std::move(b);
    return *this;
  }
  Route& fail(HttpFailure f) {
    failure_ = f;
    return *this;
  }

  Duration latency() const { return latency_; }
  Duration jitter() const { return jitter_; }
  int status() const { return status_; }
  std::size_t body_size() const { return body_ ? body_->size() : body_size_; }
  const std::optional<std::string>& fixed_body() const { return body_; }
  const std::optional<HttpFailure>& failure() const { return failure_; }

 private:
  Duration latency_ = std::chrono::milliseconds(50);
  Duration jitter_{0};
  int status_ = 200;
  std::size_t body_size_ = 256;
  std::optional<std::string> body_;
  std::optional<HttpFailure> failure_;
};

class Network {
 public:
  // Every URL on this host ("example.com", "127.0.0.1:8080").
  Route& host(std::string_view host) { return hosts_[std::string(host)]; }
  // Exactly this URL; wins over its host's route.
  Route& url(std::string_view url) { return urls_[std::string(url)]; }
  // Everything no other route matches.
  Route& fallback() { return fallback_; }

  const Route& route_for(std::string_view url) const;

  // "http://example.com:80/a/b?c" -> "example.com:80"
  static std::string host_of(std::string_view url);

 private:
  std::map<std::string, Route, std::less<>> hosts_;
  std::map<std::string, Route, std::less<>> urls_;
  Route fallback_;
};

// The running runtime's network (throws std::logic_error outside a runtime).
Network& network();

}  // namespace asynclab::sim
