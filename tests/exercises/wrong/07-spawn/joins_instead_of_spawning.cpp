// expect-verdict: failed
// expect-message: task "main" ran render_report itself
// Known wrong: overlaps the two with join — inside main. Nothing runs as a task of its own, and a
// panic in render_report would be main's own exception.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

Task<std::expected<Dashboard, std::string>> dashboard() {
  auto [report, profile] = co_await join(render_report(), sim::http::get(profile_url));
  if (!profile) co_return std::unexpected(profile.error().message());
  co_return Dashboard{profile->body.size(), report};
}
