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

using namespace asynclab;

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
  auto [ra, rb, rc] = co_await join(sim::http::get(a), sim::http::get(b), sim::http::get(c));
  if (!ra) co_return std::unexpected(ra.error());
  if (!rb) co_return std::unexpected(rb.error());
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
