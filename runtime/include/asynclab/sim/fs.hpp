#pragma once
// sim::fs — `tokio::fs` over an in-memory file table: reading a file is blocking work, so, as in
// tokio, every call runs on the blocking pool (spawn_blocking) and is awaited from the task.
//
// Rules:
// * Each runtime has its own FileSystem: give one to the builder (Runtime::builder().files(fs)) or
//   change the running runtime's through sim::files().
// * A file's read_time is how long reading it blocks its blocking lane (default 1 ms).
// * read_to_string of a missing path gives FsError::not_found; nothing throws.
#include <expected>
#include <map>
#include <string>
#include <string_view>

#include "asynclab/task.hpp"
#include "asynclab/time/clock.hpp"

namespace asynclab::sim {

class FileSystem {
 public:
  struct File {
    std::string contents;
    Duration read_time = std::chrono::milliseconds(1);
  };
  void add(std::string path, std::string contents, Duration read_time = std::chrono::milliseconds(1)) {
    files_[std::move(path)] = File{std::move(contents), read_time};
  }
  const File* find(std::string_view path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second;
  }
  void remove(std::string_view path) {
    if (auto it = files_.find(path); it != files_.end()) files_.erase(it);
  }

 private:
  std::map<std::string, File, std::less<>> files_;
};

// The running runtime's file table (throws std::logic_error outside a runtime).
FileSystem& files();

namespace fs {

struct FsError {
  enum class Kind { not_found };
  Kind kind = Kind::not_found;
  std::string path;
  std::string message() const { return "no such file: " + path; }
};

Task<std::expected<std::string, FsError>> read_to_string(std::string path);
Task<void> write(std::string path, std::string contents);

}  // namespace fs
}  // namespace asynclab::sim
