// expect-verdict: failed
// expect-message: was still texted after that refusal
// Known wrong: builds each text when it is its turn and awaits it, but carries on after a refusal,
// remembering the first error to return at the end: everyone after the refused text still gets one.
#include <cstddef>
#include <optional>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  std::size_t sent = 0;
  std::optional<sim::http::HttpError> first_error;
  for (const std::string& person : family) {
    auto answer = co_await send_text(person, news);
    if (answer) ++sent;
    else if (!first_error) first_error = answer.error();
  }
  if (first_error) co_return std::unexpected(*first_error);
  co_return sent;
}
