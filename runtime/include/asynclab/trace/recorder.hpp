#pragma once
// Recorder: what a runtime writes its events into while it runs (`Runtime::builder().trace(rec)`).
//
// Rules:
// * Recording is opt-in. A runtime without a recorder tests one pointer per would-be event and does
//   nothing else — "a learner should never pay for seeing".
// * Strings, source locations and spawn sites are interned: the first use adds a table entry, every
//   later use is a hash lookup (source locations are keyed by their address, which is unique per
//   call site, so the common case never hashes a string).
// * One recorder serves one runtime at a time, on the runtime's thread.
// * The recorded Trace is read through trace(); take() moves it out and leaves the recorder empty.
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

class Recorder {
 public:
  Recorder() = default;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void emit(const Event& e) { trace_.push(e); }

  std::uint32_t intern(std::string_view s);
  std::uint32_t intern(const std::source_location& loc);
  std::uint32_t intern_site(std::string_view name, const std::source_location& loc);

  const Trace& trace() const { return trace_; }
  Trace take();

 private:
  struct PairHash {
    std::size_t operator()(const std::pair<std::uint32_t, std::uint32_t>& p) const {
      return std::hash<std::uint64_t>{}((std::uint64_t{p.first} << 32) | p.second);
    }
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Trace trace_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> strings_;
  std::unordered_map<const void*, std::uint32_t> locations_;  // keyed by the source_location's address
  std::unordered_map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t, PairHash> sites_;
};

}  // namespace asynclab::trace
