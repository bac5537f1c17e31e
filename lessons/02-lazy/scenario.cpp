// Lesson 02 — futures are lazy.
//
// The seeds' `fetch_data(url)` returns a future and nothing else: no request goes out until someone
// polls it. main builds that future, does other work for a while, and then does one of three things
// with it (the `what` parameter):
//   forget  never awaits it: the future is dropped at main's closing brace, unpolled — the runtime
//           records the "forgotten future" lint, and the request never happens;
//   await   co_awaits it: main polls it, the request starts only then, after the other work;
//   spawn   hands it to the executor as a task of its own right away, so the request runs while
//           main does its other work ("You must .await it or spawn it on a runtime", seed C).
#include <string>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;

constexpr const char* url = "https://example.com";

// `async fn fetch_data(url: &str) -> Result<String, reqwest::Error>`. Its first line announces that
// the body is running, so the Output window shows exactly when (and whether) that happens.
Task<std::expected<std::string, sim::http::HttpError>> fetch_data(std::string target) {
  say("fetch_data: the body runs now, sending GET {}", target);
  mark("fetch_data started");
  auto response = co_await sim::http::get(target);  // reqwest::get(url).await?
  if (!response) co_return std::unexpected(response.error());
  co_return response->body;  // response.text().await
}

// What main prints once it has the body (or the error) in hand.
void report(const std::expected<std::string, sim::http::HttpError>& body) {
  if (body) {
    say("main: got {} bytes", body->size());
  } else {
    say("main: the request failed: {}", body.error().message());
  }
}

Task<void> lazy_main(std::string what, Duration other_work) {
  // `let request = fetch_data(url);` — a future is built, its body has not started.
  auto request = fetch_data(url);
  mark("future created");
  say("main: fetch_data(...) returned a future; nothing has been sent");

  if (what == "spawn") {
    // tokio::spawn: the executor owns the future now and polls it as soon as main yields.
    auto handle = spawn(std::move(request), "fetch_data");
    say("main: spawned it; doing other work for {} ms", other_work / 1ms);
    co_await sleep(other_work);
    auto joined = co_await handle;
    if (joined) report(*joined);
    mark("main done");
    co_return;
  }

  say("main: doing other work for {} ms", other_work / 1ms);
  co_await sleep(other_work);
  if (what == "await") {
    // `.await`: main polls the future itself; the request starts here, not where it was created.
    auto body = co_await request;
    report(body);
  } else {
    say("main: done, and `request` was never awaited");
  }
  mark("main done");
  // In "forget", `request` is dropped right here, never polled: the forgotten-future lint.
}

}  // namespace

void scenario_02_lazy(ScenarioRun& run) {
  const auto& p = run.params();
  sim::Network net;
  net.url(url).latency(200ms).body_size(1256);
  run.block_on(run.builder().network(net), lazy_main(p.choice("what"), p.millis("other_work")));
}

}  // namespace asynclab::lessons
