// Reference solution of exercise 07 (spawn and do other work).
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "report.hpp"

using namespace asynclab;

Task<std::expected<Dashboard, std::string>> dashboard() {
  // tokio::spawn: the report becomes a task of its own. Nothing runs yet — it is first polled when
  // main yields to the executor, at its first await below.
  auto handle = spawn(render_report(), "report");

  // "Doing other work..." while the report task runs.
  auto profile = co_await sim::http::get(profile_url);
  if (!profile) {
    // No profile, no dashboard: give up now. Returning would only detach the report task (dropping a
    // JoinHandle does not cancel it, in Tokio either), so cancel it first.
    handle.abort();
    co_return std::unexpected(profile.error().message());
  }

  // `handle.await`: the task's value, or a JoinError when it panicked (or was cancelled).
  auto joined = co_await handle;
  if (!joined) co_return std::unexpected(joined.error().to_string());
  co_return Dashboard{profile->body.size(), std::move(*joined)};
}
