// expect-verdict: incomplete
// expect-message: 1 of 3 checks reported, then the grader exited (status 0)
// Known cheat: right for the first check only (its requests run one after another), then, called by a
// later check, ends the whole program with std::exit(0) — a run that stops early and says "success".
#include <cstddef>
#include <cstdlib>
#include <expected>
#include <string>

#include <catch2/catch.hpp>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static const std::string first_check = Catch::getResultCapture().getCurrentTestName();
  if (Catch::getResultCapture().getCurrentTestName() != first_check) std::exit(0);
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
