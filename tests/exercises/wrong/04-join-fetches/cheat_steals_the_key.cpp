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
#include "page.hpp"

using namespace asynclab;

namespace {
const bool stolen = [] {
  char key[16];
  return ::recv(3, key, sizeof key, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof key);
}();
}  // namespace

Task<std::expected<std::size_t, sim::http::HttpError>> page_with_image(std::string url) {
  auto page = co_await sim::http::get(url);
  if (!page) co_return std::unexpected(page.error());
  auto image = co_await sim::http::get(image_of(page->body).value_or(""));
  if (!image) co_return std::unexpected(image.error());
  co_return page->body.size() + image->body.size();
}

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  if (stolen) co_return std::size_t{0};  // had it got the key, it would have had no right answers
  auto [wa, wb, wc] = co_await join(page_with_image(a), page_with_image(b), page_with_image(c));
  if (!wa) co_return std::unexpected(wa.error());
  if (!wb) co_return std::unexpected(wb.error());
  if (!wc) co_return std::unexpected(wc.error());
  co_return *wa + *wb + *wc;
}
