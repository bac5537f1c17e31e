// expect-verdict: failed
// expect-message: with the gateway refusing connections, text_mom sent the text 3 times
// Known wrong: awaits the send — once, when the gateway answers — but "helpfully" retries a refused
// text twice more before giving up. One piece of news, three attempts: each retry is a new request
// that would reach Mom's phone the moment the gateway comes back.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  std::expected<void, sim::http::HttpError> sent;
  for (int attempt = 0; attempt < 3; ++attempt) {
    sent = co_await send_text("mom", text);
    if (sent) break;
  }
  co_return sent;
}
