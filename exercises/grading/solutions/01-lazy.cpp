// Reference solution of exercise 01 (lazy: texts go out when they are awaited).
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  std::size_t sent = 0;
  for (const std::string& person : family) {
    // Built only when it is about to be sent, and awaited at once: the request goes out at this
    // first poll, after the previous answer came back. Nobody after a refusal gets a future at all,
    // so none is left behind unpolled.
    auto answer = co_await send_text(person, news);
    if (!answer) co_return std::unexpected(answer.error());
    ++sent;
  }
  co_return sent;
}
