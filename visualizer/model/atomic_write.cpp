// See atomic_write.hpp.
#include "model/atomic_write.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace asynclab::vis {

std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("cannot write '{}': {}", path.string(), why));
  };
  // Next to the target, so the rename never crosses file systems; the pid keeps two runs apart.
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      const int err = errno;
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return fail(std::strerror(err));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return fail(ec.message());
  }
  return {};
}

}  // namespace asynclab::vis
