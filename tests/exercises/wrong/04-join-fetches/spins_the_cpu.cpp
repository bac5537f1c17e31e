// expect-verdict: over_limit
// expect-message: used more than 1 s of CPU time
// expect-limits: cpu-seconds = 1
// Known wrong: "waits" for the answers in a loop that never reaches a co_await. With the time limit
// far away, the CPU limit stops it first.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  volatile unsigned long spins = 0;
  while (true) spins = spins + 1;
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
