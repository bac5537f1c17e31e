// expect-verdict: passed
// expect-message:
// Known adversary: a right solution that also leaves a process behind — it leaves the grader's
// session (setsid) and its parent dies, so it is nobody's child — meant to rewrite progress.json once
// asynclab has saved it. It must be dead before the verdict is given (graders_test looks for it by
// its name, "asynclab-escape").
#include <sys/prctl.h>
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "page.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> page_with_image(std::string url) {
  auto page = co_await sim::http::get(url);
  if (!page) co_return std::unexpected(page.error());
  auto image = co_await sim::http::get(image_of(page->body).value_or(""));
  if (!image) co_return std::unexpected(image.error());
  co_return page->body.size() + image->body.size();
}

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  static bool started = false;
  if (!started) {
    started = true;
    if (::fork() == 0) {
      ::setsid();
      if (::fork() == 0) {
        ::prctl(PR_SET_NAME, "asynclab-escape");
        ::sleep(60);  // then it would rewrite progress.json; it must never get there
      }
      ::_exit(0);
    }
  }
  auto [wa, wb, wc] = co_await join(page_with_image(a), page_with_image(b), page_with_image(c));
  if (!wa) co_return std::unexpected(wa.error());
  if (!wb) co_return std::unexpected(wb.error());
  if (!wc) co_return std::unexpected(wc.error());
  co_return *wa + *wb + *wc;
}
