// See output_file.hpp.
#include "asynclab/trace/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace asynclab::trace {

namespace {

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a named pipe";
  return "not a regular file";
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::expected<void, std::string> write_output_file(const std::filesystem::path& named, std::string_view bytes) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(fmt::format("cannot write '{}': {}", named.string(), why));
  };
  std::filesystem::path path = named;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const auto target = std::filesystem::canonical(path, ec);
    if (ec) return fail("it is a symbolic link to a file that does not exist");
    path = target;
  }
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
      return fail(fmt::format("it is {}; asynclab replaces only regular files", kind_of(st.st_mode)));
    // Written through, never replaced. A pipe with no reader would block: refused instead.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
      return fail(errno == ENXIO ? std::string("it is a named pipe that nobody reads") : std::string(std::strerror(errno)));
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const bool ok = write_all(fd, bytes);
    const int err = errno;
    ::close(fd);
    if (!ok) return fail(std::strerror(err));
    return {};
  }

  // The temporary file sits next to the target, so the rename never crosses file systems.
  std::filesystem::path tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = path;
    tmp += fmt::format(".tmp-{}-{}", static_cast<long>(::getpid()), attempt);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return fail(std::strerror(errno));
  }
  if (fd < 0) return fail(std::strerror(EEXIST));
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(std::strerror(err));
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(std::strerror(err));
  }
  return {};
}

}  // namespace asynclab::trace
