// expect-verdict: failed
// expect-message: you spawned the sending, but text_family returned at 0 ms before a spawned task
// Known wrong: spawns each text and drops the JoinHandle. Spawning does not run anything yet: main
// returns at once, the run ends with main, and the never-polled tasks are dropped.
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  for (const std::string& person : family) (void)spawn(send_text(person, news));  // "fire and forget"
  co_return family.size();
}
