// expect-verdict: failed
// expect-message: the heartbeat's beat due at 10 ms came at 205 ms; task "loader" held the worker
// Known wrong: spawn_blocking, but the read happens in the lambda's capture — computed right here, in
// the task, before spawn_blocking even starts; the job itself only hands back what was already read.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

Task<std::expected<std::string, std::string>> load_file(std::string path) {
  auto read = [data = legacy::read_to_string(path)] { return data; };
  auto job = spawn_blocking(read, "read file");
  auto joined = co_await job;
  if (!joined) co_return std::unexpected("reading " + path + ": " + joined.error().to_string());
  co_return std::move(*joined);
}
