// Exercise 10 — don't block the executor. Read README.md first; `asynclab grade 10` checks your work
// and `asynclab hint 10` gives a hint.
#include <expected>
#include <string>

#include "asynclab/asynclab.hpp"
#include "legacy_reader.hpp"

using namespace asynclab;

// Reads the file at `path` without stalling the other tasks: its contents, or what went wrong.
Task<std::expected<std::string, std::string>> load_file(std::string path) {
  // TODO: legacy::read_to_string holds the worker for the whole read, so no other task runs
  // meanwhile. Run it with spawn_blocking, and return both of its failures as error values.
  co_return legacy::read_to_string(path);
}
