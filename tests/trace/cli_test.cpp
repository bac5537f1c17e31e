// The `asynclab` command, run as a learner runs it: exit statuses and what it prints.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace fs = std::filesystem;
using namespace asynclab::testing;

namespace {

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("asynclab demo -o writes a trace that asynclab trace info accepts", "[cli][trace]") {
  const fs::path file = scratch() / "demo.altrace";
  Run demo = run_asynclab("demo -o '" + file.string() + "' --seed 5");
  INFO(demo.out << demo.err);
  REQUIRE(demo.status == 0);
  CHECK(demo.err.empty());
  CHECK_THAT(demo.out, Catch::Contains("join"));
  CHECK_THAT(demo.out, Catch::Contains("300 ms"));
  REQUIRE(fs::exists(file));

  Run info = run_asynclab("trace info '" + file.string() + "'");
  INFO(info.out << info.err);
  CHECK(info.status == 0);
  CHECK_THAT(info.out, Catch::Contains("virtual time, seed 5"));
  CHECK_THAT(info.out, Catch::Contains("main"));
  CHECK_THAT(info.out, Catch::Contains("background fetch"));
  CHECK_THAT(info.out, Catch::Contains("worker 3"));
  CHECK_THAT(info.out, Catch::Contains("three fetches joined"));
}

TEST_CASE("asynclab trace export writes Chrome JSON and JSON Lines", "[cli][trace]") {
  const fs::path file = scratch() / "export.altrace";
  REQUIRE(run_asynclab("demo -o '" + file.string() + "'").status == 0);
  const fs::path chrome = scratch() / "export.json";
  const fs::path jsonl = scratch() / "export.jsonl";
  Run r = run_asynclab("trace export '" + file.string() + "' --chrome '" + chrome.string() + "' --jsonl '" +
                   jsonl.string() + "'");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto doc = nlohmann::json::parse(slurp(chrome));
  CHECK(doc.at("traceEvents").size() > 10);
  CHECK(lines(slurp(jsonl)) > 10);
}

TEST_CASE("asynclab trace info of a corrupt file exits 1 with one line saying why", "[cli][trace]") {
  const fs::path file = scratch() / "corrupt.altrace";
  std::ofstream(file) << "this is not a trace";
  Run r = run_asynclab("trace info '" + file.string() + "'");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("not an .altrace file"));
  CHECK_THAT(r.err, Catch::Contains(file.string()));
  CHECK(lines(r.err) == 1);
  CHECK(r.out.empty());
}

TEST_CASE("asynclab trace info of a missing file exits 1", "[cli][trace]") {
  Run r = run_asynclab("trace info '" + (scratch() / "missing.altrace").string() + "'");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("No such file"));
}

TEST_CASE("an unknown subcommand exits 2 with one line on stderr", "[cli]") {
  Run r = run_asynclab("frobnicate");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("frobnicate"));
  CHECK(lines(r.err) == 1);
}

TEST_CASE("usage errors exit 2: an unknown option, a missing file, an export with no target", "[cli]") {
  CHECK(run_asynclab("demo --frobnicate").status == 2);
  CHECK(run_asynclab("trace info").status == 2);
  CHECK(run_asynclab("trace").status == 2);
  CHECK(run_asynclab("demo --seed many").status == 2);
  Run r = run_asynclab("trace export whatever.altrace");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--chrome"));
}

TEST_CASE("asynclab with no arguments and no display ends with a short usage and succeeds", "[cli]") {
  Run r = run_asynclab("</dev/null", "env -u DISPLAY -u WAYLAND_DISPLAY ASYNCLAB_STATE_DIR=" +
                                         quoted(scratch() / "usage-state"));
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("asynclab demo"));
  CHECK_THAT(r.out, Catch::Contains("asynclab trace info"));
}

TEST_CASE(
    "asynclab trace info draws the timeline after the summary, one row per task, without colour when asked",
    "[cli][trace]") {
  const fs::path file = scratch() / "timeline.altrace";
  REQUIRE(run_asynclab("demo -o '" + file.string() + "'").status == 0);
  for (const char* no_colour : {"--no-color", "--color never"}) {
    CAPTURE(no_colour);
    Run r = run_asynclab("trace info '" + file.string() + "' " + no_colour + " --width 100");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    const std::size_t summary = r.out.find("tasks (");
    const std::size_t timeline = r.out.find("timeline — ");
    REQUIRE(summary != std::string::npos);
    REQUIRE(timeline != std::string::npos);
    CHECK(summary < timeline);
    for (const char* task : {" main ", " background fetch │", " worker 1 ", " worker 2 ", " worker 3 "}) {
      CAPTURE(task);
      CHECK_THAT(r.out.substr(timeline), Catch::Contains(task));
    }
    CHECK_THAT(r.out, Catch::Contains("✓ done"));
    // --width is the whole drawing: every row of the box is 100 columns.
    std::istringstream lines(r.out.substr(timeline));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("│") == std::string::npos) continue;
      std::size_t columns = 0;
      for (unsigned char c : line) columns += (c & 0xc0) != 0x80;
      CHECK(columns == 100);
    }
  }
}

TEST_CASE("asynclab trace info --no-timeline prints only the summary, and --color always colours it",
          "[cli][trace]") {
  const fs::path file = scratch() / "colours.altrace";
  REQUIRE(run_asynclab("demo -o '" + file.string() + "'").status == 0);
  Run plain = run_asynclab("trace info '" + file.string() + "' --no-timeline");
  CHECK(plain.status == 0);
  CHECK(plain.out.find("timeline — ") == std::string::npos);
  Run coloured = run_asynclab("trace info '" + file.string() + "' --color always");
  CHECK(coloured.status == 0);
  CHECK_THAT(coloured.out, Catch::Contains("\x1b[32m✓"));
  // Output to a file is not a terminal: colour stays off unless asked for.
  CHECK(run_asynclab("trace info '" + file.string() + "'").out.find('\x1b') == std::string::npos);
  CHECK(run_asynclab("trace info '" + file.string() + "' --color sometimes").status == 2);
}

TEST_CASE("asynclab demo ends with the timeline of its run", "[cli]") {
  Run r = run_asynclab("demo");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::size_t recorded = r.out.find("recorded ");
  const std::size_t timeline = r.out.find("timeline — ");
  REQUIRE(recorded != std::string::npos);
  REQUIRE(timeline != std::string::npos);
  CHECK(recorded < timeline);
  CHECK_THAT(r.out.substr(timeline), Catch::Contains(" background fetch │"));
}
