// expect-verdict: crashed
// expect-message: the grader crashed: SIGABRT: aborted (an uncaught exception, std::terminate, or abort)
// Known wrong: joined, but a failed fetch treated as impossible — std::abort(), which is what a failed
// assert() does. No error value, no exception anyone could catch: the whole process dies with
// SIGABRT the first time a fetch fails.
#include <cstddef>
#include <cstdlib>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b,
                                                                   std::string c) {
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra || !rb || !rc) std::abort();  // "cannot happen"
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
