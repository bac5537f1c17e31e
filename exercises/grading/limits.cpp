// See limits.hpp.
#include "limits.hpp"

#include <cctype>
#include <charconv>
#include <fstream>

#include <fmt/format.h>

namespace asynclab::grading {

std::string format_bytes(std::uint64_t bytes) {
  constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} byte{}", bytes, bytes == 1 ? "" : "s");
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  if (value == static_cast<double>(static_cast<std::uint64_t>(value)))
    return fmt::format("{} {}", static_cast<std::uint64_t>(value), units[unit]);
  return fmt::format("{:.1f} {}", value, units[unit]);
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data() || number == 0) return std::nullopt;
  std::string unit(end, text.data() + text.size());
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit.empty() || unit == "b" || unit == "bytes") shift = 0;
  if (unit == "k" || unit == "kb" || unit == "kib") shift = 10;
  if (unit == "m" || unit == "mb" || unit == "mib") shift = 20;
  if (unit == "g" || unit == "gb" || unit == "gib") shift = 30;
  if (unit == "t" || unit == "tb" || unit == "tib") shift = 40;
  if (shift < 0 || number > (~std::uint64_t{0} >> shift)) return std::nullopt;
  return number << shift;
}

}  // namespace asynclab::grading

namespace asynclab::grading {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<int> parse_count(std::string_view text, int low, int high) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

}  // namespace

std::expected<void, std::string> set_limit(Limits& limits, std::string_view name, std::string_view value) {
  value = trim(value);
  auto size = [&](std::uint64_t& into, std::uint64_t low) -> std::expected<void, std::string> {
    const auto bytes = parse_bytes(value);
    if (!bytes || *bytes < low)
      return std::unexpected(fmt::format("{} must be a size of at least {} such as 2G, 512M or 64k, not '{}'", name,
                                         format_bytes(low), value));
    into = *bytes;
    return {};
  };
  auto count = [&](int& into, int low, int high, std::string_view what) -> std::expected<void, std::string> {
    const auto n = parse_count(value, low, high);
    if (!n) return std::unexpected(fmt::format("{} must be {} from {} to {}, not '{}'", name, what, low, high, value));
    into = *n;
    return {};
  };
  if (name == "memory") return size(limits.memory, std::uint64_t{64} << 20);
  if (name == "cpu-seconds") return count(limits.cpu_seconds, 1, 86'400, "a number of seconds");
  if (name == "processes") return count(limits.processes, 1, 4096, "a number of processes");
  if (name == "file-size") return size(limits.file_size, std::uint64_t{1} << 20);
  if (name == "open-files") return count(limits.open_files, 32, 1 << 20, "a number of descriptors");
  if (name == "output-kept") return size(limits.output_kept, std::uint64_t{4} << 10);
  std::string known;
  for (auto n : limit_names) known += fmt::format("{}{}", known.empty() ? "" : ", ", n);
  return std::unexpected(fmt::format("there is no limit called '{}' (the limits: {})", name, known));
}

std::expected<void, std::string> read_limits_file(const std::filesystem::path& file, Limits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return std::unexpected(fmt::format("the limits file {} is not a file that can be read", file.string()));
  if (std::filesystem::file_size(file, ec) > 64 * 1024)
    return std::unexpected(fmt::format("the limits file {} is larger than a limits file can be (64 KiB)", file.string()));
  std::ifstream in(file);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::string_view text = line;
    text = trim(text.substr(0, text.find('#')));
    if (text.empty()) continue;
    const auto eq = text.find('=');
    if (eq == std::string_view::npos)
      return std::unexpected(fmt::format("{}:{}: expected 'name = value', such as 'memory = 2G'", file.string(), number));
    if (auto ok = set_limit(limits, trim(text.substr(0, eq)), text.substr(eq + 1)); !ok)
      return std::unexpected(fmt::format("{}:{}: {}", file.string(), number, ok.error()));
  }
  return {};
}

std::string describe_limits(const Limits& limits) {
  return fmt::format("memory {}, CPU {} s, {} processes, files up to {}, {} open files, output kept {}",
                     format_bytes(limits.memory), limits.cpu_seconds, limits.processes, format_bytes(limits.file_size),
                     limits.open_files, format_bytes(limits.output_kept));
}

}  // namespace asynclab::grading
