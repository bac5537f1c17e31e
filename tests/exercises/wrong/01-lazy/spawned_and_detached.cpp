// expect-verdict: failed
// expect-message: you spawned the sending, but text_mom returned at 0 ms before the spawned task
// Known wrong: spawns the future and drops the JoinHandle. Spawning does not run anything yet: main
// returns at once, the run ends with main, and the never-polled task is dropped.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news) {
  const std::string text = "Hi Mom! " + news + " Love you, talk Sunday.";
  auto message = send_text("mom", text);
  auto handle = spawn(std::move(message), "send text");
  co_return {};
}
