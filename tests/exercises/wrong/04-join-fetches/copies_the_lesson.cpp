// expect-verdict: failed
// expect-message: the three pages alone
// Known wrong: lesson 08's join copied as it stands — the three pages at once, errors returned — but
// the images the pages name are never fetched.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra) co_return std::unexpected(ra.error());
  if (!rb) co_return std::unexpected(rb.error());
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
