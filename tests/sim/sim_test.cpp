// The simulated world: sim::http::get over a configured Network, and sim::fs over a file table.
#include <catch2/catch.hpp>

#include <source_location>
#include <string>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/fs.hpp"
#include "asynclab/sim/http.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;

namespace {

sim::Network three_hosts() {
  sim::Network net;
  net.host("a.example").latency(100ms).body_size(10);
  net.host("b.example").latency(200ms).body_size(20);
  net.host("c.example").latency(300ms).body_size(30);
  return net;
}

}  // namespace

TEST_CASE("sim::http::get answers after the route's latency with its status and body", "[sim][http]") {
  Duration took{};
  sim::http::Response response;
  auto rt = Runtime::builder().virtual_time().network(three_hosts()).build();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await sim::http::get("http://b.example/index.html");
    REQUIRE(r.has_value());
    response = *r;
    took = elapsed();
  });
  CHECK(took == 200ms);
  CHECK(response.status == 200);
  CHECK(response.ok());
  CHECK(response.body.size() == 20);
}

TEST_CASE("three fetches joined finish at the slowest latency, and the trace shows three requests in flight", "[sim][http]") {
  trace::Recorder rec;
  Duration took{};
  std::size_t bytes = 0;
  auto rt = Runtime::builder().virtual_time().trace(rec).network(three_hosts()).build();
  rt.block_on([&]() -> Task<void> {
    auto [a, b, c] = co_await join(sim::http::get("http://a.example/"), sim::http::get("http://b.example/"),
                                   sim::http::get("http://c.example/"));
    bytes = a->body.size() + b->body.size() + c->body.size();
    took = elapsed();
  });
  CHECK(took == 300ms);
  CHECK(bytes == 60);
  TraceQuery q(rec.trace());
  // The three request_begin events come before the first request_end: all three were in flight.
  auto first_end = q.first(trace::EventKind::request_end);
  REQUIRE(first_end);
  std::size_t begun_before_first_end = q.count_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::request_begin && e.time_ns <= first_end->time_ns;
  });
  CHECK(begun_before_first_end == 3);
}

TEST_CASE("a task parked in sim::http::get is parked at the learner's co_await, not inside the library", "[sim][http]") {
  trace::Recorder rec;
  auto rt = Runtime::builder().virtual_time().trace(rec).network(three_hosts()).build();
  const std::uint32_t line = std::source_location::current().line() + 2;
  rt.block_on([&]() -> Task<void> {
    auto page = co_await sim::http::get("http://a.example/");  // the line "parked at" names
    CHECK(page.has_value());
  });
  TraceQuery q(rec.trace());
  const auto parked = q.first([&](const trace::Event& e) {
    return e.kind == trace::EventKind::poll_end && e.task == q.task_named("main") &&
           e.flags == static_cast<std::uint16_t>(trace::PollResult::pending);
  });
  REQUIRE(parked);
  REQUIRE(parked->b != 0);
  const std::string where = rec.trace().describe_location(parked->b);
  CHECK_THAT(where, Catch::Contains("sim_test.cpp") && Catch::Contains(std::to_string(line)));
  CHECK_THAT(where, !Catch::Contains("sim.cpp:"));
}

TEST_CASE("a task whose whole body is asynclab's own is parked at the library's line, not nowhere", "[sim][http]") {
  trace::Recorder rec;
  auto rt = Runtime::builder().virtual_time().trace(rec).network(three_hosts()).build();
  rt.block_on([&]() -> Task<void> {
    auto fetch = spawn(sim::http::get("http://b.example/"), "fetch");  // no await of the learner's around it
    (void)co_await fetch;
  });
  TraceQuery q(rec.trace());
  const auto parked = q.first([&](const trace::Event& e) {
    return e.kind == trace::EventKind::poll_end && e.task == q.task_named("fetch") &&
           e.flags == static_cast<std::uint16_t>(trace::PollResult::pending);
  });
  REQUIRE(parked);
  REQUIRE(parked->b != 0);
  CHECK_THAT(rec.trace().describe_location(parked->b), Catch::Contains("sim.cpp"));
}

TEST_CASE("a URL route wins over its host's route, and unknown hosts get the fallback", "[sim][http]") {
  sim::Network net;
  net.host("x.example").latency(100ms);
  net.url("http://x.example/slow").latency(2s).status(503);
  net.fallback().latency(7ms).status(404);
  CHECK(net.route_for("http://x.example/slow").status() == 503);
  CHECK(net.route_for("http://x.example/fast").latency() == 100ms);
  CHECK(net.route_for("https://nowhere.example/").status() == 404);
  CHECK(sim::Network::host_of("http://x.example:8080/a?b") == "x.example:8080");
}

TEST_CASE("a failing route gives an HttpError value, never an exception", "[sim][http]") {
  sim::Network net;
  net.host("down.example").latency(40ms).fail(sim::HttpFailure::connection_refused);
  net.host("flaky.example").latency(40ms).fail(sim::HttpFailure::connection_reset);
  std::optional<sim::http::HttpError> refused, reset;
  Duration reset_at{};
  auto rt = Runtime::builder().virtual_time().network(net).build();
  rt.block_on([&]() -> Task<void> {
    auto r1 = co_await sim::http::get("http://down.example/");
    if (!r1) refused = r1.error();
    auto started = elapsed();
    auto r2 = co_await sim::http::get("http://flaky.example/");
    if (!r2) reset = r2.error();
    reset_at = elapsed() - started;
  });
  REQUIRE(refused);
  CHECK(refused->failure == sim::HttpFailure::connection_refused);
  CHECK(refused->message().find("connection refused") != std::string::npos);
  REQUIRE(reset);
  CHECK(reset->failure == sim::HttpFailure::connection_reset);
  CHECK(reset_at == 20ms);  // a reset comes halfway through
}

TEST_CASE("a request dropped mid-flight is recorded as ended, cancelled", "[sim][http]") {
  trace::Recorder rec;
  auto rt = Runtime::builder().virtual_time().trace(rec).network(three_hosts()).build();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await timeout(50ms, sim::http::get("http://c.example/"));
    CHECK_FALSE(r.has_value());
  });
  TraceQuery q(rec.trace());
  CHECK(q.count(trace::EventKind::request_begin) == 1);
  auto end = q.first(trace::EventKind::request_end);
  REQUIRE(end);
  CHECK(end->flags == static_cast<std::uint16_t>(trace::HttpFailure::cancelled));
  CHECK(TraceQuery::time(*end) == 50ms);
}

TEST_CASE("jitter is drawn from the seed: the same seed gives the same latency", "[sim][http][determinism]") {
  auto latency_with = [](std::uint64_t seed) {
    sim::Network net;
    net.host("j.example").latency(100ms).jitter(50ms);
    Duration took{};
    auto rt = Runtime::builder().virtual_time().seed(seed).network(net).build();
    rt.block_on([&]() -> Task<void> {
      (void)co_await sim::http::get("http://j.example/");
      took = elapsed();
    });
    return took;
  };
  CHECK(latency_with(3) == latency_with(3));
  CHECK(latency_with(3) >= 100ms);
  CHECK(latency_with(3) < 150ms);
}

TEST_CASE("sim::fs::read_to_string reads through the blocking pool, and a missing file is an error value", "[sim][fs]") {
  trace::Recorder rec;
  sim::FileSystem files;
  files.add("/etc/motd", "hello", 5ms);
  std::string contents;
  bool missing = false;
  Duration took{};
  auto rt = Runtime::builder().virtual_time().trace(rec).files(files).build();
  rt.block_on([&]() -> Task<void> {
    auto r = co_await sim::fs::read_to_string("/etc/motd");
    contents = r.value_or("");
    took = elapsed();
    auto gone = co_await sim::fs::read_to_string("/nope");
    missing = !gone && gone.error().kind == sim::fs::FsError::Kind::not_found;
    co_await sim::fs::write("/tmp/new", "written");
    auto back = co_await sim::fs::read_to_string("/tmp/new");
    CHECK(back.value_or("") == "written");
  });
  CHECK(contents == "hello");
  CHECK(took == 5ms);
  CHECK(missing);
  TraceQuery q(rec.trace());
  CHECK(q.count(trace::EventKind::blocking_begin) >= 1);
}

TEST_CASE("each runtime gets its own copy of the network it was built with", "[sim]") {
  auto b = Runtime::builder().virtual_time().network(three_hosts());
  auto rt1 = b.build();
  auto rt2 = b.build();
  rt1.block_on([]() -> Task<void> {
    sim::network().host("a.example").latency(1s);
    co_return;
  });
  Duration took{};
  rt2.block_on([&]() -> Task<void> {
    (void)co_await sim::http::get("http://a.example/");
    took = elapsed();
  });
  CHECK(took == 100ms);
}
