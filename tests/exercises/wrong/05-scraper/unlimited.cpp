// expect-verdict: failed
// expect-message: 10 requests were in flight at once
// Known wrong: every result reported, but every page spawned at once — seed B's "overusing spawn".
#include <cstddef>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "scraper.hpp"

using namespace asynclab;

Task<ScrapeReport> scrape_all(std::vector<std::string> urls, [[maybe_unused]] std::size_t limit) {
  ScrapeReport report;
  JoinSet<PageResult> set;
  for (const auto& url : urls) set.spawn(scrape_page(url), url);
  while (auto res = co_await set.join_next()) {
    if (!*res) {
      report.panicked.push_back(res->error().panic_message());
    } else if (!**res) {
      report.failed.push_back((*res)->error());
    } else {
      report.titles[(**res)->url] = (**res)->title;
    }
  }
  co_return report;
}
