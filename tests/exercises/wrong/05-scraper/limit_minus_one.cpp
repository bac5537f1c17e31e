// expect-verdict: failed
// expect-message: limit 3: never more than 2 requests in flight at once
// Known wrong: an off-by-one in the wait condition — it waits while the set holds limit - 1 tasks,
// so the limit is never reached.
#include <cstddef>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "scraper.hpp"

using namespace asynclab;

namespace {

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
    while (set.len() + 1 >= limit) {
      auto res = co_await set.join_next();
      file_result(std::move(*res), report);
    }
    set.spawn(scrape_page(url), url);
  }
  while (auto res = co_await set.join_next()) file_result(std::move(*res), report);
  co_return report;
}
