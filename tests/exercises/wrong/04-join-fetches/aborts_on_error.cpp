// expect-verdict: crashed
// expect-message: the grader crashed: SIGABRT: aborted (an uncaught exception, std::terminate, or abort)
// Known wrong: each page with its image, the three joined, but a failed fetch treated as impossible — std::abort(), which is what a failed
// assert() does. No error value, no exception anyone could catch: the whole process dies with
// SIGABRT the first time a fetch fails.
#include <cstddef>
#include <cstdlib>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

Task<std::size_t> page_with_image(std::string url) {
  auto page = co_await sim::http::get(url);
  if (!page) std::abort();  // "cannot happen"
  auto image = co_await sim::http::get(image_of(page->body).value_or(""));
  if (!image) std::abort();
  co_return page->body.size() + image->body.size();
}

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto [wa, wb, wc] = co_await join(page_with_image(a), page_with_image(b), page_with_image(c));
  co_return wa + wb + wc;
}
