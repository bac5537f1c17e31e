// Lesson 09, JoinSet and a concurrency limit: never more than K requests in flight and K reached;
// results handed back in the order the tasks finished; a failed fetch and a panicking task both
// reported while every other page is kept.
#include <algorithm>
#include <numeric>
#include <regex>

#include "lessons/lesson_support.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;

namespace {

constexpr std::uint64_t seeds[] = {1, 3, 4242};

lessons::LessonRun scrape(int pages, bool limited, int limit, std::uint64_t seed) {
  return run_lesson_with("09-joinset",
                         {{"pages", std::to_string(pages)},
                          {"limited", limited ? "true" : "false"},
                          {"limit", std::to_string(limit)}},
                         seed);
}

// The most requests between their request_begin and request_end at any moment of the trace.
int peak_in_flight(const lessons::LessonRun& run) {
  int now = 0, peak = 0;
  for (std::size_t i = 0; i < run.trace.size(); ++i) {
    const auto e = run.trace[i];
    if (e.kind == trace::EventKind::request_begin) peak = std::max(peak, ++now);
    if (e.kind == trace::EventKind::request_end) --now;
  }
  return peak;
}

// Page numbers of the page tasks, in the order they completed (ok or panicked).
std::vector<int> completion_order(const lessons::LessonRun& run) {
  std::vector<int> pages;
  for (std::size_t i = 0; i < run.trace.size(); ++i) {
    const auto e = run.trace[i];
    if (e.kind != trace::EventKind::task_completed) continue;
    const std::string name = run.trace.task_name(e.task);
    if (name.starts_with("page ")) pages.push_back(std::stoi(name.substr(5)));
  }
  return pages;
}

// Page numbers of the results main collected, in the order it printed them.
std::vector<int> result_order(const lessons::LessonRun& run) {
  static const std::regex page(R"((?:got "Page |Request failed: .*/page/|Task panicked: .*/page/)(\d+))");
  std::vector<int> pages;
  for (const auto& line : run.said) {
    std::smatch m;
    if (std::regex_search(line.text, m, page)) pages.push_back(std::stoi(m[1]));
  }
  return pages;
}

std::size_t lines_with(const lessons::LessonRun& run, std::string_view what) {
  return static_cast<std::size_t>(std::count_if(run.said.begin(), run.said.end(), [&](const auto& l) {
    return l.text.find(what) != std::string::npos;
  }));
}

}  // namespace

TEST_CASE("lesson 09: with the limit, requests in flight never exceed K and reach K", "[lessons][lesson09]") {
  for (auto [pages, limit] : {std::pair{10, 3}, {10, 1}, {12, 5}, {6, 8}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("pages {} limit {} seed {}", pages, limit, seed));
      auto run = scrape(pages, true, limit, seed);
      CHECK(peak_in_flight(run) == std::min(pages, limit));
      TraceQuery q(run.trace);
      CHECK(q.count(trace::EventKind::request_begin) == static_cast<std::size_t>(pages));
      // The scenario's own count agrees with the trace's.
      CHECK(lines_with(run, fmt::format("at most {} requests were in flight", std::min(pages, limit))) == 1);
    }
  }
}

TEST_CASE("lesson 09: without the limit every page is in flight at once", "[lessons][lesson09]") {
  for (int pages : {5, 10, 30}) {
    INFO(fmt::format("pages {}", pages));
    auto run = scrape(pages, false, 3, 1);
    CHECK(peak_in_flight(run) == pages);
    auto spawned = find_event(run, "mark label=\"all spawned\"");
    REQUIRE(spawned);
    CHECK(time_at(run, *spawned) == std::chrono::nanoseconds(0));
  }
}

TEST_CASE("lesson 09: join_next hands results back in the order the tasks finished", "[lessons][lesson09]") {
  for (auto [limited, limit] : {std::pair{false, 3}, {true, 3}, {true, 2}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("limited {} limit {} seed {}", limited, limit, seed));
      auto run = scrape(10, limited, limit, seed);
      auto finished = completion_order(run);
      REQUIRE(finished.size() == 10);
      CHECK(result_order(run) == finished);
      // And that order is not the spawn order: the short fetches come back first.
      std::vector<int> spawned(10);
      std::iota(spawned.begin(), spawned.end(), 1);
      CHECK(finished != spawned);
    }
  }
  auto run = scrape(10, false, 3, 1);
  CHECK(completion_order(run) == std::vector<int>{8, 5, 2, 10, 7, 4, 1, 9, 6, 3});
}

TEST_CASE("lesson 09: a failed fetch and a panicking task are both reported and the other pages kept",
          "[lessons][lesson09]") {
  for (auto [pages, limited] : {std::pair{10, false}, {10, true}, {7, true}, {24, true}}) {
    for (auto seed : seeds) {
      INFO(fmt::format("pages {} limited {} seed {}", pages, limited, seed));
      auto run = scrape(pages, limited, 3, seed);
      TraceQuery q(run.trace);
      // Page 3 returned an error: its task finished normally. Page 5's task panicked.
      CHECK(q.outcome(q.task_named("page 3")) == trace::Outcome::ok);
      CHECK(q.outcome(q.task_named("page 5")) == trace::Outcome::panicked);
      CHECK(q.outcome(q.task_named("main")) == trace::Outcome::ok);
      CHECK(lines_with(run, "Request failed: connection refused: https://site.example/page/3") == 1);
      CHECK(lines_with(run, "Task panicked: ") == 1);
      CHECK(lines_with(run, "no <title> in https://site.example/page/5") == 1);
      for (int page = 1; page <= pages; ++page) {
        INFO(fmt::format("page {}", page));
        const bool kept = page != 3 && page != 5;
        CHECK(lines_with(run, fmt::format("got \"Page {}\"", page)) == (kept ? 1u : 0u));
      }
      CHECK(lines_with(run, fmt::format("kept {} of {} pages", pages - 2, pages)) == 1);
    }
  }
}
