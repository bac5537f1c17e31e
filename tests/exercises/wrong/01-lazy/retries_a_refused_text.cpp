// expect-verdict: failed
// expect-message: Dad's refused text was sent 3 times
// Known wrong: sends in order and stops at a refusal, but "helpfully" retries a refused text twice
// more first. Each retry is one more request that would reach Dad's phone the moment the gateway
// comes back, after he was told in person.
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
    std::expected<void, sim::http::HttpError> answer;
    for (int attempt = 0; attempt < 3; ++attempt) {
      answer = co_await send_text(person, news);
      if (answer) break;
    }
    if (!answer) co_return std::unexpected(answer.error());
    ++sent;
  }
  co_return sent;
}
