// expect-verdict: failed
// expect-message: task "read file" held the worker for 200 ms in one poll
// Known wrong: the read moved into a task of its own with spawn, not spawn_blocking — but every task
// runs on the same worker, so that task holds it for the whole read instead.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

namespace {
Task<std::expected<std::string, std::string>> read_in_a_task(std::string path) {
  co_return legacy::read_to_string(path);
}
}  // namespace

Task<std::expected<std::string, std::string>> load_file(std::string path) {
  auto job = spawn(read_in_a_task(path), "read file");
  auto joined = co_await job;
  if (!joined) co_return std::unexpected("reading " + path + ": " + joined.error().to_string());
  co_return std::move(*joined);
}
