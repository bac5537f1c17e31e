// Exercise 04 — join three pages, each with its image. Read README.md first; `asynclab grade 04`
// checks your work and `asynclab hint 04` gives a hint.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

// Weighs three pages: each page's body plus the body of the image it names. Returns the total
// number of bytes, or the first error.
Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  // TODO: fetch the three pages at once, each image as soon as its page has answered, and return
  // an error instead of throwing.
  std::size_t total = 0;
  for (const std::string& url : {a, b, c}) {
    auto page = co_await sim::http::get(url);
    total += page.value().body.size();
    auto image = co_await sim::http::get(image_of(page.value().body).value());
    total += image.value().body.size();
  }
  co_return total;
}
