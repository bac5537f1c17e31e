// expect-verdict: threw
// expect-message: an exception escaped your code
// Known wrong: spawned and overlapped, but `.value()` on the JoinHandle's result — Rust's
// `handle.await.unwrap()` — turns the report task's panic into a panic of main.
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
  co_return Dashboard{profile->body.size(), joined.value()};
}
