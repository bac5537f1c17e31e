// Reference solution of exercise 05: a JoinSet never holding more than `limit` tasks, refilled each
// time one finishes; every result sorted into the report by the seed's three-armed match.
#include <cstddef>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "scraper.hpp"

using namespace asynclab;

namespace {

// match res { Ok(Ok(page)) => .., Ok(Err(e)) => .., Err(e) => .. }
void file_result(std::expected<PageResult, JoinError> res, ScrapeReport& report) {
  if (!res) {
    report.panicked.push_back(res.error().panic_message());
  } else if (!*res) {
    report.failed.push_back(res->error());
  } else {
    report.titles[(*res)->url] = (*res)->title;
  }
}

}  // namespace

Task<ScrapeReport> scrape_all(std::vector<std::string> urls, std::size_t limit) {
  ScrapeReport report;
  JoinSet<PageResult> set;
  for (const auto& url : urls) {
    // A full set: one page has to finish before the next may start.
    while (set.len() >= limit) {
      auto res = co_await set.join_next();
      file_result(std::move(*res), report);
    }
    set.spawn(scrape_page(url), url);
  }
  while (auto res = co_await set.join_next()) file_result(std::move(*res), report);
  co_return report;
}
