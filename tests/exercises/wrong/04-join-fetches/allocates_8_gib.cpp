// expect-verdict: over_limit
// expect-message: used more than 2 GiB of memory
// Known wrong: allocates and touches 8 GiB "to be fast". The grader's run may use 2 GiB.
#include <cstddef>
#include <expected>
#include <vector>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static std::vector<char> cache;  // kept: an allocation nobody looks at could be left out by the compiler
  cache.resize(std::size_t{8} << 30, 1);
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
