// Exercise 01 — lazy: make the forgotten future run. Read README.md first; `asynclab grade 01` checks
// your work and `asynclab hint 01` gives a hint.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

// Texts Mom the news; returns once the gateway has taken the text, or the gateway's error.
Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  auto message = send_text("mom", text);
  // TODO: the text is written but never sent — `message` is only a future, and futures do nothing
  // until they are polled. Send it (exactly once) and return what sending it gave back.
  co_return {};
}
