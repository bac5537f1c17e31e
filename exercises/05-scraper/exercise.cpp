// Exercise 05 — a scraper with a concurrency limit. Read README.md first; `asynclab grade 05` checks
// your work and `asynclab hint 05` gives a hint.
#include <cstddef>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "scraper.hpp"

using namespace asynclab;

// Scrapes every page of `urls`, never more than `limit` at a time, and reports what became of each.
Task<ScrapeReport> scrape_all(std::vector<std::string> urls, [[maybe_unused]] std::size_t limit) {
  // TODO: never more than `limit` pages in flight (seed C's hint: limit the JoinSet's size), and
  // report a failed fetch and a panicked task in `report` instead of dropping them.
  ScrapeReport report;
  JoinSet<PageResult> set;
  for (const auto& url : urls) set.spawn(scrape_page(url), url);
  while (auto res = co_await set.join_next()) {
    if (*res && **res) report.titles[(**res)->url] = (**res)->title;
  }
  co_return report;
}
