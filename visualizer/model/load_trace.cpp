// Opening a trace file by what it holds. See load_trace.hpp for the rules.
#include "model/load_trace.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "asynclab/trace/file.hpp"
#include "asynclab/trace/chrome_import.hpp"

namespace asynclab::vis {

namespace {

constexpr std::string_view expected_kinds = "expected an .altrace file or Chrome trace JSON";

// The file's bytes, or the operating system's reason it cannot be read.
std::expected<std::string, std::string> read_bytes(const std::filesystem::path& path,
                                                   std::uint64_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return std::unexpected(ec.message());
  if (std::filesystem::is_directory(status))
    return std::unexpected(std::string("it is a directory, not a file"));
  // A device never ends (/dev/zero) and a socket is no file: neither is read.
  if (std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status) ||
      std::filesystem::is_socket(status))
    return std::unexpected(fmt::format("it is a {}, not a trace file",
                                       std::filesystem::is_socket(status)  ? "socket"
                                       : std::filesystem::is_block_file(status) ? "block device"
                                                                                : "character device"));
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return std::unexpected(ec.message());
  if (size > max_bytes)
    return std::unexpected(
        fmt::format("the file is {} bytes, more than the {} bytes a trace may have", size, max_bytes));

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return std::unexpected(std::string(std::strerror(errno)));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  if (std::ferror(file.get())) return std::unexpected(std::string(std::strerror(errno)));
  bytes.resize(got);  // the file shrank while we read it: what was there is what we have
  return bytes;
}

std::string_view skip_space(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  return s;
}

}  // namespace

std::expected<trace::Trace, std::string> load_trace_file(const std::filesystem::path& path,
                                                         std::uint64_t max_bytes) {
  const std::string name = path.string();
  auto bytes = read_bytes(path, max_bytes);
  if (!bytes) return std::unexpected(fmt::format("{}: cannot read: {}", name, bytes.error()));
  const std::string_view content = *bytes;

  // The magic is "ALTRACE\0"; sniffing on its letters alone sends a damaged header to the loader,
  // whose message says what is wrong with it.
  if (content.starts_with("ALTRACE")) {
    auto trace = trace::from_altrace(content);
    if (!trace) return std::unexpected(fmt::format("{}: {}", name, trace.error().to_string()));
    return std::move(*trace);
  }
  const std::string_view text = skip_space(content);
  if (!text.empty() && (text.front() == '{' || text.front() == '[')) {
    auto trace = trace::import_chrome_json(text);
    if (!trace) return std::unexpected(fmt::format("{}: {}", name, trace.error()));
    return std::move(*trace);
  }
  if (content.empty())
    return std::unexpected(fmt::format("{}: the file is empty ({})", name, expected_kinds));
  if (content.starts_with("\x1f\x8b"))
    return std::unexpected(
        fmt::format("{}: the file is gzip-compressed; decompress it first (gunzip), then open it", name));
  return std::unexpected(fmt::format("{}: not a trace ({})", name, expected_kinds));
}

}  // namespace asynclab::vis
