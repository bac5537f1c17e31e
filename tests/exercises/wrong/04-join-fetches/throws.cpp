// expect-verdict: threw
// expect-message: an exception escaped your code
// Known wrong: each page with its image, the three joined, but `.value()` throws when a fetch fails
// instead of returning the error.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

Task<std::size_t> page_with_image(std::string url) {
  auto page = co_await sim::http::get(url);
  auto image = co_await sim::http::get(image_of(page.value().body).value());
  co_return page.value().body.size() + image.value().body.size();
}

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto [wa, wb, wc] = co_await join(page_with_image(a), page_with_image(b), page_with_image(c));
  co_return wa + wb + wc;
}
