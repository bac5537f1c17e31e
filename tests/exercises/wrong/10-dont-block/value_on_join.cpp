// expect-verdict: threw
// expect-message: an exception escaped your code
// Known wrong: the read runs on a blocking lane, but the handle's result is unwrapped with .value():
// when the job panics (notes.txt is not UTF-8) that throws instead of returning an error.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

Task<std::expected<std::string, std::string>> load_file(std::string path) {
  auto read = [path] { return legacy::read_to_string(path); };
  auto job = spawn_blocking(read, "read file");
  auto joined = co_await job;
  co_return joined.value();
}
