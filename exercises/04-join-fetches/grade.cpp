// Grader of exercise 04 (join three pages, each with its image). Each TEST_CASE is one graded point,
// tagged [task_N].
#include <array>
#include <cstddef>
#include <expected>
#include <string>

#include "grading.hpp"
#include "page.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c);

namespace {

// A page, the image it names, and how long each takes to answer. The right shape ends when the
// slowest page-then-image pair does (350 ms); joining the pages, then the images, ends at the slowest
// page plus the slowest image (300 + 250 = 550 ms).
struct Page {
  std::string url, image;
  Duration page_latency, image_latency;
  std::size_t image_bytes;
  std::string body() const { return "<h1>" + url.substr(url.rfind('/') + 1) + "</h1><img src=\"" + image + "\">"; }
};
const std::array<Page, 3> pages{{
    {"https://api.example/users", "https://cdn.example/users.png", 100ms, 250ms, 1200},
    {"https://api.example/posts", "https://cdn.example/posts.png", 200ms, 150ms, 3400},
    {"https://api.example/comments", "https://cdn.example/comments.png", 300ms, 40ms, 560},
}};
constexpr Duration expected_end = 350ms;

std::size_t pages_bytes() {
  std::size_t n = 0;
  for (const Page& p : pages) n += p.body().size();
  return n;
}
std::size_t images_bytes() {
  std::size_t n = 0;
  for (const Page& p : pages) n += p.image_bytes;
  return n;
}

// `failing_image` (0-2) refuses the connection to that page's image.
std::function<void(Runtime::Builder&)> world(int failing_image = -1) {
  return [failing_image](Runtime::Builder& builder) {
    sim::Network net;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      net.url(pages[i].url).latency(pages[i].page_latency).body(pages[i].body());
      net.url(pages[i].image).latency(pages[i].image_latency).body_size(pages[i].image_bytes);
      if (static_cast<int>(i) == failing_image) net.url(pages[i].image).fail(sim::HttpFailure::connection_refused);
    }
    builder.network(net);
  };
}

Task<std::expected<std::size_t, sim::http::HttpError>> weigh_the_three() {
  return total_bytes(pages[0].url, pages[1].url, pages[2].url);
}

std::string at(Duration d) { return grading::GradedRun::at(d); }

std::string short_name(const std::string& url) { return url.substr(url.find("//") + 2); }

}  // namespace

TEST_CASE("total_bytes adds up the three pages and the image each one names", "[ex04][task_1]") {
  const std::size_t want = pages_bytes() + images_bytes();
  const std::string expected =
      fmt::format("{} ({} bytes of pages + 1200 + 3400 + 560 bytes of images)", want, pages_bytes());
  for (auto seed : grading::seeds) {
    std::optional<std::expected<std::size_t, sim::http::HttpError>> got;
    auto run = grading::run_graded("04-join-fetches", seed, weigh_the_three, world(),
                                   [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || !*got)
      grading::fail(fmt::format("seed {}: total_bytes returned {} although every fetch answered", seed,
                                got ? fmt::format("the error of {}", (*got).error().url) : "nothing"),
                    expected, "exercise.cpp: what you co_return");
    if (**got == pages_bytes())
      grading::fail(fmt::format("seed {}: total_bytes returned {}: the three pages alone", seed, **got), expected,
                    "exercise.cpp: each page names an image (image_of(page->body)) — fetch it and count its "
                    "bytes too");
    if (**got != want)
      grading::fail(fmt::format("seed {}: total_bytes returned {}", seed, **got), expected,
                    "exercise.cpp: adding up body.size() of the three pages and their three images");
  }
}

TEST_CASE("each image is requested as soon as its own page has answered: done at 350 ms", "[ex04][task_2]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded("04-join-fetches", seed, weigh_the_three, world());
    grading::require_finished(run);
    std::array<std::optional<grading::Request>, 3> page, image;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      page[i] = grading::first_request_to(run, pages[i].url);
      image[i] = grading::first_request_to(run, pages[i].image);
      if (!page[i] || !image[i])
        grading::fail(fmt::format("seed {}: {} was never requested; the run ended at {}", seed,
                                  page[i] ? pages[i].image : pages[i].url, at(run.end())),
                      "each of the three pages and the image it names requested once",
                      "exercise.cpp: every page, and the image_of(...) its body names");
    }
    // The pages: all three in flight from the start, as lesson 08's join had them.
    for (std::size_t i = 0; i < pages.size(); ++i)
      if (page[i]->began != 0ns)
        grading::fail(fmt::format("seed {}: the pages were requested at {}, {} and {}: {} waited for what came "
                                  "before it; the run ended at {}",
                                  seed, at(page[0]->began), at(page[1]->began), at(page[2]->began),
                                  short_name(pages[i].url), at(run.end())),
                      "the three pages requested together at 0 ms",
                      "exercise.cpp: each `co_await` on its own line waits before the next request starts — "
                      "await the pages together with join(...)");
    // The images: each the moment its own page answered, not when the slowest page did.
    for (std::size_t i = 0; i < pages.size(); ++i)
      if (image[i]->began != page[i]->ended)
        grading::fail(
            fmt::format("seed {}: the image of {} was requested at {}, though the page had answered at {}; the "
                        "run ended at {}",
                        seed, short_name(pages[i].url), at(image[i]->began), at(page[i]->ended), at(run.end())),
            fmt::format("each image requested the moment its page answers ({} at {}), every pair done by {}",
                        short_name(pages[i].image), at(page[i]->ended), at(expected_end)),
            "exercise.cpp: a page's image waited for the other pages — make each branch of the join a page "
            "*and then* its image (a coroutine of your own), so each branch goes on by itself");
    if (run.end() != expected_end)
      grading::fail(fmt::format("seed {}: the run ended at {}", seed, at(run.end())),
                    fmt::format("done at {}: the slowest page-then-image pair", at(expected_end)),
                    "exercise.cpp: what total_bytes awaits after the six requests");
  }
}

TEST_CASE("a failed fetch comes back as an error value, not an exception", "[ex04][task_3]") {
  const Page& failing = pages[1];
  for (auto seed : grading::seeds) {
    std::optional<std::expected<std::size_t, sim::http::HttpError>> got;
    auto run = grading::run_graded("04-join-fetches", seed, weigh_the_three, world(1),
                                   [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || *got)
      grading::fail(fmt::format("seed {}: with {} refusing connections, total_bytes returned {}", seed,
                                failing.image, got && *got ? std::to_string(**got) : "nothing"),
                    "an error (std::unexpected) naming " + failing.image,
                    "exercise.cpp: what happens when a response is an error");
    if (got->error().url != failing.image)
      grading::fail(fmt::format("seed {}: the error names {}", seed, got->error().url),
                    "the error of " + failing.image, "exercise.cpp: which response's error you return");
  }
}
