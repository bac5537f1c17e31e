#pragma once
// Given for exercise 01 — read it, but leave it as it is: the simulated SMS gateway.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

// The gateway's address for the text that tells `to` the news: one URL per person and news.
inline std::string text_url(const std::string& to, const std::string& news) {
  std::string url = "https://sms.example/send/" + to + "?text=";
  for (char ch : "Hi " + to + "! " + news) url += ch == ' ' ? std::string("%20") : std::string(1, ch);
  return url;
}

// `async fn send_text(to: &str, news: &str) -> Result<(), HttpError>`: one request to the gateway,
// which answers after 120 ms (or refuses). Like every async fn it is lazy: *calling* it sends
// nothing, it only builds the future; the request goes out when that future is first polled —
// awaited, or spawned and run by the executor.
inline asynclab::Task<std::expected<void, asynclab::sim::http::HttpError>> send_text(std::string to,
                                                                                     std::string news) {
  auto response = co_await asynclab::sim::http::get(text_url(to, news));
  if (!response) co_return std::unexpected(response.error());
  co_return {};
}
