#pragma once
// Given for exercise 01 — read it, but leave it as it is: the simulated SMS gateway.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

// `async fn send_text(to: &str, text: &str) -> Result<(), HttpError>`: one request to the gateway,
// which answers after 120 ms. Like every async fn it is lazy: *calling* it sends nothing, it only
// builds the future; the request goes out when that future is first polled — awaited, or spawned and
// run by the executor.
inline asynclab::Task<std::expected<void, asynclab::sim::http::HttpError>> send_text(std::string to,
                                                                                     std::string text) {
  std::string url = "https://sms.example/send?to=" + to + "&text=";
  for (char ch : text) url += ch == ' ' ? std::string("%20") : std::string(1, ch);
  auto response = co_await asynclab::sim::http::get(url);
  if (!response) co_return std::unexpected(response.error());
  co_return {};
}
