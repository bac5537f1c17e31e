#include <catch2/catch.hpp>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

TEST_CASE("a ready Poll carries its value and a pending one carries none", "[poll]") {
  auto r = Poll<int>::ready(4);
  REQUIRE(r.is_ready());
  REQUIRE(r.value() == 4);
  auto p = Poll<int>::pending();
  REQUIRE(p.is_pending());
}
