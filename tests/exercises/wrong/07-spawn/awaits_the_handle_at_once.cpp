// expect-verdict: failed
// expect-message: and main fetched the profile from 300 ms to 500 ms: one after the other
// Known wrong: spawns the report, then awaits its handle straight away — main waits for the whole
// report before it starts its own work, so nothing overlaps.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

Task<std::expected<Dashboard, std::string>> dashboard() {
  auto handle = spawn(render_report(), "report");
  auto joined = co_await handle;
  if (!joined) co_return std::unexpected(joined.error().to_string());
  auto profile = co_await sim::http::get(profile_url);
  if (!profile) co_return std::unexpected(profile.error().message());
  co_return Dashboard{profile->body.size(), std::move(*joined)};
}
