// expect-verdict: over_limit
// expect-message: started more than 64 processes at once
// Known wrong: starts 200 helper processes that wait forever. The grader's run may hold 64.
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static bool started = false;
  if (!started) {
    started = true;
    for (int i = 0; i < 200; ++i)
      if (::fork() == 0) {
        ::pause();
        ::_exit(0);
      }
  }
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra) co_return std::unexpected(ra.error());
  if (!rb) co_return std::unexpected(rb.error());
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
