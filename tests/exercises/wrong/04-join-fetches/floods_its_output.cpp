// expect-verdict: failed
// expect-message: the pages were requested at 0 ms, 350 ms and 700 ms
// Known wrong: prints 200 MB of debugging output, and runs the requests one after another. Only the
// first MiB of output is kept (graders_test checks), the rest counted; the verdict is the real one.
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static bool printed = false;
  if (!printed) {
    printed = true;
    const std::string chunk(1 << 20, '.');
    for (int i = 0; i < 200; ++i) [[maybe_unused]] auto n = ::write(1, chunk.data(), chunk.size());
  }
  std::size_t total = 0;
  for (const std::string& url : {a, b, c}) {
    auto page = co_await sim::http::get(url);
    if (!page) co_return std::unexpected(page.error());
    auto image = co_await sim::http::get(image_of(page->body).value_or(""));
    if (!image) co_return std::unexpected(image.error());
    total += page->body.size() + image->body.size();
  }
  co_return total;
}
