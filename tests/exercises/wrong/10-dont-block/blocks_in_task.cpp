// expect-verdict: failed
// expect-message: beat due at 10 ms came at 205 ms; task "loader" held the worker for 200 ms in one poll
// Known wrong: the seed's "Wrong: blocks the async executor" — errors handled with care, but the
// blocking read called straight from the task.
#include <exception>
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

Task<std::expected<std::string, std::string>> load_file(std::string path) {
  try {
    co_return legacy::read_to_string(path);
  } catch (const std::exception& e) {
    co_return std::unexpected(std::string("reading failed: ") + e.what());
  }
}
