#pragma once
// Given: what exercise 05's scraper works with. Your code goes in exercise.cpp; the grader includes
// this file too, so leave it as it is.
//
// scrape_page is the seed's task body, `reqwest::get(&url).await?.text().await`, plus a title
// parser that unwraps: a page whose server fails gives an error value (Rust's `Ok(Err(e))` from
// join_next), and a page without a <title> throws, so its task panics (Rust's `Err(JoinError)`).
#include <expected>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"

struct Page {
  std::string url;
  std::string title;
};

using PageResult = std::expected<Page, asynclab::sim::http::HttpError>;

// What became of every page: its title, or why there is none.
struct ScrapeReport {
  std::map<std::string, std::string> titles;           // url -> title, for every page scraped
  std::vector<asynclab::sim::http::HttpError> failed;  // the fetch failed: the seed's `Ok(Err(e))`
  std::vector<std::string> panicked;                   // the task panicked: the seed's `Err(e)`,
                                                       // as JoinError::panic_message() says it
};

// Fetches one page and reads its <title>. Throws (a panic, once spawned) when there is none.
inline asynclab::Task<PageResult> scrape_page(std::string url) {
  auto response = co_await asynclab::sim::http::get(url);
  if (!response) co_return std::unexpected(response.error());
  const std::string& body = response->body;
  const auto open = body.find("<title>");
  const auto close = body.find("</title>");
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw std::runtime_error("called unwrap() on None: no <title> in " + url);
  co_return Page{url, body.substr(open + 7, close - open - 7)};
}

// Your function (exercise.cpp): every page of `urls` scraped, never more than `limit` at a time.
asynclab::Task<ScrapeReport> scrape_all(std::vector<std::string> urls, std::size_t limit);
