// expect-verdict: incomplete
// expect-message: 0 of 3 checks reported
// Known cheat: a right solution, but before main it reads what waits on descriptor 3 (the results
// channel's key) hoping to use it. The reporter then has no key: nothing the run reports can be
// trusted, so even right answers do not count.
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {
const bool stolen = [] {
  char key[16];
  return ::read(3, key, sizeof key) == static_cast<ssize_t>(sizeof key);
}();
}  // namespace

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  (void)stolen;
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra) co_return std::unexpected(ra.error());
  if (!rb) co_return std::unexpected(rb.error());
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
