// expect-verdict: failed
// expect-message: Mom's text left at 0 ms, while Grandma's was still on its way
// Known wrong: spawns every text at once and then awaits the handles in order. The order of the
// requests is right and the count too, but all leave at 0 ms: a refusal can no longer stop the rest.
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  std::vector<JoinHandle<std::expected<void, sim::http::HttpError>>> handles;
  for (const std::string& person : family) handles.push_back(spawn(send_text(person, news)));
  std::size_t sent = 0;
  for (auto& handle : handles) {
    auto answer = unwrap(co_await handle);
    if (!answer) co_return std::unexpected(answer.error());
    ++sent;
  }
  co_return sent;
}
