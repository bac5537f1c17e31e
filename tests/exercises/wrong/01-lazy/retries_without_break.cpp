// expect-verdict: failed
// expect-message: Mom got the text 3 times (requests at 0 ms, 120 ms, 240 ms)
// Known wrong: seed A's war story — a retry loop with the `break` missing. Each round builds and
// awaits a new future, and each one sends: three texts for one piece of news.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  std::expected<void, sim::http::HttpError> sent;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto message = send_text("mom", text);
    sent = co_await message;
  }
  co_return sent;
}
