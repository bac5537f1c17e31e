// Reference solution of exercise 01 (lazy: make the forgotten future run).
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  auto message = send_text("mom", text);
  // Hitting send: the first poll of `message` is what sends the request.
  auto sent = co_await message;
  co_return sent;
}
