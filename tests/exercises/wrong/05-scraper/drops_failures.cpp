// expect-verdict: failed
// expect-message: refused the connection, and report.failed holds 0 errors
// Known wrong: limited correctly, but only the good pages are kept: a failed fetch and a panicked
// task vanish without a trace, as if every page had been fine.
#include <cstddef>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "scraper.hpp"

using namespace asynclab;

Task<ScrapeReport> scrape_all(std::vector<std::string> urls, std::size_t limit) {
  ScrapeReport report;
  JoinSet<PageResult> set;
  for (const auto& url : urls) {
    while (set.len() >= limit) {
      auto res = co_await set.join_next();
      if (*res && **res) report.titles[(**res)->url] = (**res)->title;
    }
    set.spawn(scrape_page(url), url);
  }
  while (auto res = co_await set.join_next())
    if (*res && **res) report.titles[(**res)->url] = (**res)->title;
  co_return report;
}
