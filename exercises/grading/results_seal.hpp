#pragma once
// The seal of results_channel.hpp, for both ends: the runner (results_channel.cpp) and the grader's
// reporter (grader_main.cpp). Everything here has internal linkage: a grader links no symbol a
// learner's exercise.cpp could call to seal a line of its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "results_channel.hpp"

namespace asynclab::grading::channel {
namespace {

[[maybe_unused]] std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

[[maybe_unused]] std::uint64_t load_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

// SipHash-2-4 (Aumasson and Bernstein): a keyed hash made to authenticate short messages.
[[maybe_unused]] std::uint64_t sip_hash(const Key& key, std::string_view message) {
  const std::uint64_t k0 = load_le(key.data()), k1 = load_le(key.data() + 8);
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(message.data());
  const std::size_t n = message.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) s.absorb(load_le(bytes + i));
  std::uint64_t last = static_cast<std::uint64_t>(n & 0xff) << 56;
  for (std::size_t k = 0; i + k < n; ++k) last |= static_cast<std::uint64_t>(bytes[i + k]) << (8 * k);
  s.absorb(last);
  s.v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

// What is sealed: the line's number (so lines cannot be reordered, dropped from the middle or
// repeated) and its text.
[[maybe_unused]] std::uint64_t seal_of(const Key& key, std::uint64_t index, std::string_view json) {
  std::string message = fmt::format("{}:", index);
  message.append(json);
  return sip_hash(key, message);
}

[[maybe_unused]] std::string sealed_line(const Key& key, std::uint64_t index, std::string_view json) {
  return fmt::format("{:016x} {}\n", seal_of(key, index, json), json);
}

[[maybe_unused]] std::optional<std::string_view> opened_line(const Key& key, std::uint64_t index,
                                                             std::string_view line) {
  if (line.size() < 17 || line[16] != ' ') return std::nullopt;
  std::uint64_t seal = 0;
  for (char c : line.substr(0, 16)) {
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    seal = (seal << 4) | static_cast<std::uint64_t>(digit);
  }
  const std::string_view json = line.substr(17);
  if (seal != seal_of(key, index, json)) return std::nullopt;
  return json;
}

}  // namespace
}  // namespace asynclab::grading::channel
