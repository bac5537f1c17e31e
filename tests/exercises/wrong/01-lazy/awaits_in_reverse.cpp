// expect-verdict: failed
// expect-message: the texts went out in the order Leo, Ana, Dad, Mom, Grandma
// Known wrong: builds every text, then awaits them from the back of the vector (pop_back): the
// texts go out in the order they are awaited, so Grandma hears last.
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  std::vector<Task<std::expected<void, sim::http::HttpError>>> texts;
  for (const std::string& person : family) texts.push_back(send_text(person, news));
  std::size_t sent = 0;
  while (!texts.empty()) {
    auto answer = co_await texts.back();
    texts.pop_back();
    if (!answer) co_return std::unexpected(answer.error());
    ++sent;
  }
  co_return sent;
}
