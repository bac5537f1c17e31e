// Exercise 07 — spawn and do other work. Read README.md first; `asynclab grade 07` checks your work
// and `asynclab hint 07` gives a hint.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

// Builds the dashboard: the week's report (render_report) and the user's profile (main's own work).
Task<std::expected<Dashboard, std::string>> dashboard() {
  // TODO: spawn the report so it runs as a task of its own while main fetches the profile, then
  // await its JoinHandle — and turn a panic in the report task into an error value.
  std::string report = co_await render_report();
  auto profile = co_await sim::http::get(profile_url);
  if (!profile) co_return std::unexpected(profile.error().message());
  co_return Dashboard{profile->body.size(), report};
}
