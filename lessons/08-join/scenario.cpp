// Lesson 08 — join!: three fetches in one task.
//
// The seeds' `tokio::join!(fetch_users(), fetch_posts(), fetch_comments())` drives three futures
// inside one task: the task polls each of them, and all three requests are in flight at once. Off,
// the same three are awaited one after another — the staircase the lesson contrasts it with.
#include <string>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

// `async fn fetch(url) -> usize`: a lazy task; nothing is sent until it is awaited.
Task<std::size_t> fetch(std::string url) {
  auto response = co_await sim::http::get(url);
  std::size_t bytes = response ? response->body.size() : 0;
  say("{} answered with {} bytes", url, bytes);
  co_return bytes;
}

Task<void> fetch_three(bool concurrent) {
  if (concurrent) {
    // tokio::join!: one task, three futures polled side by side; it is ready when all are.
    auto [users, posts, comments] =
        co_await join(fetch("https://api.example/users"), fetch("https://api.example/posts"),
                      fetch("https://api.example/comments"));
    mark("all three fetched");
    say("join: {} bytes in all", users + posts + comments);
  } else {
    // One .await after another: each request starts only when the previous one has answered.
    auto users = co_await fetch("https://api.example/users");
    auto posts = co_await fetch("https://api.example/posts");
    auto comments = co_await fetch("https://api.example/comments");
    mark("all three fetched");
    say("one after another: {} bytes in all", users + posts + comments);
  }
}

}  // namespace

void scenario_08_join(ScenarioRun& run) {
  const auto& p = run.params();
  sim::Network net;
  net.url("https://api.example/users").latency(p.millis("latency_users")).body_size(1200);
  net.url("https://api.example/posts").latency(p.millis("latency_posts")).body_size(3400);
  net.url("https://api.example/comments").latency(p.millis("latency_comments")).body_size(560);
  run.block_on(run.builder().network(net), fetch_three(p.flag("concurrent")));
}

}  // namespace asynclab::lessons
