// expect-verdict: failed
// expect-message: dashboard gave up at 300 ms, though the profile had failed at 200 ms
// Known wrong: spawns the report, fetches the profile, then awaits the report before looking at the
// profile's result: a dashboard that cannot be shown waits 100 ms more for a report it throws away.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

Task<std::expected<Dashboard, std::string>> dashboard() {
  auto handle = spawn(render_report(), "report");
  auto profile = co_await sim::http::get(profile_url);
  auto joined = co_await handle;
  if (!profile) co_return std::unexpected(profile.error().message());
  if (!joined) co_return std::unexpected(joined.error().to_string());
  co_return Dashboard{profile->body.size(), std::move(*joined)};
}
