// Grader of exercise 06 (with_timeout: a deadline for the whole errand). Each TEST_CASE is one graded
// point, tagged [task_N].
//
// The grader's main calls fetch_within, marks the moment it returned, then keeps the program running
// for a second more, so a request left running behind the deadline's back shows up in the trace.
#include <cstddef>
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::vector<std::string>> fetch_within(std::vector<std::string> urls, Duration budget);

namespace {

constexpr std::string_view returned_mark = "fetch_within returned";

std::string page_url(std::size_t i) { return fmt::format("https://status.example/page{}", i + 1); }
std::size_t body_size(std::size_t i) { return 100 * (i + 1); }

struct Page {
  Duration latency;
  bool refused = false;
};

struct Errand {
  std::vector<Page> pages;
  Duration budget;
  std::string describe() const {
    std::vector<std::string> each;
    for (const auto& p : pages)
      each.push_back(grading::GradedRun::at(p.latency) + (p.refused ? " (refused)" : ""));
    if (pages.empty()) return fmt::format("no pages, budget {}", grading::GradedRun::at(budget));
    return fmt::format("{} page{} of {}, budget {}", pages.size(), pages.size() == 1 ? "" : "s",
                       fmt::join(each, ", "), grading::GradedRun::at(budget));
  }
};

Task<std::vector<std::string>> errand_main(std::vector<std::string> urls, Duration budget) {
  auto bodies = co_await fetch_within(std::move(urls), budget);
  mark(returned_mark);
  co_await sleep(1s);  // the program goes on; whatever fetch_within left behind gets its chance to run
  co_return bodies;
}

struct Request {
  std::size_t page = 0;  // 0-based; pages.size() for a URL of no page
  std::chrono::nanoseconds began{0};
  std::optional<std::chrono::nanoseconds> ended;
  bool cancelled = false;
};

struct Observed {
  grading::GradedRun run;
  std::optional<std::vector<std::string>> bodies;
  std::vector<Request> requests;  // in the order they began
  std::chrono::nanoseconds returned{0};
};

Observed run_errand(std::uint64_t seed, const Errand& errand) {
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < errand.pages.size(); ++i) urls.push_back(page_url(i));
  auto world = [errand](Runtime::Builder& builder) {
    sim::Network net;
    for (std::size_t i = 0; i < errand.pages.size(); ++i) {
      auto& route = net.url(page_url(i)).latency(errand.pages[i].latency).body_size(body_size(i));
      if (errand.pages[i].refused) route.fail(sim::HttpFailure::connection_refused);
    }
    builder.network(net);
  };
  Observed o;
  o.run = grading::run_graded(
      "06-with-timeout", seed, [urls, budget = errand.budget] { return errand_main(urls, budget); }, world,
      [&](std::vector<std::string> b) { o.bodies = std::move(b); });
  std::map<std::uint64_t, std::size_t> by_id;
  o.returned = o.run.end();
  for (std::size_t k = 0; k < o.run.trace.size(); ++k) {
    const trace::Event e = o.run.trace[k];
    const auto t = trace::TraceQuery::time(e);
    if (e.kind == trace::EventKind::request_begin) {
      Request r;
      r.page = errand.pages.size();
      for (std::size_t i = 0; i < errand.pages.size(); ++i)
        if (o.run.trace.string(e.b) == page_url(i)) r.page = i;
      r.began = t;
      by_id[e.a] = o.requests.size();
      o.requests.push_back(r);
    } else if (e.kind == trace::EventKind::request_end) {
      if (auto it = by_id.find(e.a); it != by_id.end()) {
        o.requests[it->second].ended = t;
        o.requests[it->second].cancelled = e.flags == static_cast<std::uint16_t>(trace::HttpFailure::cancelled);
      }
    } else if (e.kind == trace::EventKind::mark && o.run.trace.string(e.b) == returned_mark) {
      o.returned = t;
    }
  }
  return o;
}

std::string at(std::chrono::nanoseconds t) { return grading::GradedRun::at(t); }

std::string sizes(const std::vector<std::string>& bodies) {
  std::vector<std::string> out;
  for (const auto& b : bodies) out.push_back(fmt::format("{}", b.size()));
  return bodies.empty() ? "no bodies" : fmt::format("bodies of {} bytes", fmt::join(out, ", "));
}

// The bodies a correct fetch_within returns: every page that ends before the deadline, in order.
std::vector<std::size_t> expected_sizes(const Errand& errand, std::chrono::nanoseconds* ends) {
  std::vector<std::size_t> out;
  std::chrono::nanoseconds t{0};
  for (std::size_t i = 0; i < errand.pages.size(); ++i) {
    if (t + errand.pages[i].latency >= errand.budget) {
      *ends = errand.budget;
      return out;
    }
    t += errand.pages[i].latency;
    out.push_back(errand.pages[i].refused ? 0 : body_size(i));
  }
  *ends = t;
  return out;
}

void check_one_at_a_time(std::uint64_t seed, const Errand& errand, const Observed& o) {
  for (std::size_t i = 1; i < o.requests.size(); ++i)
    if (!o.requests[i - 1].ended || o.requests[i].began < *o.requests[i - 1].ended)
      grading::fail(fmt::format("seed {}, {}: page {}'s request began at {} while page {}'s was still on its way",
                                seed, errand.describe(), o.requests[i].page + 1, at(o.requests[i].began),
                                o.requests[i - 1].page + 1),
                    "one request at a time, in order: the site allows no more",
                    "exercise.cpp: await each page (raced against the deadline) before asking for the next — "
                    "join or spawn runs them together");
}

void check_bodies_and_return(std::uint64_t seed, const Errand& errand, const Observed& o, std::string_view look_at) {
  std::chrono::nanoseconds ends{0};
  const auto want = expected_sizes(errand, &ends);
  std::vector<std::size_t> got;
  if (o.bodies)
    for (const auto& b : *o.bodies) got.push_back(b.size());
  if (!o.bodies || got != want)
    grading::fail(fmt::format("seed {}, {}: fetch_within returned {} at {}", seed, errand.describe(),
                              o.bodies ? sizes(*o.bodies) : std::string("nothing"), at(o.returned)),
                  fmt::format("bodies of {} bytes{}, in order",
                              want.empty() ? std::string("no") : fmt::format("{}", fmt::join(want, ", ")),
                              want.size() < errand.pages.size() ? ": the pages that arrived before the deadline" : ""),
                  look_at);
  if (o.returned != ends)
    grading::fail(fmt::format("seed {}, {}: fetch_within returned its {} at {}", seed, errand.describe(),
                              sizes(*o.bodies), at(o.returned)),
                  fmt::format("at {}{}", at(ends),
                              want.size() < errand.pages.size() ? ", the deadline: the budget counts from the call, "
                                                                  "for the whole errand"
                                                                : ", when the last page arrived"),
                  look_at);
}

}  // namespace

TEST_CASE("every page in time: every body, in order, one request at a time, as soon as the last arrives",
          "[ex06][task_1]") {
  const std::vector<Errand> errands{
      {{{100ms}, {50ms}, {150ms}}, 1s},
      {{{100ms}, {100ms, true}, {100ms}}, 1s},
      {{}, 200ms},
  };
  for (auto seed : grading::seeds) {
    for (const auto& errand : errands) {
      auto o = run_errand(seed, errand);
      grading::require_finished(o.run);
      check_one_at_a_time(seed, errand, o);
      check_bodies_and_return(seed, errand, o,
                              "exercise.cpp: each page's body in its place (a refused page: an empty body), and "
                              "return as soon as the last one is in — a race ends when its first runner arrives");
    }
  }
}

TEST_CASE("one deadline for the whole errand: at the deadline, the bodies that arrived before it", "[ex06][task_2]") {
  const std::vector<Errand> errands{
      {{{150ms}, {150ms}, {150ms}, {150ms}}, 400ms},
      {{{150ms}, {150ms}}, 100ms},
      {{{50ms}, {300ms}, {50ms}}, 250ms},
  };
  for (auto seed : grading::seeds) {
    for (const auto& errand : errands) {
      auto o = run_errand(seed, errand);
      grading::require_finished(o.run);
      check_one_at_a_time(seed, errand, o);
      check_bodies_and_return(seed, errand, o,
                              "exercise.cpp: what ends the wait at the deadline. A clock read after a page has "
                              "arrived cannot; a race against a timer can (select, lesson 11) — against one deadline "
                              "for the whole errand, `sleep_until(deadline)` with `deadline = now() + budget` fixed at "
                              "the call, not a `sleep(budget)` per page, which gives every page the whole budget");
    }
  }
}

TEST_CASE("at the deadline the page on its way is dropped, and no page after it is asked for", "[ex06][task_3]") {
  // Eight pages: a loop that goes on after the deadline asks for the next page in a race whose timer
  // has already fired, and select's random start lets each such request begin with probability ½.
  const Errand errand{{{150ms}, {150ms}, {150ms}, {150ms}, {150ms}, {150ms}, {150ms}, {150ms}}, 400ms};
  for (auto seed : grading::seeds) {
    auto o = run_errand(seed, errand);
    grading::require_finished(o.run);
    for (const auto& r : o.requests) {
      if (r.began >= errand.budget)
        grading::fail(fmt::format("seed {}, {}: page {} was asked for at {}, after the budget ran out at {}", seed,
                                  errand.describe(), r.page + 1, at(r.began), at(errand.budget)),
                      "no request after the deadline: the status page is shown without the rest",
                      "exercise.cpp: stop the loop when the deadline wins the race");
      if (r.ended && *r.ended > errand.budget && !r.cancelled)
        grading::fail(fmt::format("seed {}, {}: page {}'s request ran on past the deadline and finished at {} — "
                                  "nobody waits for it, but it holds the site's one connection",
                                  seed, errand.describe(), r.page + 1, at(*r.ended)),
                      fmt::format("the request in flight dropped at {}, the deadline: cancelled, not left running",
                                  at(errand.budget)),
                      "exercise.cpp: where the request's future lives. Raced inside select it is dropped with the "
                      "losing branch; spawned, it is a task of its own that keeps running when its JoinHandle is "
                      "dropped");
      if (r.ended && r.cancelled && *r.ended != errand.budget)
        grading::fail(fmt::format("seed {}, {}: page {}'s request was cancelled at {}", seed, errand.describe(),
                                  r.page + 1, at(*r.ended)),
                      fmt::format("cancelled at {}, the deadline", at(errand.budget)),
                      "exercise.cpp: when the race against the deadline ends");
    }
    const bool dropped = std::any_of(o.requests.begin(), o.requests.end(), [&](const Request& r) {
      return r.page == 2 && r.cancelled && r.ended == errand.budget;
    });
    if (!dropped)
      grading::fail(fmt::format("seed {}, {}: page 3's request, on its way at the deadline, was not cancelled at {}",
                                seed, errand.describe(), at(errand.budget)),
                    "page 3 asked for at 300 ms and dropped at 400 ms",
                    "exercise.cpp: race each page against the deadline, so the page in flight is dropped with "
                    "the losing branch");
  }
}
