// The .altrace file: writing a Trace to bytes, saving it atomically, and the strict loader.
// See trace/file.hpp for the layout and the rules.
//
// The loader works in three passes over the bytes, so that every error names the real problem:
//   1. structure — magic, version, every count checked against the bytes that remain (before any
//      allocation sized by it), string lengths, where each table and the checksum sit, and that
//      nothing follows the checksum. A file cut short fails here, as "truncated: ...".
//   2. checksum — the FNV-1a hash of everything before it. Any other damage fails here.
//   3. meaning — every index in the tables and events against its table, every task id against
//      the tasks the trace spawns, event kinds, the enum values in event flags, and times that
//      never decrease. A file that passes the checksum but
//      was written wrong (or forged) fails here, with the event's number and the field's byte.
// Every read goes through Reader, which checks the bounds first; nothing reads past the end.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/output_file.hpp"

namespace asynclab::trace {

namespace {

constexpr char magic_bytes[8] = {'A', 'L', 'T', 'R', 'A', 'C', 'E', '\0'};
constexpr std::string_view magic{magic_bytes, sizeof magic_bytes};
constexpr std::size_t header_size = 16;    // magic, version, flags
constexpr std::size_t string_min_size = 4;  // its length, for an empty string
constexpr std::size_t location_size = 16;
constexpr std::size_t site_size = 8;
constexpr std::size_t event_size = 24;
constexpr std::size_t checksum_size = 8;

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// --- writing -------------------------------------------------------------------------------------

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    for (int i = 0; i < 2; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void bytes(std::string_view s) { out_.append(s); }
  void reserve(std::size_t n) { out_.reserve(n); }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// --- reading -------------------------------------------------------------------------------------

// Little-endian reads at explicit offsets. Callers check `fits` (or go through Cursor) first.
std::uint8_t get_u8(std::string_view b, std::size_t at) { return static_cast<std::uint8_t>(b[at]); }
std::uint16_t get_u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(get_u8(b, at) | (get_u8(b, at + 1) << 8));
}
std::uint32_t get_u32(std::string_view b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | get_u8(b, at + static_cast<std::size_t>(i));
  return v;
}
std::uint64_t get_u64(std::string_view b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | get_u8(b, at + static_cast<std::size_t>(i));
  return v;
}

LoadError error(std::string message, std::uint64_t offset) { return LoadError{std::move(message), offset}; }

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// A position in the bytes that refuses to move past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }

  // Fails with "truncated: <what> needs N bytes but only M remain" when fewer than n bytes are left.
  std::optional<LoadError> need(std::size_t n, std::string_view what) const {
    if (remaining() >= n) return std::nullopt;
    return error(fmt::format("truncated: {} needs {} but only {} remain", what, plural(n, "byte", "bytes"),
                             remaining()),
                 pos_);
  }
  std::uint32_t u32() {
    auto v = get_u32(bytes_, pos_);
    pos_ += 4;
    return v;
  }
  std::uint64_t u64() {
    auto v = get_u64(bytes_, pos_);
    pos_ += 8;
    return v;
  }
  std::string_view take(std::size_t n) {
    auto s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void skip(std::size_t n) { pos_ += n; }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Reads a table's count and checks it against the bytes that remain: `count` entries of at least
// `min_size` bytes each must fit, and every entry must be addressable by a u32 index (index 0 being
// the implicit "none" entry).
std::optional<LoadError> read_count(Cursor& c, std::string_view table, std::string_view entries, std::size_t min_size,
                                    std::uint64_t& count) {
  if (auto e = c.need(8, fmt::format("the {} count", table))) return e;
  const std::size_t at = c.pos();
  count = c.u64();
  if (count > c.remaining() / min_size)
    return error(fmt::format("truncated: the {} table promises {} {} but only {} remain", table, count, entries,
                             plural(c.remaining(), "byte", "bytes")),
                 at);
  if (count > std::numeric_limits<std::uint32_t>::max())
    return error(fmt::format("the {} table holds {} {}, more than an index can address", table, count, entries), at);
  return std::nullopt;
}

// Offsets of the parts of a structurally sound file.
struct Layout {
  std::size_t locations = 0;  // first location entry
  std::uint64_t location_count = 0;
  std::size_t sites = 0;
  std::uint64_t site_count = 0;
  std::size_t events = 0;
  std::uint64_t event_count = 0;
  std::size_t checksum = 0;
};

}  // namespace

std::string LoadError::to_string() const {
  // Byte 0 adds nothing: errors found there are about the file as a whole (empty, not an .altrace
  // file, cannot be read).
  if (offset == 0) return message;
  return fmt::format("{} (at byte {})", message, offset);
}

std::string to_altrace(const Trace& trace) {
  Writer w;
  std::size_t strings_bytes = 0;
  for (const auto& s : trace.strings()) strings_bytes += 4 + s.size();
  w.reserve(header_size + 32 + strings_bytes + trace.locations().size() * location_size +
            trace.sites().size() * site_size + trace.size() * event_size + checksum_size);

  w.bytes(magic);
  w.u32(altrace_version);
  w.u32(0);  // flags, reserved

  // Index 0 of each table is implicit and not stored.
  const auto& strings = trace.strings();
  w.u64(strings.size() - 1);
  for (std::size_t i = 1; i < strings.size(); ++i) {
    w.u32(static_cast<std::uint32_t>(strings[i].size()));
    w.bytes(strings[i]);
  }
  const auto& locations = trace.locations();
  w.u64(locations.size() - 1);
  for (std::size_t i = 1; i < locations.size(); ++i) {
    w.u32(locations[i].file);
    w.u32(locations[i].function);
    w.u32(locations[i].line);
    w.u32(locations[i].column);
  }
  const auto& sites = trace.sites();
  w.u64(sites.size() - 1);
  for (std::size_t i = 1; i < sites.size(); ++i) {
    w.u32(sites[i].name);
    w.u32(sites[i].location);
  }
  w.u64(trace.size());
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const Event& e = trace[i];
    w.u64(e.time_ns);
    w.u8(static_cast<std::uint8_t>(e.kind));
    w.u8(e.worker);
    w.u16(e.flags);
    w.u32(e.task);
    w.u32(e.a);
    w.u32(e.b);
  }
  w.u64(fnv1a(w.str()));
  return std::move(w.str());
}

std::expected<Trace, LoadError> from_altrace(std::string_view bytes) {
  // --- 1. structure ---------------------------------------------------------------------------
  if (bytes.empty()) return std::unexpected(error("the file is empty: not an .altrace file", 0));
  if (bytes.size() < magic.size()) {
    if (magic.starts_with(bytes))
      return std::unexpected(error(fmt::format("truncated: the file ends inside its 8-byte magic number, after {}",
                                               plural(bytes.size(), "byte", "bytes")),
                                   bytes.size()));
    return std::unexpected(error("not an .altrace file (bad magic: it does not start with \"ALTRACE\")", 0));
  }
  if (!bytes.starts_with(magic))
    return std::unexpected(error("not an .altrace file (bad magic: it does not start with \"ALTRACE\")", 0));

  Trace trace;
  Layout layout;
  Cursor c(bytes);
  c.skip(magic.size());
  if (auto e = c.need(4, "the version number")) return std::unexpected(*e);
  {
    const std::size_t at = c.pos();
    const std::uint32_t version = c.u32();
    if (version != altrace_version)
      return std::unexpected(
          error(fmt::format("unsupported version {} (this asynclab reads version {})", version, altrace_version), at));
  }
  if (auto e = c.need(4, "the header flags")) return std::unexpected(*e);
  {
    const std::size_t at = c.pos();
    const std::uint32_t flags = c.u32();
    if (flags != 0)
      return std::unexpected(error(
          fmt::format("unsupported header flags {:#x} (version {} files have flags 0)", flags, altrace_version), at));
  }

  std::uint64_t string_count = 0;
  if (auto e = read_count(c, "string", "strings", string_min_size, string_count)) return std::unexpected(*e);
  for (std::uint64_t i = 1; i <= string_count; ++i) {
    if (auto e = c.need(4, fmt::format("the length of string {}", i))) return std::unexpected(*e);
    const std::size_t at = c.pos();
    const std::uint32_t len = c.u32();
    if (len > c.remaining())
      return std::unexpected(error(fmt::format("truncated: string {} is {} long but only {} remain", i,
                                               plural(len, "byte", "bytes"), c.remaining()),
                                   at));
    trace.add_string(std::string(c.take(len)));
  }

  if (auto e = read_count(c, "location", "locations", location_size, layout.location_count))
    return std::unexpected(*e);
  layout.locations = c.pos();
  c.skip(layout.location_count * location_size);

  if (auto e = read_count(c, "spawn site", "sites", site_size, layout.site_count)) return std::unexpected(*e);
  layout.sites = c.pos();
  c.skip(layout.site_count * site_size);

  if (auto e = read_count(c, "event", "events", event_size, layout.event_count)) return std::unexpected(*e);
  layout.events = c.pos();
  c.skip(layout.event_count * event_size);

  if (auto e = c.need(checksum_size, "the checksum at the end")) return std::unexpected(*e);
  layout.checksum = c.pos();
  c.skip(checksum_size);
  if (c.remaining() != 0)
    return std::unexpected(error(
        fmt::format("{} after the checksum: the file should end there", plural(c.remaining(), "unexpected byte", "unexpected bytes")),
        c.pos()));

  // --- 2. checksum ----------------------------------------------------------------------------
  if (fnv1a(bytes.substr(0, layout.checksum)) != get_u64(bytes, layout.checksum))
    return std::unexpected(error("checksum mismatch: the file is corrupt (changed or damaged after it was written)",
                                 layout.checksum));

  // --- 3. meaning -----------------------------------------------------------------------------
  const std::uint64_t strings = trace.strings().size();
  for (std::uint64_t i = 1; i <= layout.location_count; ++i) {
    const std::size_t at = layout.locations + (i - 1) * location_size;
    Location l{get_u32(bytes, at), get_u32(bytes, at + 4), get_u32(bytes, at + 8), get_u32(bytes, at + 12)};
    if (l.file >= strings)
      return std::unexpected(error(
          fmt::format("location {} names its file by string {} but the table has {}", i, l.file, strings), at));
    if (l.function >= strings)
      return std::unexpected(error(
          fmt::format("location {} names its function by string {} but the table has {}", i, l.function, strings),
          at + 4));
    trace.add_location(l);
  }
  const std::uint64_t locations = trace.locations().size();
  for (std::uint64_t i = 1; i <= layout.site_count; ++i) {
    const std::size_t at = layout.sites + (i - 1) * site_size;
    SpawnSite s{get_u32(bytes, at), get_u32(bytes, at + 4)};
    if (s.name >= strings)
      return std::unexpected(
          error(fmt::format("spawn site {} names its task by string {} but the table has {}", i, s.name, strings), at));
    if (s.location >= locations)
      return std::unexpected(error(
          fmt::format("spawn site {} refers to location {} but the table has {}", i, s.location, locations), at + 4));
    trace.add_site(s);
  }
  const std::uint64_t sites = trace.sites().size();

  // Task ids are handed out 1, 2, 3, ... and every task has its task_spawned event, so a trace that
  // spawns N tasks only ever names tasks 0 (none) to N. Checking this keeps a forged id such as
  // 4294967295 from reaching consumers that index by task id (Trace::task_name sizes a table by it).
  std::uint64_t spawned = 0;
  // Likewise blocking lanes: a runtime opens lane N only when N jobs run at once, so a trace with J
  // blocking jobs uses lanes up to J (a live trace that dropped its first events: up to a pool's 64).
  // Consumers draw a row per lane number; a forged lane 4294967295 must not make them draw billions.
  std::uint64_t blocking_jobs = 0;
  for (std::uint64_t i = 0; i < layout.event_count; ++i) {
    const std::uint8_t k = get_u8(bytes, layout.events + i * event_size + 8);
    spawned += k == static_cast<std::uint8_t>(EventKind::task_spawned);
    blocking_jobs += k == static_cast<std::uint8_t>(EventKind::blocking_begin);
  }
  const TableSizes sizes{spawned, strings, locations, sites, blocking_jobs};

  trace.reserve(layout.event_count);
  std::uint64_t previous_time = 0;
  for (std::uint64_t i = 0; i < layout.event_count; ++i) {
    const std::size_t at = layout.events + i * event_size;
    const std::uint8_t raw_kind = get_u8(bytes, at + 8);
    if (!is_valid_kind(raw_kind))
      return std::unexpected(error(fmt::format("event {} has an unknown kind {} (known kinds are {} to {})", i,
                                               raw_kind, static_cast<int>(EventKind::runtime_started),
                                               static_cast<int>(EventKind::kind_count_) - 1),
                                   at + 8));
    Event e{get_u64(bytes, at), static_cast<EventKind>(raw_kind), get_u8(bytes, at + 9), get_u16(bytes, at + 10),
            get_u32(bytes, at + 12), get_u32(bytes, at + 16), get_u32(bytes, at + 20)};
    const std::string_view kind = kind_name(e.kind);
    if (i > 0 && e.time_ns < previous_time)
      return std::unexpected(error(fmt::format("event {} ({}) happens at {} ns, before event {} at {} ns: times in a "
                                               "trace never decrease",
                                               i, kind, e.time_ns, i - 1, previous_time),
                                   at));
    if (e.time_ns > Trace::max_time_ns)
      return std::unexpected(error(fmt::format("event {} ({}) happens at {} ns, later than a trace can hold ({} ns, "
                                               "about 78 hours)",
                                               i, kind, e.time_ns, Trace::max_time_ns),
                                   at));
    previous_time = e.time_ns;

    // Which fields are indices into the tables, and which flags hold enum values: trace/codec.hpp.
    if (auto problem = check(e, sizes)) {
      const std::size_t offset = problem->field == EventField::task ? 12
                                 : problem->field == EventField::a  ? 16
                                 : problem->field == EventField::b  ? 20
                                                                    : 10;
      return std::unexpected(error(fmt::format("event {} ({}) {}", i, kind, problem->message), at + offset));
    }
    trace.push(e);
  }
  return trace;
}

std::expected<void, std::string> save(const Trace& trace, const std::filesystem::path& path) {
  return write_output_file(path, to_altrace(trace));
}

std::expected<Trace, LoadError> load(const std::filesystem::path& path) {
  auto fail = [&](int err) {
    // The caller knows the path (and names it); the message says what went wrong with it.
    return std::unexpected(error(fmt::format("the file cannot be read: {}", std::strerror(err)), 0));
  };
  // Looked at before it is opened: opening a device may do something, and opening a named pipe nobody
  // writes waits for ever.
  struct stat first {};
  if (::stat(path.c_str(), &first) == 0 && !S_ISREG(first.st_mode) && !S_ISFIFO(first.st_mode)) {
    const char* kind = S_ISDIR(first.st_mode) ? "a directory" : S_ISCHR(first.st_mode) ? "a character device"
                       : S_ISBLK(first.st_mode) ? "a block device" : S_ISSOCK(first.st_mode) ? "a socket" : "not a file";
    return std::unexpected(error(fmt::format("it is {}, not a trace file", kind), 0));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(errno);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string bytes;
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    // A device (/dev/zero) never ends and a directory has no bytes: neither is a trace. A named pipe
    // is read, as far as a trace can go.
    const char* kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISCHR(st.st_mode) ? "a character device"
                       : S_ISBLK(st.st_mode) ? "a block device" : S_ISSOCK(st.st_mode) ? "a socket" : nullptr;
    if (kind != nullptr) {
      ::close(fd);
      return std::unexpected(error(fmt::format("it is {}, not a trace file", kind), 0));
    }
    if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > largest_trace_file) {
      ::close(fd);
      return std::unexpected(error(fmt::format("it is {} MiB, larger than any trace asynclab writes ({} MiB)",
                                               static_cast<std::uint64_t>(st.st_size) >> 20, largest_trace_file >> 20),
                                   0));
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) bytes.reserve(static_cast<std::size_t>(st.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return fail(err);
    }
    bytes.append(buf, static_cast<std::size_t>(n));
    if (bytes.size() > largest_trace_file) {
      ::close(fd);
      return std::unexpected(
          error(fmt::format("it goes on past {} MiB, more than any trace asynclab writes", largest_trace_file >> 20), 0));
    }
  }
  ::close(fd);
  return from_altrace(bytes);
}

}  // namespace asynclab::trace
