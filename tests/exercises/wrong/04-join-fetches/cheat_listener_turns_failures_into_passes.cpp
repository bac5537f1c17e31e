// expect-verdict: incomplete
// expect-message: a Catch2 listener was registered by code that is not the grader's
// Known cheat: runs the requests one after another (wrong) and registers a Catch2 listener. Listeners
// see each test case's stats before the grader's reporter does, and this one rewrites every failure
// into a pass. The reporter refuses to report anything while a listener it did not register listens.
#include <cstddef>
#include <expected>
#include <string>

#define CATCH_CONFIG_EXTERNAL_INTERFACES  // the listener and reporter bases
#include <catch2/catch.hpp>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {
struct ForgivingListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    auto& totals = const_cast<Catch::Totals&>(stats.totals);
    totals.assertions.passed += totals.assertions.failed;
    totals.assertions.failed = 0;
    totals.testCases.failed = 0;
    TestEventListenerBase::testCaseEnded(stats);
  }
};
}  // namespace
CATCH_REGISTER_LISTENER(ForgivingListener)

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
