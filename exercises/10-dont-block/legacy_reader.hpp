#pragma once
// The old, synchronous code exercise 10 has to call: a file reader from a library written before
// async existed — the seeds' `std::fs::read_to_string("big-file.txt")`. Don't edit it: the grader
// links the same one.
//
// It is plain blocking code, not a coroutine. It reads from the simulated file table and holds the
// thread that calls it for the file's read time (sim::block_for), exactly as a real disk read holds
// its thread — only in virtual time. It fails in the two ways a caller of `spawn_blocking` has to
// unpack (the seed's `.await??`):
// * a missing file is an error *value*: std::unexpected("no such file: <path>");
// * a file that is not UTF-8 makes it *throw* (the old library's own bug, Rust's panic). Inside
//   spawn_blocking that exception becomes the job's panic: a JoinError for whoever awaits it.
#include <expected>
#include <stdexcept>
#include <string>

#include "asynclab/asynclab.hpp"

namespace legacy {

inline std::expected<std::string, std::string> read_to_string(const std::string& path) {
  const asynclab::sim::FileSystem::File* file = asynclab::sim::files().find(path);
  if (file == nullptr) return std::unexpected("no such file: " + path);
  asynclab::sim::block_for(file->read_time);  // the disk: this thread can do nothing else meanwhile
  // Bytes 0xFE and 0xFF never occur in UTF-8.
  if (file->contents.find_first_of("\xfe\xff") != std::string::npos)
    throw std::runtime_error("invalid UTF-8 in " + path);
  return file->contents;
}

}  // namespace legacy
