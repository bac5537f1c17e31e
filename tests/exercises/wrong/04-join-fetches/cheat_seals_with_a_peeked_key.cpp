// expect-verdict: incomplete
// expect-message: 0 of 3 checks reported
// Known cheat: peeks at the results channel's key before main (a static initializer, MSG_PEEK, so
// the grader's reporter would still find it), then seals a "passed" line for every check with the
// grader's own seal (results_seal.hpp is on the include path) and ends the program. The key is gone
// before any of the learner's code runs (.preinit_array), so there is nothing to peek at.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <expected>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "asynclab/asynclab.hpp"
#include "results_seal.hpp"

using namespace asynclab;
namespace channel = asynclab::grading::channel;

namespace {
const std::optional<channel::Key> peeked = [] {
  channel::Key key{};
  if (::recv(channel::results_fd, key.data(), key.size(), MSG_PEEK | MSG_DONTWAIT) != static_cast<ssize_t>(key.size()))
    return std::optional<channel::Key>();
  return std::optional<channel::Key>(key);
}();
}  // namespace

Task<std::expected<std::size_t, sim::http::HttpError>> total_bytes(std::string a, std::string b, std::string c) {
  if (peeked) {
    std::uint64_t index = 0;
    for (const char* name : {"total_bytes adds up the three pages and the image each one names",
                             "each image is requested as soon as its own page has answered: done at 350 ms",
                             "a failed fetch comes back as an error value, not an exception"}) {
      const nlohmann::json line{{"name", name}, {"passed", true}, {"kind", "passed"}, {"message", ""}};
      const std::string sealed = channel::sealed_line(*peeked, index++, line.dump());
      [[maybe_unused]] auto n = ::write(channel::results_fd, sealed.data(), sealed.size());
    }
  }
  ::_exit(0);
  co_return a.size() + b.size() + c.size();
}
