// expect-verdict: failed
// expect-message: a future of send_text (01-lazy/sms.hpp
// Known wrong: awaits a second call of send_text and leaves the first future lying there unpolled —
// Mom gets one text, but the forgotten future is still a mistake the runtime sees.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  auto message = send_text("mom", text);
  auto sent = co_await send_text("mom", text);
  co_return sent;
}
