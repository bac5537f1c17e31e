// Reference solution of exercise 10: the blocking read handed to spawn_blocking, both layers of its
// result unpacked (the seed's `spawn_blocking(|| read_to_string(..)).await??`).
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

Task<std::expected<std::string, std::string>> load_file(std::string path) {
  // Named before it is awaited: a lambda with a std::string capture (GCC 12, runtime/README.md).
  auto read = [path] { return legacy::read_to_string(path); };
  auto job = spawn_blocking(read, "read file");
  auto joined = co_await job;  // std::expected<std::expected<std::string, std::string>, JoinError>
  if (!joined)
    co_return std::unexpected("reading " + path + ": " + joined.error().to_string());  // the first `?`
  co_return std::move(*joined);  // the second `?`: the read's own result, contents or error, as it is
}
