// Exercise 01 — lazy: texts go out when they are awaited. Read README.md first; `asynclab grade 01`
// checks your work and `asynclab hint 01` gives a hint.
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "sms.hpp"

using namespace asynclab;

// Texts the news to each person of `family`, one after another in that order, and stops at the
// first text the gateway refuses (returning its error). Returns how many texts went out.
Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family) {
  std::vector<Task<std::expected<void, sim::http::HttpError>>> texts;
  for (const std::string& person : family) texts.push_back(send_text(person, news));
  // TODO: "all sent"? Not one request has reached the gateway: each send_text(...) above only
  // built a future. Send the texts — in the family's order, one at a time, stopping at the first
  // refusal — and leave no future built and never awaited.
  co_return texts.size();
}
