// Opening traces (trace/chrome_import.hpp, visualizer/model/load_trace.hpp): Chrome JSON back into a Trace,
// and a file opened by what it holds — with a clear message for everything that is not a trace.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "asynclab/trace/export.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/chrome_import.hpp"
#include "model/load_trace.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"
#include "support/trace_query.hpp"
#include "trace/trace_fixture.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using asynclab::testing::showcase_trace;
using trace::Event;
using trace::EventKind;

namespace {

std::string chrome_text(const trace::Trace& t) {
  std::ostringstream out;
  trace::write_chrome_json(t, out);
  return out.str();
}

trace::Trace imported(const trace::Trace& original) {
  auto t = trace::import_chrome_json(chrome_text(original));
  INFO((t ? std::string() : t.error()));
  REQUIRE(t.has_value());
  return std::move(*t);
}

// An event with its table references resolved to text, so events of two traces can be compared.
std::tuple<std::uint64_t, EventKind, std::uint32_t, std::uint16_t, std::uint32_t, std::string, std::uint8_t> resolved(
    const trace::Trace& t, const Event& e) {
  std::string b;
  switch (e.kind) {
    case EventKind::task_spawned:
      b = t.task_name(e.task) + " @ " + t.describe_location(t.site(e.b).location);
      break;
    case EventKind::poll_end:
    case EventKind::lint:
      b = t.describe_location(e.b);
      break;
    case EventKind::mark:
    case EventKind::resource_created:
    case EventKind::request_begin:
      b = std::string(t.string(e.b));
      break;
    case EventKind::channel_value:
      b = t.value_label(e);
      break;
    default:
      b = std::to_string(e.b);
      break;
  }
  return {e.time_ns, e.kind, e.task, e.flags, e.a, b, e.worker};
}

std::vector<std::uint32_t> spawned_tasks(const trace::Trace& t) {
  std::vector<std::uint32_t> ids;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == EventKind::task_spawned) ids.push_back(t[i].task);
  return ids;
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("asynclab-vis-load-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path write(const std::string& name, const std::string& bytes) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace

// --- Chrome JSON from our own export -----------------------------------------------------------

TEST_CASE("a Chrome export imports back with the same tasks, names and parents", "[vis][load]") {
  const trace::Trace original = showcase_trace();
  const trace::Trace back = imported(original);
  REQUIRE(spawned_tasks(back) == spawned_tasks(original));
  const asynclab::testing::TraceQuery before(original), after(back);
  for (std::uint32_t id : spawned_tasks(original)) {
    CAPTURE(id, original.task_name(id));
    CHECK(back.task_name(id) == original.task_name(id));
    CHECK(after.first(EventKind::task_spawned, id)->a == before.first(EventKind::task_spawned, id)->a);
    CHECK(after.outcome(id) == before.outcome(id));
  }
}

TEST_CASE("a Chrome export imports back with every poll of every task, its result and where it parked",
          "[vis][load]") {
  const trace::Trace original = showcase_trace();
  const trace::Trace back = imported(original);
  const asynclab::testing::TraceQuery before(original), after(back);
  for (std::uint32_t id : spawned_tasks(original)) {
    CAPTURE(original.task_name(id));
    CHECK(after.count(EventKind::poll_begin, id) == before.count(EventKind::poll_begin, id));
    CHECK(after.poll_results(id) == before.poll_results(id));
    const auto parked = [](const trace::Trace& t, std::uint32_t task) {
      std::vector<std::string> lines;
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].kind == EventKind::poll_end && t[i].task == task)
          lines.push_back(t.describe_location(t[i].b));
      return lines;
    };
    CHECK(parked(back, id) == parked(original, id));
  }
}

TEST_CASE("every wake survives the Chrome round trip with its waker and source", "[vis][load]") {
  // Those followed by a poll of the woken task as flow arrows, the others as details.
  const trace::Trace original = showcase_trace();
  const trace::Trace back = imported(original);
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint16_t>> expected, got;
  for (std::size_t i = 0; i < original.size(); ++i)
    if (original[i].kind == EventKind::wake) expected.emplace_back(original[i].task, original[i].a, original[i].flags);
  for (std::size_t i = 0; i < back.size(); ++i)
    if (back[i].kind == EventKind::wake) got.emplace_back(back[i].task, back[i].a, back[i].flags);
  CHECK(expected.size() >= 10);
  CHECK(got == expected);
}

TEST_CASE("a virtual-time Chrome export imports back as the very same events, at their recorded times",
          "[vis][load]") {
  // The export spreads events sharing a virtual instant a nanosecond apart; the import undoes that,
  // so even the order and times of events within one instant come back as recorded. Every kind
  // comes back: the future tree, waker clones and drops, timers and the rest travel as details.
  // trace_test::program adds a forgotten-future lint, a self-wake (yield_now) and marks.
  for (const trace::Trace& original : {showcase_trace(), trace_test::record_program()}) {
    const trace::Trace back = imported(original);
    REQUIRE(back.size() == original.size());
    for (std::size_t i = 0; i < original.size(); ++i) {
      CAPTURE(i, trace::kind_name(original[i].kind));
      CHECK(resolved(back, back[i]) == resolved(original, original[i]));
    }
  }
  // The showcase has each kind a Chrome viewer cannot draw, so the loop above checked them all.
  const trace::Trace showcase = showcase_trace();
  const asynclab::testing::TraceQuery q(showcase);
  for (EventKind k : {EventKind::waker_cloned, EventKind::waker_dropped, EventKind::future_created,
                      EventKind::future_polled, EventKind::future_dropped, EventKind::timer_armed,
                      EventKind::timer_fired, EventKind::timer_cancelled}) {
    CAPTURE(trace::kind_name(k));
    CHECK(q.count(k) > 0);
  }
}

TEST_CASE("a real-time Chrome export imports back with its events in order, each at most a little late",
          "[vis][load]") {
  // Real time: no sleeps (a test never waits), only tasks yielding to each other.
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().current_thread().trace(rec).build();
    rt.block_on([]() -> Task<void> {
      auto spin = [](int n) -> Task<int> {
        for (int i = 0; i < n; ++i) co_await yield_now();
        co_return n;
      };
      auto a = spawn(spin(3), "spin a");
      auto b = spawn(spin(5), "spin b");
      (void)co_await a;
      (void)co_await b;
    }());
  }
  const trace::Trace original = rec.take();
  const trace::Trace back = imported(original);
  REQUIRE(back.size() == original.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    CAPTURE(i, trace::kind_name(original[i].kind));
    auto want = resolved(original, original[i]);
    auto got = resolved(back, back[i]);
    // The export shows events at max(time, previous + 1 ns): never early, late by the events before.
    CHECK(std::get<0>(got) >= std::get<0>(want));
    CHECK(std::get<0>(got) <= std::get<0>(want) + original.size());
    std::get<0>(got) = std::get<0>(want);
    CHECK(got == want);
  }
}

TEST_CASE("a Chrome export imports back with its resources: channels and locks, their names and states",
          "[vis][load]") {
  const trace::Trace original = showcase_trace();
  const trace::Trace back = imported(original);
  const TraceIndex before(original), after(back);
  REQUIRE(before.resources().size() >= 2);  // the channel "jobs" and the mutex "shared"
  REQUIRE(after.resources().size() == before.resources().size());
  for (std::size_t r = 0; r < before.resources().size(); ++r) {
    const ResourceInfo& want = before.resources()[r];
    const ResourceInfo& got = after.resources()[r];
    CAPTURE(want.name);
    CHECK(got.id == want.id);
    CHECK(got.kind == want.kind);
    CHECK(got.name == want.name);
    CHECK(got.creator == want.creator);
    CHECK(got.capacity == want.capacity);
    CHECK(got.events.size() == want.events.size());
  }
  // The Resources window reads the world state: after each resource event the imported trace's
  // channels and locks (buffers and the labels of the values in them, holders, waiters, counts) are
  // what the original's were. Labels are references to events, so they are compared as the text they name.
  const auto after_each_resource_event = [](const TraceIndex& index) {
    std::vector<std::vector<std::pair<ResourceNow, std::vector<std::string>>>> states;
    WorldState s = initial_state(index);
    while (s.cursor < index.trace().size()) {
      const bool resource_event = trace::is_resource_event(index.trace()[s.cursor].kind);
      apply(index, s);
      if (!resource_event) continue;
      auto& now = states.emplace_back();
      for (ResourceNow r : s.resources) {
        std::vector<std::string> labels;
        for (std::size_t i = 0; i < r.labels.size(); ++i) labels.emplace_back(label_text(index.trace(), r.labels[i]));
        labels.emplace_back(label_text(index.trace(), r.label_held));
        r.labels.clear();
        r.label_held = 0;
        now.emplace_back(std::move(r), std::move(labels));
      }
    }
    return states;
  };
  const auto want = after_each_resource_event(before), got = after_each_resource_event(after);
  CHECK(want.size() > 10);
  CHECK(got == want);
}

TEST_CASE("a Chrome file exported before resources were written still loads, without resources", "[vis][load]") {
  // The same export with its "resource" instants taken out: what older exports wrote.
  nlohmann::json doc = nlohmann::json::parse(chrome_text(showcase_trace()));
  nlohmann::json& events = doc["traceEvents"];
  const std::size_t before = events.size();
  events.erase(std::remove_if(events.begin(), events.end(),
                              [](const nlohmann::json& e) { return e.value("cat", "") == "resource"; }),
               events.end());
  REQUIRE(events.size() < before);
  auto t = trace::import_chrome_json(doc.dump());
  INFO((t ? std::string() : t.error()));
  REQUIRE(t.has_value());
  const TraceIndex index(*t);
  CHECK(index.resources().empty());
  CHECK(index.find_task("consumer") != npos);
  for (std::size_t i = 0; i < t->size(); ++i) CHECK_FALSE(trace::is_resource_event((*t)[i].kind));
}

TEST_CASE("an imported trace survives saving as .altrace and loading again", "[vis][load]") {
  const trace::Trace back = imported(showcase_trace());
  auto again = trace::from_altrace(trace::to_altrace(back));
  INFO((again ? std::string() : again.error().to_string()));
  REQUIRE(again.has_value());
  CHECK(again->size() == back.size());
}

// --- Chrome JSON from other tools --------------------------------------------------------------

TEST_CASE(
    "another tool's Chrome trace imports as tasks per thread, top-level slices as polls, flows as wakes",
    "[vis][load]") {
  // Microsecond timestamps since boot, two threads, a call nested in a slice, a B/E pair, a flow
  // from one thread to the other and an instant.
  const std::string json = R"({"traceEvents":[
    {"ph":"M","name":"thread_name","pid":7,"tid":100,"args":{"name":"ui"}},
    {"ph":"M","name":"thread_name","pid":7,"tid":200,"args":{"name":"io"}},
    {"ph":"X","name":"frame","pid":7,"tid":100,"ts":1000000.0,"dur":10},
    {"ph":"X","name":"layout","pid":7,"tid":100,"ts":1000002.0,"dur":3},
    {"ph":"s","name":"post","cat":"ipc","id":"0x1","pid":7,"tid":100,"ts":1000005.0},
    {"ph":"B","name":"read","pid":7,"tid":200,"ts":1000020.0},
    {"ph":"E","pid":7,"tid":200,"ts":1000024.0},
    {"ph":"f","bp":"e","name":"post","cat":"ipc","id":"0x1","pid":7,"tid":200,"ts":1000020.0},
    {"ph":"i","name":"vsync","s":"g","pid":7,"tid":100,"ts":1000030.0},
    {"ph":"C","name":"memory","pid":7,"ts":1000031.0,"args":{"bytes":5}}
  ]})";
  auto t = trace::import_chrome_json(json);
  INFO((t ? std::string() : t.error()));
  REQUIRE(t.has_value());
  const asynclab::testing::TraceQuery q(*t);
  const std::uint32_t ui = q.task_named("ui"), io = q.task_named("io");
  REQUIRE(ui != 0);
  REQUIRE(io != 0);
  CHECK(q.count(EventKind::poll_begin, ui) == 1);  // "layout" is a call inside the frame
  CHECK(q.count(EventKind::poll_end, ui) == 1);
  CHECK(q.count(EventKind::poll_begin, io) == 1);
  const auto wake = q.first(EventKind::wake);
  REQUIRE(wake.has_value());
  CHECK(wake->task == io);
  CHECK(wake->a == ui);
  CHECK(wake->time_ns == 5'000);  // rebased: the first event is at 0
  const auto mark = q.first(EventKind::mark);
  REQUIRE(mark.has_value());
  CHECK(t->string(mark->b) == "vsync");
  CHECK(mark->task == 0);  // a global instant belongs to no thread
  CHECK(q.time_of_first(EventKind::poll_end, io) == std::chrono::nanoseconds(24'000));
  for (std::size_t i = 1; i < t->size(); ++i) CHECK((*t)[i - 1].time_ns <= (*t)[i].time_ns);
}

TEST_CASE("a JSON array trace without its closing bracket still imports, as Chrome allows", "[vis][load]") {
  const std::string json = R"([
    {"ph":"X","name":"work","pid":1,"tid":5,"ts":10,"dur":2},
    {"ph":"X","name":"work","pid":1,"tid":5,"ts":20,"dur":2},
  )";
  auto t = trace::import_chrome_json(json);
  INFO((t ? std::string() : t.error()));
  REQUIRE(t.has_value());
  CHECK(asynclab::testing::TraceQuery(*t).count(EventKind::poll_begin) == 2);
}

TEST_CASE("slices of one thread that touch or nest still give polls that never overlap", "[vis][load]") {
  const std::string json = R"([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":5},
    {"ph":"X","pid":1,"tid":1,"ts":5,"dur":0},
    {"ph":"X","pid":1,"tid":1,"ts":5,"dur":3},
    {"ph":"X","pid":1,"tid":1,"ts":8,"dur":0},
    {"ph":"X","pid":1,"tid":1,"ts":8,"dur":0},
    {"ph":"i","pid":1,"tid":1,"ts":8,"name":"here"}
  ])";
  auto t = trace::import_chrome_json(json);
  REQUIRE(t.has_value());
  bool open = false;
  std::size_t polls = 0;
  for (std::size_t i = 0; i < t->size(); ++i) {
    const Event e = (*t)[i];
    if (e.kind == EventKind::poll_begin) {
      CHECK_FALSE(open);
      open = true;
      ++polls;
    } else if (e.kind == EventKind::poll_end) {
      CHECK(open);
      open = false;
    }
  }
  CHECK_FALSE(open);
  CHECK(polls == 3);  // [0,5], [5,8] and one zero-length poll at 8; the empty slice at 5 is inside [5,8]
}

// --- bad input ---------------------------------------------------------------------------------

TEST_CASE("text that is not a Chrome trace is refused with a message saying why", "[vis][load]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  struct Case {
    const char* what;
    std::string text;
    const char* says;
  };
  const std::vector<Case> cases{
      {"empty", "", "the input is empty"},
      {"only spaces", "  \n\t ", "the input is empty"},
      {"garbage", "hello, trace",
       "expected a JSON object with traceEvents or a JSON array, but the JSON does not parse"},
      {"truncated object", R"({"traceEvents":[{"ph":"X","ts":1)", "line 1, column 33"},
      {"truncated inside an array event", R"([{"ph":"X","ts":)", "does not parse"},
      {"a number", "42", "got a JSON number"},
      {"an object without events", R"({"name":"not a trace"})", "got an object without traceEvents"},
      {"events that are not a list", R"({"traceEvents":{"ph":"X"}})",
       "traceEvents is a JSON object, expected an array"},
      {"a list of numbers", "[1, 2, 3]", "event 0 is a JSON number, not an object"},
      {"an event without a phase", R"([{"name":"x","ts":1}])", "event 0 has no \"ph\" (phase) string"},
      {"a slice without a time", R"([{"ph":"X","name":"x","pid":1,"tid":1}])",
       "event 0 (ph \"X\") has no numeric \"ts\""},
      // Found by hand and by fuzzing: neither may escape as an exception.
      {"a number no double holds", R"([{"ph":"X","name":"x","pid":1,"tid":1,"ts":1e400}])",
       "it holds a number out of range"},
      {"nesting a trace never has", std::string(100'000, '[') + std::string(100'000, ']'),
       "its arrays and objects nest more than 64 deep"},
      {"nesting inside an event's args", R"([{"ph":"X","args":)" + std::string(70, '[') + std::string(70, ']') + "}]",
       "nest more than 64 deep"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    auto t = trace::import_chrome_json(c.text);
    REQUIRE_FALSE(t.has_value());
    CHECK_THAT(t.error(), StartsWith("not a Chrome trace: ") && Contains(c.says));
  }
}

// --- opening a file ----------------------------------------------------------------------------

TEST_CASE("a trace file is opened by its content: .altrace or Chrome JSON, whatever its name",
          "[vis][load]") {
  const TempDir dir;
  const trace::Trace original = showcase_trace();
  REQUIRE(trace::save(original, dir / "run.altrace").has_value());
  auto binary = load_trace_file(dir / "run.altrace");
  INFO((binary ? std::string() : binary.error()));
  REQUIRE(binary.has_value());
  CHECK(binary->size() == original.size());

  // Named .txt, starting with whitespace: still JSON.
  const auto json_path = dir.write("exported.txt", "\n  " + chrome_text(original));
  auto json = load_trace_file(json_path);
  INFO((json ? std::string() : json.error()));
  REQUIRE(json.has_value());
  CHECK(spawned_tasks(*json) == spawned_tasks(original));
}

TEST_CASE("a file that cannot be opened as a trace gives a message naming the file and the reason",
          "[vis][load]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  const TempDir dir;

  const auto missing = dir / "missing.altrace";
  auto r = load_trace_file(missing);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(),
             StartsWith(missing.string() + ": cannot read") && Contains("No such file or directory"));

  std::mt19937 rng(42);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  noise[0] = 'Z';  // a random first byte could, once in 128 runs of this generator, be '{' or '['
  const auto random_path = dir.write("random.bin", noise);
  r = load_trace_file(random_path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == random_path.string() + ": not a trace (expected an .altrace file or Chrome trace JSON)");

  const auto text_path = dir.write("x.txt", "just some notes\n");
  r = load_trace_file(text_path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == text_path.string() + ": not a trace (expected an .altrace file or Chrome trace JSON)");

  r = load_trace_file(dir.write("empty.altrace", ""));
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), Contains("the file is empty"));

  std::error_code ec;
  std::filesystem::create_directory(dir / "a folder", ec);
  r = load_trace_file(dir / "a folder");
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), Contains("a folder: cannot read: it is a directory"));

  // A damaged .altrace goes to the strict loader, whose message says what is wrong.
  std::string damaged = trace::to_altrace(showcase_trace());
  damaged.resize(damaged.size() / 2);
  const auto damaged_path = dir.write("damaged.altrace", damaged);
  r = load_trace_file(damaged_path);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), StartsWith(damaged_path.string() + ": ") && Contains("truncated"));

  // Chrome JSON that does not parse: the importer's message, after the file's name.
  const auto broken_path = dir.write("broken.json", R"({"traceEvents":[)");
  r = load_trace_file(broken_path);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), StartsWith(broken_path.string() + ": not a Chrome trace: "));

  const auto gz_path = dir.write("trace.json.gz", std::string("\x1f\x8b\x08\x00", 4) + "compressed");
  r = load_trace_file(gz_path);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), Contains("gzip"));
}

TEST_CASE("a trace file larger than the limit is refused before it is read", "[vis][load]") {
  const TempDir dir;
  const auto path = dir.write("big.altrace", trace::to_altrace(showcase_trace()));
  auto r = load_trace_file(path, 100);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error(), Catch::Matchers::Contains("more than the 100 bytes a trace may have"));
  CHECK(max_trace_file_bytes == std::uint64_t{4} * 1024 * 1024 * 1024);
}
