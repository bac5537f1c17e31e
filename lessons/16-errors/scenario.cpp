// Lesson 16 — errors without unwrap: Result and `?` through co_await, context on the way up, and
// what a panic in a task becomes.
//
// Seed A: "don't just `unwrap()` everything. That's just lazy." Seed B: "Use `Result` ... and
// handle errors appropriately using `.await?`. Consider using the `anyhow` crate", and propagate
// context ("tracing IDs, user IDs") across async boundaries.
//
// The program: a server handles one request, GET /dashboard for user 42, in a task of its own. The
// handler loads the dashboard, which fetches /users and then /posts. Either fetch can fail (the
// `failing` parameter makes that route refuse connections). The error travels back up as a value:
// each level returns early (the `?`), adding what it was doing (anyhow's `.context`), and the
// task itself ends normally. With `unwrap` on, the handler unwraps instead: the error becomes an
// exception escaping the task, which the runtime turns into a panic — a JoinError for whoever awaits
// the task's handle.
#include <expected>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

const std::string users_url = "https://api.example/users";
const std::string posts_url = "https://api.example/posts";

// anyhow::Error in miniature: a root cause, and the context each caller added, outermost first.
class Error {
 public:
  explicit Error(std::string cause) : chain_{std::move(cause)} {}
  // anyhow's `.context("fetching /posts")`: says what we were doing when it went wrong.
  Error context(std::string what) && {
    chain_.insert(chain_.begin(), std::move(what));
    return std::move(*this);
  }
  // "loading the dashboard: fetching /posts: connection refused: https://api.example/posts"
  std::string to_string() const {
    std::string out;
    for (const auto& part : chain_) out += (out.empty() ? "" : ": ") + part;
    return out;
  }

 private:
  std::vector<std::string> chain_;
};

template <class T>
using Result = std::expected<T, Error>;

// A tracing span in miniature: who this work is for. tracing's `.instrument(span)` attaches it to a
// future implicitly; here it is passed along by value, and the task carries it in its name.
struct Span {
  int user = 0;
  std::string route;
  std::string tag() const { return fmt::format("[user {} {}]", user, route); }
};

// Seed A's fetch_data: `reqwest::get(url).await?` then the body.
Task<Result<std::string>> fetch_data(std::string url) {
  auto response = co_await sim::http::get(url);
  if (!response) co_return std::unexpected(Error(response.error().message()));  // the `?`
  co_return std::move(response->body);
}

Task<Result<std::size_t>> load_dashboard(Span span) {
  auto users = co_await fetch_data(users_url);
  if (!users) co_return std::unexpected(std::move(users.error()).context("fetching /users"));
  say("{} /users: {} bytes", span.tag(), users->size());
  auto posts = co_await fetch_data(posts_url);
  if (!posts) co_return std::unexpected(std::move(posts.error()).context("fetching /posts"));
  say("{} /posts: {} bytes", span.tag(), posts->size());
  co_return users->size() + posts->size();
}

// Rust's `Result::unwrap`: the value, or a panic whose message is the error.
template <class T>
T unwrap(Result<T> result) {
  if (!result)
    throw std::runtime_error("called `Result::unwrap()` on an `Err` value: " + result.error().to_string());
  return std::move(*result);
}

Task<Result<std::size_t>> handle_request(Span span, bool use_unwrap) {
  say("{} handling the request", span.tag());
  auto loaded = co_await load_dashboard(span);
  if (use_unwrap) {
    const std::size_t bytes = unwrap(std::move(loaded));  // an Err throws: the task panics here
    co_return bytes;
  }
  if (!loaded)
    co_return std::unexpected(
        std::move(loaded.error()).context(fmt::format("loading the dashboard of user {}", span.user)));
  co_return *loaded;
}

Task<void> server(bool use_unwrap) {
  const Span span{42, "GET /dashboard"};
  auto handler = spawn(handle_request(span, use_unwrap), "request user 42");
  auto joined = co_await handler;  // std::expected<Result<std::size_t>, JoinError>
  if (!joined) {
    say("main: the handler panicked: {}", joined.error().panic_message());
    say("main: answering 500; the request's own context died with the task");
    mark("panic caught");
    co_return;
  }
  if (!*joined) {
    say("main: request failed: {}", joined->error().to_string());
    say("main: answering 502 with that message; the server goes on");
    mark("error handled");
    co_return;
  }
  say("main: dashboard served, {} bytes", **joined);
  mark("dashboard served");
}

}  // namespace

void scenario_16_errors(ScenarioRun& run) {
  const auto& p = run.params();
  const std::string& failing = p.choice("failing");
  sim::Network net;
  net.url(users_url).latency(p.millis("latency_ms")).body_size(1200);
  net.url(posts_url).latency(p.millis("latency_ms")).body_size(3400);
  if (failing == "users") net.url(users_url).fail(sim::HttpFailure::connection_refused);
  if (failing == "posts") net.url(posts_url).fail(sim::HttpFailure::connection_refused);
  run.block_on(run.builder().network(net), server(p.flag("unwrap")));
}

}  // namespace asynclab::lessons
