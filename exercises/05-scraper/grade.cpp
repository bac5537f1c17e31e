// Grader of exercise 05 (scraper with a concurrency limit). Each TEST_CASE is one graded point, tagged
// [task_N].
#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "grading.hpp"
#include "scraper.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

namespace {

constexpr int pages = 10;
constexpr int refused_page = 3;
constexpr int untitled_page = 7;
// Two limits, so a limit written into the code as a number does not pass by luck.
constexpr std::size_t limits[] = {3, 4};

const std::string site = "https://site.example/";

std::string page_url(int page) { return fmt::format("{}page/{}", site, page); }
std::string short_name(std::string_view url) {
  return std::string(url.starts_with(site) ? url.substr(site.size()) : url);
}

// 80 to 480 ms, in an order unlike the pages' own: results arrive in another order than the spawns.
Duration page_latency(int page) { return std::chrono::milliseconds(80 + (page * 7 % 11) * 40); }

std::vector<std::string> all_urls() {
  std::vector<std::string> urls;
  for (int page = 1; page <= pages; ++page) urls.push_back(page_url(page));
  return urls;
}

// Every page has a title; with `broken`, page 3's server refuses the connection and page 7 has none.
std::function<void(Runtime::Builder&)> world(bool broken) {
  return [broken](Runtime::Builder& builder) {
    sim::Network net;
    for (int page = 1; page <= pages; ++page) {
      auto& route = net.url(page_url(page)).latency(page_latency(page));
      if (broken && page == refused_page) {
        route.fail(sim::HttpFailure::connection_refused);
      } else if (broken && page == untitled_page) {
        route.body("<html><p>under construction</p></html>");
      } else {
        route.body(fmt::format("<html><title>Page {}</title><p>...</p></html>", page));
      }
    }
    builder.network(net).explore_schedules();
  };
}

struct Scraped {
  grading::GradedRun run;
  std::optional<ScrapeReport> report;
};

Scraped scrape(std::uint64_t seed, std::size_t limit, bool broken) {
  std::optional<ScrapeReport> report;
  auto run = grading::run_graded(
      "05-scraper", seed, [limit] { return scrape_all(all_urls(), limit); }, world(broken),
      [&](ScrapeReport r) { report = std::move(r); });
  return {std::move(run), std::move(report)};
}

// When the pages are done if a freed slot is refilled at once: the next page starts the moment one
// of the `limit` running pages finishes.
std::chrono::nanoseconds refilled_at_once(std::size_t limit) {
  std::priority_queue<Duration, std::vector<Duration>, std::greater<>> free_at;
  for (std::size_t i = 0; i < limit; ++i) free_at.push(Duration(0));
  Duration end(0);
  for (int page = 1; page <= pages; ++page) {
    const Duration start = free_at.top();
    free_at.pop();
    free_at.push(start + page_latency(page));
    end = std::max(end, start + page_latency(page));
  }
  return end;
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// "page-3, page-7": URLs as the failure messages name them.
std::string short_names(const std::vector<std::string>& urls) {
  std::vector<std::string> names;
  for (const auto& url : urls) names.push_back(short_name(url));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

TEST_CASE("every page is fetched once and every title is kept", "[ex05][task_1]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, report] = scrape(seed, limit, false);
      grading::require_finished(run);
      std::map<std::string, int> requests;
      for (const auto& e : run.query().events(trace::EventKind::request_begin))
        ++requests[std::string(run.trace.string(e.b))];
      std::vector<std::string> unfetched, twice;
      for (int page = 1; page <= pages; ++page) {
        const int n = requests[page_url(page)];
        if (n == 0) unfetched.push_back(short_name(page_url(page)));
        if (n > 1) twice.push_back(fmt::format("{} ({} times)", short_name(page_url(page)), n));
      }
      if (!unfetched.empty() || !twice.empty())
        grading::fail(fmt::format("seed {}, limit {}: {}{}{}", seed, limit,
                                  unfetched.empty() ? "" : "never fetched: " + joined(unfetched),
                                  !unfetched.empty() && !twice.empty() ? "; " : "",
                                  twice.empty() ? "" : "fetched more than once: " + joined(twice)),
                      fmt::format("each of the {} pages fetched exactly once", pages),
                      "exercise.cpp: the loop that spawns one scrape_page task per url");
      std::vector<std::string> missing;
      for (int page = 1; page <= pages; ++page) {
        auto it = report->titles.find(page_url(page));
        if (it == report->titles.end() || it->second != fmt::format("Page {}", page))
          missing.push_back(short_name(page_url(page)));
      }
      if (!missing.empty())
        grading::fail(
            fmt::format("seed {}, limit {}: the report kept {} of {} titles; missing or wrong: {}", seed,
                        limit, report->titles.size(), pages, joined(missing)),
            fmt::format("report.titles maps each of the {} urls to its title (\"Page 1\", ...)", pages),
            "exercise.cpp: what you do with each result join_next hands back");
    }
  }
}

TEST_CASE("never more than `limit` requests are in flight at once", "[ex05][task_2]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, report] = scrape(seed, limit, false);
      grading::require_finished(run);
      const auto b = grading::requests_in_flight(run.trace);
      if (b.peak > limit)
        grading::fail(
            fmt::format("seed {}, limit {}: at {}, {} requests were in flight at once: {}", seed, limit,
                        grading::GradedRun::at(b.first_peak_at), b.peak, short_names(b.urls_at_peak)),
            fmt::format("never more than {} requests in flight (seed B: overusing spawn floods the "
                        "servers; with ten thousand pages this is ten thousand sockets)",
                        limit),
            "exercise.cpp: before set.spawn(...), while the set already holds `limit` tasks, wait for "
            "one with co_await set.join_next() (seed C's hint: limit the JoinSet's size)");
    }
  }
}

TEST_CASE("the limit is used: `limit` requests in flight, and a freed slot is refilled at once",
          "[ex05][task_3]") {
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, report] = scrape(seed, limit, false);
      grading::require_finished(run);
      const auto b = grading::requests_in_flight(run.trace);
      if (b.peak < limit)
        grading::fail(
            fmt::format("seed {}, limit {}: never more than {} request{} in flight at once (first at {}: {})",
                        seed, limit, b.peak, b.peak == 1 ? "" : "s", grading::GradedRun::at(b.first_peak_at),
                        short_names(b.urls_at_peak)),
            fmt::format("{} requests in flight at once: the limit is a budget to use, not only a ceiling",
                        limit),
            "exercise.cpp: the condition that makes your loop wait — with fewer than `limit` tasks in "
            "the set it must spawn the next page, not wait");
      const auto ideal = refilled_at_once(limit);
      if (run.end() > ideal)
        grading::fail(
            fmt::format("seed {}, limit {}: the last page was done at {}, although {} requests were in "
                        "flight at the busiest moment",
                        seed, limit, grading::GradedRun::at(run.end()), b.peak),
            fmt::format("done at {}: each time a page finishes, the next one starts at once",
                        grading::GradedRun::at(ideal)),
            "exercise.cpp: wait for *one* page to finish (one join_next) before spawning the next, not "
            "for the whole batch of `limit` pages");
    }
  }
}

TEST_CASE("a failed fetch and a panicking task are reported, and the other pages are kept",
          "[ex05][task_4]") {
  const std::string refused = page_url(refused_page), untitled = page_url(untitled_page);
  for (auto seed : grading::seeds) {
    for (auto limit : limits) {
      auto [run, report] = scrape(seed, limit, true);
      grading::require_finished(run);
      const bool failure_reported =
          std::ranges::any_of(report->failed, [&](const auto& e) { return e.url == refused; });
      if (!failure_reported || report->failed.size() != 1)
        grading::fail(
            fmt::format("seed {}, limit {}: {} refused the connection, and report.failed holds {} "
                        "error{}{}",
                        seed, limit, short_name(refused), report->failed.size(),
                        report->failed.size() == 1 ? "" : "s",
                        report->failed.empty()
                            ? ""
                            : fmt::format(" (the first for {})", short_name(report->failed[0].url))),
            fmt::format("report.failed holds exactly one error, {}'s — the seed's "
                        "`Ok(Err(e)) => eprintln!(\"Request failed: {{e}}\")` arm, kept instead of printed",
                        short_name(refused)),
            "exercise.cpp: a result of join_next whose PageResult is an error");
      const bool panic_reported = std::ranges::any_of(
          report->panicked, [&](const auto& m) { return m.find(untitled) != std::string::npos; });
      if (!panic_reported || report->panicked.size() != 1)
        grading::fail(
            fmt::format("seed {}, limit {}: {} has no <title>, so its task panicked (\"called unwrap() on "
                        "None: no <title> in {}\"), and report.panicked holds {} message{}",
                        seed, limit, short_name(untitled), untitled, report->panicked.size(),
                        report->panicked.size() == 1 ? "" : "s"),
            "report.panicked holds exactly that task's panic message, JoinError::panic_message() — the "
            "seed's `Err(e) => eprintln!(\"Task panicked: {e}\")` arm",
            "exercise.cpp: a result of join_next that is itself an error (a JoinError)");
      std::vector<std::string> missing;
      for (int page = 1; page <= pages; ++page) {
        if (page == refused_page || page == untitled_page) continue;
        if (!report->titles.contains(page_url(page))) missing.push_back(short_name(page_url(page)));
      }
      if (!missing.empty() || report->titles.size() != pages - 2)
        grading::fail(
            fmt::format("seed {}, limit {}: with {} failing and {} panicking, report.titles holds {} "
                        "page{}; missing: {}",
                        seed, limit, short_name(refused), short_name(untitled), report->titles.size(),
                        report->titles.size() == 1 ? "" : "s", missing.empty() ? "none" : joined(missing)),
            fmt::format("the {} other pages' titles, and only those: one bad page must not cost the rest",
                        pages - 2),
            "exercise.cpp: what happens to the loop (and the set) after a bad result");
    }
  }
}
