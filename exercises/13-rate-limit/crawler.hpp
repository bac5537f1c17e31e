#pragma once
// The world of exercise 13: the API's rate limit. Don't edit this file: the grader compiles it as it
// is, next to your exercise.cpp. The pages themselves come from the simulated network: sim::http::get
// answers each page of https://api.example/ after 5 ms.
#include <cstddef>

#include "asynclab/asynclab.hpp"

namespace crawler {

// At most `requests` requests may begin in any stretch of time `window` long: from any instant t to
// t + window (t included, t + window not), never more than `requests` request starts.
struct RateLimit {
  std::size_t requests = 0;
  asynclab::Duration window{};
};

}  // namespace crawler
