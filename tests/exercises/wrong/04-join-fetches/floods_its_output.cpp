// expect-verdict: failed
// expect-message: the run ended at 600 ms with at most 1 request in flight at once
// Known wrong: prints 200 MB of debugging output, and runs the requests one after another. Only the
// first MiB of output is kept (graders_test checks), the rest counted; the verdict is the real one.
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static bool printed = false;
  if (!printed) {
    printed = true;
    const std::string chunk(1 << 20, '.');
    for (int i = 0; i < 200; ++i) [[maybe_unused]] auto n = ::write(1, chunk.data(), chunk.size());
  }
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
