// expect-verdict: passed
// expect-message:
// Known adversary: a right solution that, before main, tries to take what waits on descriptor 3 (the
// results channel's key) for itself. The key was taken before any of the learner's code ran
// (.preinit_array in grader_main.cpp): the read finds nothing, and the right answers count.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {
const bool stolen = [] {
  char key[16];
  return ::recv(3, key, sizeof key, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof key);
}();
}  // namespace

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  if (stolen) co_return std::size_t{0};  // had it got the key, it would have had no right answers
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra) co_return std::unexpected(ra.error());
  if (!rb) co_return std::unexpected(rb.error());
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
