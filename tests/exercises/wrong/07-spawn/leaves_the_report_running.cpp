// expect-verdict: failed
// expect-message: dashboard returned at 200 ms, but the report task "report" went on
// Known wrong: right in every way but one — when the profile fails it returns the error at once and
// drops the JoinHandle, believing that stops the report. Dropping a handle detaches its task (in
// Tokio too): the report is fetched and rendered for nobody while the server goes on.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

Task<std::expected<Dashboard, std::string>> dashboard() {
  auto handle = spawn(render_report(), "report");
  auto profile = co_await sim::http::get(profile_url);
  if (!profile) co_return std::unexpected(profile.error().message());
  auto joined = co_await handle;
  if (!joined) co_return std::unexpected(joined.error().to_string());
  co_return Dashboard{profile->body.size(), std::move(*joined)};
}
