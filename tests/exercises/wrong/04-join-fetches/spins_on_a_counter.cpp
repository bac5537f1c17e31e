// expect-verdict: timed_out
// expect-message: something never finished
// expect-time-limit-ms: 5000
// Known wrong: the three fetches spawned, then a loop that spins until they have all answered. The
// loop never reaches a co_await, so the executor never gets the worker back to run the fetches: the
// counter never moves, and the program freezes — seed A's war story, "an infinite loop inside an
// async function, which caused the entire application to freeze". Only the time limit ends it.
#include <atomic>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

struct Answers {
  std::atomic<int> count{0};
  std::size_t bytes = 0;
};

Task<std::expected<void, sim::http::HttpError>> fetch_into(std::string url,
                                                           std::shared_ptr<Answers> answers) {
  auto response = co_await sim::http::get(url);
  answers->count.fetch_add(1);
  if (!response) co_return std::unexpected(response.error());
  answers->bytes += response->body.size();
  co_return std::expected<void, sim::http::HttpError>();
}

}  // namespace

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b,
                                                                   std::string c) {
  auto answers = std::make_shared<Answers>();
  auto fa = spawn(fetch_into(a, answers), "fetch a");
  auto fb = spawn(fetch_into(b, answers), "fetch b");
  auto fc = spawn(fetch_into(c, answers), "fetch c");
  while (answers->count.load() < 3) {
  }
  for (auto* handle : {&fa, &fb, &fc}) {
    auto joined = co_await *handle;
    if (joined && !*joined) co_return std::unexpected(joined->error());
  }
  co_return answers->bytes;
}
