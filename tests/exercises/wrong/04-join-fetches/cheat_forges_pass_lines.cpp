// expect-verdict: incomplete
// expect-message: result line 1 was not written by the grader's reporter
// Known cheat: reads every check's name from Catch2's registry, writes a "passed" line for each, in
// the reporter's format, to every descriptor the process has open (wherever results go), then
// _exit(0) before any real check can fail.
#include <dirent.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <expected>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  std::string lines;
  for (const auto& check : Catch::getAllTestCasesSorted(*Catch::getCurrentContext().getConfig())) {
    nlohmann::json line{{"name", check.name}, {"tags", check.tags}, {"passed", true}, {"kind", "passed"},
                        {"message", ""}};
    lines += line.dump() + "\n";
  }
  if (DIR* fds = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(fds))
      if (entry->d_name[0] != '.') [[maybe_unused]] auto n = ::write(std::atoi(entry->d_name), lines.data(), lines.size());
    ::closedir(fds);
  }
  ::_exit(0);
  auto ra = co_await sim::http::get(a);
  if (!ra) co_return std::unexpected(ra.error());
  auto rb = co_await sim::http::get(b);
  if (!rb) co_return std::unexpected(rb.error());
  auto rc = co_await sim::http::get(c);
  if (!rc) co_return std::unexpected(rc.error());
  co_return ra->body.size() + rb->body.size() + rc->body.size();
}
