// Reference solution of exercise 04: one coroutine weighs a page and its image (two fetches in a
// row), and join runs three of those at once — a branch of join can be any future.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

using Weight = std::expected<std::size_t, sim::http::HttpError>;

// The page, then the image it names: the image's request starts as soon as this page has answered.
Task<Weight> page_with_image(std::string url) {
  auto page = co_await sim::http::get(url);
  if (!page) co_return std::unexpected(page.error());
  const auto image_url = image_of(page->body);
  if (!image_url) co_return page->body.size();
  auto image = co_await sim::http::get(*image_url);
  if (!image) co_return std::unexpected(image.error());
  co_return page->body.size() + image->body.size();
}

Task<Weight> total_bytes(std::string a, std::string b, std::string c) {
  auto [wa, wb, wc] = co_await join(page_with_image(a), page_with_image(b), page_with_image(c));
  if (!wa) co_return std::unexpected(wa.error());
  if (!wb) co_return std::unexpected(wb.error());
  if (!wc) co_return std::unexpected(wc.error());
  co_return *wa + *wb + *wc;
}
