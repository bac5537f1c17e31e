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
#include "page.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static const std::string first_check = Catch::getResultCapture().getCurrentTestName();
  if (Catch::getResultCapture().getCurrentTestName() != first_check) std::exit(0);
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
