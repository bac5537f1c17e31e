// expect-verdict: threw
// expect-message: an exception escaped your code
// Known wrong: joined, but `.value()` throws when a fetch fails instead of returning the error.
#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  co_return ra.value().body.size() + rb.value().body.size() + rc.value().body.size();
}
