#pragma once
// sim::http::get — `reqwest::get` for the simulated network: what the documents' fetch examples
// call, answering after the route's latency, in virtual time.
//
// Rules:
// * get(url) is a lazy Task: nothing is sent until it is awaited (or spawned).
// * The answer comes after the route's latency (plus jitter): a Response with the route's status
//   and body — a 404 is still a Response, as in reqwest — or an HttpError for a failing route.
// * The trace records request_begin when the request starts and request_end when it finishes,
//   fails, or is dropped mid-flight (cancelled), so a grader can count requests in flight.
#include <cstdint>
#include <expected>
#include <string>

#include "asynclab/sim/network.hpp"
#include "asynclab/task.hpp"

namespace asynclab::sim::http {

struct Response {
  std::string url;
  int status = 0;
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
};

struct HttpError {
  HttpFailure failure = HttpFailure::connection_refused;
  std::string url;
  std::string message() const;
};

Task<std::expected<Response, HttpError>> get(std::string url);

}  // namespace asynclab::sim::http
