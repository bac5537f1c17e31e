// The .altrace file: exact round trips, deterministic bytes, and a loader that rejects every kind of
// bad input with a message naming the problem — never a crash (these run under ASan and UBSan).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "asynclab/trace/file.hpp"
#include "trace/trace_fixture.hpp"

using namespace asynclab;
using namespace trace_test;
using trace::EventKind;

namespace {

bool same_event(const trace::Event& x, const trace::Event& y) {
  return x.time_ns == y.time_ns && x.kind == y.kind && x.worker == y.worker && x.flags == y.flags &&
         x.task == y.task && x.a == y.a && x.b == y.b;
}

void require_same_trace(const trace::Trace& x, const trace::Trace& y) {
  REQUIRE(x.strings() == y.strings());
  REQUIRE(x.locations().size() == y.locations().size());
  for (std::size_t i = 0; i < x.locations().size(); ++i) {
    const auto &l = x.locations()[i], &m = y.locations()[i];
    CHECK((l.file == m.file && l.function == m.function && l.line == m.line && l.column == m.column));
  }
  REQUIRE(x.sites().size() == y.sites().size());
  for (std::size_t i = 0; i < x.sites().size(); ++i)
    CHECK((x.sites()[i].name == y.sites()[i].name && x.sites()[i].location == y.sites()[i].location));
  REQUIRE(x.size() == y.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < x.size(); ++i) differing += same_event(x[i], y[i]) ? 0 : 1;
  REQUIRE(differing == 0);
}

// The first event of a kind, by index.
std::size_t first_event(const trace::Trace& t, EventKind kind) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == kind) return i;
  FAIL("the recorded trace has no " << trace::kind_name(kind) << " event");
  return 0;
}

trace::LoadError rejected(const std::string& bytes) {
  auto r = trace::from_altrace(bytes);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

std::filesystem::path scratch_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("asynclab-trace-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("a recorded trace saved and loaded again is exactly the same, every event and table", "[trace][file]") {
  const trace::Trace recorded = record_program();
  REQUIRE(recorded.size() > 50);
  REQUIRE(recorded.strings().size() > 1);
  REQUIRE(recorded.locations().size() > 1);
  REQUIRE(recorded.sites().size() > 1);

  auto loaded = trace::from_altrace(trace::to_altrace(recorded));
  REQUIRE(loaded.has_value());
  require_same_trace(recorded, *loaded);

  SECTION("and through a file on disk, written atomically") {
    auto dir = scratch_dir();
    auto path = dir / "run.altrace";
    REQUIRE(trace::save(recorded, path).has_value());
    auto from_disk = trace::load(path);
    REQUIRE(from_disk.has_value());
    require_same_trace(recorded, *from_disk);
    // Nothing but the target is left behind: the temporary file was renamed over it.
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files += entry.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("the labels of channel values survive saving and loading", "[trace][file][labels]") {
  const trace::Trace recorded = record_values();
  auto loaded = trace::from_altrace(trace::to_altrace(recorded));
  INFO((loaded ? std::string() : loaded.error().to_string()));
  REQUIRE(loaded.has_value());
  require_same_trace(recorded, *loaded);
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < loaded->size(); ++i)
    if ((*loaded)[i].kind == EventKind::channel_value) labels.emplace_back(loaded->value_label((*loaded)[i]));
  CHECK(labels == std::vector<std::string>{"\"order 1\"", "\"order 2\"", "42"});

  SECTION("and a channel_value whose label is past the string table is rejected") {
    const FileLayout l = layout_of(trace::to_altrace(recorded));
    const std::size_t i = first_event(recorded, EventKind::channel_value);
    std::string bytes = trace::to_altrace(recorded);
    put_le(bytes, l.event_at(i) + 20, 77777, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::Contains("(channel_value) refers to string 77777"));
  }
  SECTION("an integer kept in its event may be any 32 bits, and a value form that does not exist is rejected") {
    const FileLayout l = layout_of(trace::to_altrace(recorded));
    std::size_t i = 0;  // the 42: an int, kept in its event
    for (std::size_t k = 0; k < recorded.size(); ++k)
      if (recorded[k].kind == EventKind::channel_value) i = k;
    REQUIRE(recorded[i].flags == static_cast<std::uint16_t>(trace::ValueForm::signed_int));
    std::string bytes = trace::to_altrace(recorded);
    put_le(bytes, l.event_at(i) + 20, 0xfffffff0u, 4);
    rehash(bytes);
    auto big = trace::from_altrace(bytes);
    REQUIRE(big.has_value());
    CHECK(big->value_label((*big)[i]) == "-16");
    put_le(bytes, l.event_at(i) + 10, 3, 2);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::Contains("unknown value form 3"));
  }
}

TEST_CASE("a trace of several chunks loads back with every event in its place", "[trace][file]") {
  // The loader reserves every chunk up front; each event must still land in its own chunk.
  trace::Trace big;
  const std::uint32_t name = big.add_string("t");
  const std::uint32_t site = big.add_site(trace::SpawnSite{name, 0});
  big.push(trace::Event{0, EventKind::task_spawned, 0, 0, 1, 0, site});
  const std::size_t n = 3 * trace::Trace::chunk_size + 123;
  for (std::size_t i = 1; i < n; ++i)
    big.push(trace::Event{i, (i % 2) ? EventKind::poll_begin : EventKind::poll_end, 0, 0, 1, 0, 0});
  auto loaded = trace::from_altrace(trace::to_altrace(big));
  REQUIRE(loaded);
  REQUIRE(loaded->size() == n);
  for (std::size_t i : {std::size_t{1}, trace::Trace::chunk_size - 1, trace::Trace::chunk_size,
                        2 * trace::Trace::chunk_size + 7, n - 1}) {
    CAPTURE(i);
    CHECK((*loaded)[i].time_ns == i);
    CHECK((*loaded)[i].kind == big[i].kind);
  }
}

TEST_CASE("two runs of the same program give byte-identical .altrace files", "[trace][file]") {
  const std::string first = trace::to_altrace(record_program(3));
  const std::string second = trace::to_altrace(record_program(3));
  REQUIRE(first.size() == second.size());
  REQUIRE(first == second);
}

TEST_CASE("an empty file is rejected as not an .altrace file", "[trace][file]") {
  auto e = rejected("");
  CHECK_THAT(e.message, Catch::Contains("empty"));
  CHECK(e.offset == 0);
}

TEST_CASE("a file with the wrong magic is rejected as not an .altrace file", "[trace][file]") {
  std::string bytes = trace::to_altrace(record_tiny());
  bytes[1] = 'X';
  CHECK_THAT(rejected(bytes).message, Catch::Contains("not an .altrace file (bad magic"));
  CHECK_THAT(rejected("{\"traceEvents\": []}").message, Catch::Contains("bad magic"));
}

TEST_CASE("a file of another version is rejected, naming both versions", "[trace][file]") {
  std::string bytes = trace::to_altrace(record_tiny());
  put_le(bytes, 8, 7, 4);
  rehash(bytes);
  auto e = rejected(bytes);
  CHECK(e.message == "unsupported version 7 (this asynclab reads version 1)");
  CHECK(e.offset == 8);
  CHECK_THAT(e.to_string(), Catch::Contains("at byte 8"));
}

TEST_CASE("a file with reserved header flags set is rejected", "[trace][file]") {
  std::string bytes = trace::to_altrace(record_tiny());
  put_le(bytes, 12, 4, 4);
  rehash(bytes);
  auto e = rejected(bytes);
  CHECK_THAT(e.message, Catch::Contains("header flags"));
  CHECK(e.offset == 12);
}

TEST_CASE("a file cut short at any byte is rejected as truncated", "[trace][file]") {
  const std::string bytes = trace::to_altrace(record_tiny());
  REQUIRE(trace::from_altrace(bytes).has_value());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("the file is cut to " << n << " of " << bytes.size() << " bytes");
    auto r = trace::from_altrace(std::string_view(bytes).substr(0, n));
    REQUIRE_FALSE(r.has_value());
    if (n == 0) {
      CHECK_THAT(r.error().message, Catch::Contains("empty"));
    } else {
      CHECK_THAT(r.error().message, Catch::StartsWith("truncated"));
      CHECK(r.error().offset <= n);
    }
  }
}

TEST_CASE("a count field claiming 2^60 entries is rejected before anything is allocated", "[trace][file]") {
  const std::string good = trace::to_altrace(record_tiny());
  const FileLayout l = layout_of(good);
  constexpr std::uint64_t huge = std::uint64_t{1} << 60;
  struct Field {
    std::size_t at;
    const char* table;
  };
  for (Field f : {Field{l.string_count_at, "string table"}, Field{l.location_count_at, "location table"},
                  Field{l.site_count_at, "spawn site table"}, Field{l.event_count_at, "event table"}}) {
    INFO("the count of the " << f.table);
    std::string bytes = good;
    put_le(bytes, f.at, huge, 8);
    rehash(bytes);
    auto e = rejected(bytes);
    CHECK_THAT(e.message, Catch::StartsWith("truncated: the " + std::string(f.table) + " promises 1152921504606846976"));
    CHECK_THAT(e.message, Catch::Contains("bytes remain"));
    CHECK(e.offset == f.at);
  }
}

TEST_CASE("an event pointing past the string, location or spawn site table is rejected", "[trace][file]") {
  const trace::Trace t = record_program();
  const std::string good = trace::to_altrace(t);
  const FileLayout l = layout_of(good);

  SECTION("a mark's label is a string id") {
    const std::size_t i = first_event(t, EventKind::mark);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 20, 99999, 4);
    rehash(bytes);
    auto e = rejected(bytes);
    CHECK(e.message == "event " + std::to_string(i) + " (mark) refers to string 99999 but the table has " +
                           std::to_string(t.strings().size()));
    CHECK(e.offset == l.event_at(i) + 20);
  }
  SECTION("a poll_end's parking place is a location id") {
    const std::size_t i = first_event(t, EventKind::poll_end);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 20, static_cast<std::uint32_t>(t.locations().size()), 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message,
               Catch::Contains("(poll_end) refers to location " + std::to_string(t.locations().size())));
  }
  SECTION("a lint's location is a location id") {
    const std::size_t i = first_event(t, EventKind::lint);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 20, 0xffffffffu, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::Contains("(lint) refers to location 4294967295"));
  }
  SECTION("a task_spawned's site is a spawn site id") {
    const std::size_t i = first_event(t, EventKind::task_spawned);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 20, 1000, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::Contains("(task_spawned) refers to spawn site 1000 but the table has"));
  }
  SECTION("a location's file is a string id") {
    std::string bytes = good;
    put_le(bytes, l.locations_at, 5000, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::StartsWith("location 1 names its file by string 5000"));
  }
  SECTION("a spawn site's location is a location id") {
    std::string bytes = good;
    put_le(bytes, l.sites_at + 4, 5000, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::StartsWith("spawn site 1 refers to location 5000"));
  }
}

TEST_CASE("an event naming a task the trace never spawned is rejected", "[trace][file]") {
  const trace::Trace t = record_program();
  const std::string good = trace::to_altrace(t);
  const FileLayout l = layout_of(good);
  std::size_t spawned = 0;
  for (std::size_t i = 0; i < t.size(); ++i) spawned += t[i].kind == EventKind::task_spawned ? 1 : 0;

  SECTION("as the task of a task_spawned event (a forged id would size tables by it)") {
    const std::size_t i = first_event(t, EventKind::task_spawned);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 12, 0xffffffffu, 4);
    rehash(bytes);
    auto e = rejected(bytes);
    CHECK(e.message == "event " + std::to_string(i) + " (task_spawned) refers to task 4294967295 but the trace spawns only " +
                           std::to_string(spawned) + " tasks");
    CHECK(e.offset == l.event_at(i) + 12);
  }
  SECTION("as the waking task of a wake") {
    const std::size_t i = first_event(t, EventKind::wake);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 16, spawned + 1, 4);
    rehash(bytes);
    CHECK_THAT(rejected(bytes).message, Catch::Contains("(wake) refers to task " + std::to_string(spawned + 1)));
  }
}

namespace {
asynclab::Task<void> blocking_program() {
  auto a = asynclab::spawn_blocking([] { asynclab::sim::block_for(5ms); return 1; }, "a");
  auto b = asynclab::spawn_blocking([] { asynclab::sim::block_for(5ms); return 2; }, "b");
  (void)co_await std::move(a);
  (void)co_await std::move(b);
}
}  // namespace

TEST_CASE("a blocking lane no run could reach is rejected: every number read bounds the work done with it",
          "[trace][file]") {
  const trace::Trace t = record(blocking_program);
  const std::string good = trace::to_altrace(t);
  REQUIRE(trace::from_altrace(good).has_value());
  const FileLayout l = layout_of(good);
  const std::size_t i = first_event(t, EventKind::blocking_begin);
  std::string bytes = good;
  put_le(bytes, l.event_at(i) + 16, 0xfffffff0u, 4);  // field a: the lane
  rehash(bytes);
  auto e = rejected(bytes);
  CHECK(e.message == "event " + std::to_string(i) +
                         " (blocking_begin) runs on blocking lane 4294967280, but a trace with 2 blocking jobs uses "
                         "lanes up to 64 at most");
  CHECK(e.offset == l.event_at(i) + 16);
}

TEST_CASE("an event of a kind that does not exist is rejected", "[trace][file]") {
  const std::string good = trace::to_altrace(record_tiny());
  const FileLayout l = layout_of(good);
  for (int kind : {0, static_cast<int>(EventKind::kind_count_), 255}) {
    INFO("kind " << kind);
    std::string bytes = good;
    put_le(bytes, l.event_at(1) + 8, static_cast<std::uint64_t>(kind), 1);
    rehash(bytes);
    auto e = rejected(bytes);
    CHECK(e.message.starts_with("event 1 has an unknown kind " + std::to_string(kind)));
    CHECK(e.offset == l.event_at(1) + 8);
  }
}

TEST_CASE("an event with an enum value its kind does not know is rejected", "[trace][file]") {
  const trace::Trace t = record_program();
  const std::string good = trace::to_altrace(t);
  const FileLayout l = layout_of(good);
  std::string bytes = good;
  put_le(bytes, l.event_at(first_event(t, EventKind::lint)) + 10, 77, 2);
  rehash(bytes);
  CHECK_THAT(rejected(bytes).message, Catch::Contains("unknown lint kind 77"));
}

TEST_CASE("a future's end is one of the trace::FutureEnd values: a disabled or released select branch loads, one "
          "more is rejected",
          "[trace][file]") {
  const trace::Trace t = record_program();
  const std::string good = trace::to_altrace(t);
  const FileLayout l = layout_of(good);
  const std::size_t i = first_event(t, EventKind::future_dropped);
  for (std::uint16_t end = 0; end <= trace::future_end_last; ++end) {
    INFO("end " << end);
    std::string bytes = good;
    put_le(bytes, l.event_at(i) + 10, end, 2);
    rehash(bytes);
    auto loaded = trace::from_altrace(bytes);
    REQUIRE(loaded.has_value());
    CHECK((*loaded)[i].flags == end);
  }
  std::string bytes = good;
  put_le(bytes, l.event_at(i) + 10, trace::future_end_last + 1, 2);
  rehash(bytes);
  CHECK_THAT(rejected(bytes).message, Catch::Contains("(future_dropped) has an unknown way a future ended " +
                                                      std::to_string(trace::future_end_last + 1)));
}

TEST_CASE("a trace whose times go backwards is rejected", "[trace][file]") {
  const trace::Trace t = record_tiny();
  const std::string good = trace::to_altrace(t);
  const FileLayout l = layout_of(good);
  const std::size_t last = t.size() - 1;
  REQUIRE(t[last].time_ns > 0);
  std::string bytes = good;
  put_le(bytes, l.event_at(last), 0, 8);
  rehash(bytes);
  auto e = rejected(bytes);
  CHECK_THAT(e.message, Catch::Contains("event " + std::to_string(last)));
  CHECK_THAT(e.message, Catch::Contains("before event " + std::to_string(last - 1)));
  CHECK_THAT(e.message, Catch::Contains("never decrease"));
  CHECK(e.offset == l.event_at(last));
}

TEST_CASE("a flipped byte anywhere in the file is caught, by the checksum when nothing else notices", "[trace][file]") {
  const std::string good = trace::to_altrace(record_tiny());
  const FileLayout l = layout_of(good);

  SECTION("one byte inside an event") {
    std::string bytes = good;
    bytes[l.event_at(1) + 9] ^= 0x01;  // the worker byte: nothing but the checksum can tell
    auto e = rejected(bytes);
    CHECK(e.message.starts_with("checksum mismatch: the file is corrupt"));
    CHECK(e.offset == l.checksum_at);
  }
  SECTION("every byte, one at a time") {
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (unsigned char bit : {0x01, 0x80}) {
        INFO("byte " << i << " flipped with " << int(bit));
        std::string bytes = good;
        bytes[i] = static_cast<char>(bytes[i] ^ bit);
        auto r = trace::from_altrace(bytes);
        REQUIRE_FALSE(r.has_value());
        REQUIRE_FALSE(r.error().message.empty());
      }
    }
  }
}

TEST_CASE("bytes after the checksum are rejected", "[trace][file]") {
  std::string bytes = trace::to_altrace(record_tiny());
  const std::size_t end = bytes.size();
  bytes += "xx";
  auto e = rejected(bytes);
  CHECK_THAT(e.message, Catch::Contains("2 unexpected bytes after the checksum"));
  CHECK(e.offset == end);
}

TEST_CASE("loading a file that does not exist says it cannot be read", "[trace][file]") {
  auto r = trace::load("/nonexistent/dir/run.altrace");
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::Contains("cannot be read"));
  CHECK_THAT(r.error().message, Catch::Contains("No such file"));
}

TEST_CASE("saving into a folder that does not exist fails with a message and leaves nothing", "[trace][file]") {
  auto r = trace::save(record_tiny(), "/nonexistent/dir/run.altrace");
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), Catch::Contains("/nonexistent/dir/run.altrace"));
}

TEST_CASE("a device or a folder is refused before a byte is read: /dev/zero never ends", "[trace][file]") {
  auto zero = trace::load("/dev/zero");
  REQUIRE_FALSE(zero.has_value());
  CHECK_THAT(zero.error().message, Catch::Contains("it is a character device, not a trace file"));
  auto folder = trace::load(std::filesystem::temp_directory_path());
  REQUIRE_FALSE(folder.has_value());
  CHECK_THAT(folder.error().message, Catch::Contains("it is a directory, not a trace file"));
}

TEST_CASE("saving over something that is not a regular file: written through, or refused naming it, never replaced",
          "[trace][file]") {
  const auto dir = scratch_dir();
  const auto trace = record_tiny();
  // A character device is written through: /dev/null stays the device (run as root, replacing it
  // would break the machine).
  REQUIRE(trace::save(trace, "/dev/null"));
  CHECK(std::filesystem::is_character_file("/dev/null"));
  // A folder is refused, and the message says what it is.
  std::filesystem::create_directories(dir / "a-folder");
  auto folder = trace::save(trace, dir / "a-folder");
  REQUIRE_FALSE(folder);
  CHECK_THAT(folder.error(), Catch::Contains("it is a directory; asynclab replaces only regular files"));
  // A named pipe nobody reads is refused rather than waited on.
  const auto fifo = dir / "a-pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto pipe = trace::save(trace, fifo);
  REQUIRE_FALSE(pipe);
  CHECK_THAT(pipe.error(), Catch::Contains("it is a named pipe that nobody reads"));
  CHECK(std::filesystem::is_fifo(fifo));
  // A symbolic link is followed: the target gets the trace, the link stays a link.
  const auto target = dir / "target.altrace";
  const auto link = dir / "link.altrace";
  std::ofstream(target) << "an older file";
  std::filesystem::create_symlink(target, link);
  REQUIRE(trace::save(trace, link));
  CHECK(std::filesystem::is_symlink(link));
  CHECK(trace::load(target).has_value());
  // A link to nothing is refused.
  std::filesystem::create_symlink(dir / "nowhere" / "x", dir / "dangling");
  auto dangling = trace::save(trace, dir / "dangling");
  REQUIRE_FALSE(dangling);
  CHECK_THAT(dangling.error(), Catch::Contains("symbolic link to a file that does not exist"));
  // Nothing was left behind: no temporary files.
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  std::filesystem::remove_all(dir);
}
