// Lesson 09 — JoinSet and a concurrency limit: a scraper fetches N pages, at most K at a time.
//
// The seed's `fetch_all` spawns one task per URL into a JoinSet and then drains it with
// `join_next`, which hands results back in the order the tasks finish. Its exercise 2 asks for a
// concurrency limit ("hint: limit JoinSet size"): before spawning the next page, wait for one to
// finish while the set already holds K. With `limited` off, every page is spawned at once — seed
// B's "overusing spawn": fine for ten pages, a flood of sockets for ten thousand.
//
// Two pages go wrong on purpose, in the two ways the seed's match tells apart: page 3's server
// refuses the connection (the task returns an error: `Ok(Err(e))`), and page 5 has no <title>, so
// the parser's unwrap panics (the task itself fails: `Err(JoinError)`).
#include <algorithm>
#include <expected>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

constexpr int refused_page = 3;
constexpr int untitled_page = 5;

std::string page_url(int page) { return fmt::format("https://site.example/page/{}", page); }

// Latencies from 80 to 480 ms, in an order unlike the pages' own, so the completion order differs
// visibly from the spawn order.
Duration page_latency(int page) { return std::chrono::milliseconds(80 + (page * 7 % 11) * 40); }

// Requests in flight right now, and the most there ever were: what the limit is about.
struct InFlight {
  int now = 0;
  int peak = 0;
};

// `reqwest::get(&url).await?.text().await`, then `parse_title(&body).unwrap()`: an error from the
// network is returned; a page without a title is a panic (an exception escaping the task).
using PageResult = std::expected<std::string, sim::http::HttpError>;

Task<PageResult> scrape(std::string url, std::shared_ptr<InFlight> in_flight) {
  struct Counted {
    InFlight& n;
    explicit Counted(InFlight& f) : n(f) { n.peak = std::max(n.peak, ++n.now); }
    ~Counted() { --n.now; }
  };
  std::optional<Counted> counting(std::in_place, *in_flight);
  auto response = co_await sim::http::get(url);
  counting.reset();
  if (!response) co_return std::unexpected(response.error());
  const auto& body = response->body;
  auto open = body.find("<title>");
  auto close = body.find("</title>");
  if (open == std::string::npos || close == std::string::npos)
    throw std::runtime_error(fmt::format("called unwrap() on None: no <title> in {}", url));
  co_return body.substr(open + 7, close - open - 7);
}

// One arm of the seed's `match res { Ok(Ok(body)) .., Ok(Err(e)) .., Err(e) .. }`.
void collect(std::expected<PageResult, JoinError> res, std::vector<std::string>& titles) {
  if (!res) {
    say("Task panicked: {}", res.error().to_string());
  } else if (!*res) {
    say("Request failed: {}", res->error().message());
  } else {
    say("got \"{}\"", **res);
    titles.push_back(**res);
  }
  mark("result in");
}

Task<void> fetch_all(int pages, bool limited, int limit) {
  auto in_flight = std::make_shared<InFlight>();
  // The task names live as long as the run: the runtime remembers the last spawn site by the
  // address of its name, so a name must not be a temporary whose storage the next one reuses.
  std::vector<std::string> names;
  for (int page = 1; page <= pages; ++page) names.push_back(fmt::format("page {}", page));
  JoinSet<PageResult> set;
  std::vector<std::string> titles;
  for (int page = 1; page <= pages; ++page) {
    // The limit: while the set holds K tasks, take a result before spawning the next page.
    while (limited && set.len() >= static_cast<std::size_t>(limit)) {
      auto res = co_await set.join_next();
      collect(std::move(*res), titles);
    }
    set.spawn(scrape(page_url(page), in_flight), names[page - 1]);
  }
  mark("all spawned");
  while (auto res = co_await set.join_next()) collect(std::move(*res), titles);
  say("kept {} of {} pages; at most {} requests were in flight at once", titles.size(), pages,
      in_flight->peak);
  mark("all pages collected");
}

}  // namespace

void scenario_09_joinset(ScenarioRun& run) {
  const auto& p = run.params();
  const int pages = static_cast<int>(p.integer("pages"));
  sim::Network net;
  for (int page = 1; page <= pages; ++page) {
    auto& route = net.url(page_url(page)).latency(page_latency(page));
    if (page == refused_page) {
      route.fail(sim::HttpFailure::connection_refused);
    } else if (page == untitled_page) {
      route.body("<html><p>under construction</p></html>");
    } else {
      route.body(fmt::format("<html><title>Page {}</title><p>...</p></html>", page));
    }
  }
  run.block_on(run.builder().network(net),
               fetch_all(pages, p.flag("limited"), static_cast<int>(p.integer("limit"))));
}

}  // namespace asynclab::lessons
