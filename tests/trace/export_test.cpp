// Exports: Chrome trace-event JSON that Perfetto can open, and JSON Lines.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/export.hpp"
#include "trace/trace_fixture.hpp"

using namespace asynclab;
using namespace trace_test;
using trace::EventKind;
using nlohmann::json;

namespace {

json chrome_of(const trace::Trace& t) {
  std::ostringstream out;
  trace::write_chrome_json(t, out);
  return json::parse(out.str());  // throws, failing the test, if it is not valid JSON
}

std::size_t count_kind(const trace::Trace& t, EventKind kind) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) n += t[i].kind == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("the Chrome export is a trace-event JSON object with nanosecond display", "[trace][export]") {
  const json doc = chrome_of(record_program());
  REQUIRE(doc.is_object());
  CHECK(doc.at("displayTimeUnit") == "ns");
  REQUIRE(doc.at("traceEvents").is_array());
  for (const json& e : doc["traceEvents"]) {
    REQUIRE(e.contains("ph"));
    REQUIRE(e.contains("tid"));
    if (e["ph"] != "M") CHECK(e.at("ts").is_number());
    // Process 1 draws the tasks; process 2 holds the details, as instants only.
    CHECK((e.at("pid") == 1 || e.at("pid") == 2));
    if (e["pid"] == 2 && e["ph"] != "M") {
      CHECK(e["ph"] == "i");
      CHECK(e["cat"] == "detail");
    }
  }
}

TEST_CASE("the Chrome export carries every event it does not draw, whole, in a details process", "[trace][export]") {
  const trace::Trace t = record_program();
  const json doc = chrome_of(t);
  std::map<std::string, std::size_t> details;
  for (const json& e : doc["traceEvents"]) {
    if (e["pid"] != 2 || e["ph"] != "i") continue;
    const json& args = e["args"];
    REQUIRE(args.contains("event"));
    CHECK(args["event"] == e["name"]);
    CHECK((args.contains("a") && args.contains("b") && args.contains("flags")));
    ++details[args["event"].get<std::string>()];
  }
  for (EventKind k : {EventKind::waker_cloned, EventKind::waker_dropped, EventKind::future_created,
                      EventKind::future_polled, EventKind::future_dropped, EventKind::timer_armed,
                      EventKind::timer_fired}) {
    INFO(trace::kind_name(k));
    CHECK(details[std::string(trace::kind_name(k))] == count_kind(t, k));
  }
  CHECK(details[std::string(trace::kind_name(EventKind::waker_cloned))] > 0);
  CHECK(details[std::string(trace::kind_name(EventKind::future_created))] > 0);
  CHECK(details[std::string(trace::kind_name(EventKind::timer_armed))] > 0);
}

TEST_CASE("the Chrome export names one track per task after the task", "[trace][export]") {
  const trace::Trace t = record_program();
  const json doc = chrome_of(t);
  std::map<std::uint32_t, std::string> thread_names;
  for (const json& e : doc["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 1)
      thread_names[e["tid"].get<std::uint32_t>()] = e["args"]["name"];

  CHECK(thread_names.at(0) == "runtime / timers");
  std::size_t tasks = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != EventKind::task_spawned) continue;
    ++tasks;
    const std::uint32_t id = t[i].task;
    INFO("task " << id << " named " << t.task_name(id));
    REQUIRE(thread_names.contains(id));
    CHECK_THAT(thread_names[id], Catch::StartsWith(t.task_name(id)));
  }
  CHECK(tasks >= 4);  // main, helper and the JoinSet's two workers, each with its track
  CHECK(thread_names.size() == tasks + 1);
}

TEST_CASE("the Chrome export draws one slice per poll, in order, each with a width", "[trace][export]") {
  const trace::Trace t = record_program();
  const json doc = chrome_of(t);
  std::size_t slices = 0;
  std::map<std::uint32_t, double> last_end;  // per track: slices never overlap
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] != "poll") continue;
    ++slices;
    const auto tid = e["tid"].get<std::uint32_t>();
    CHECK(e["dur"].get<double>() > 0);
    CHECK(e["ts"].get<double>() >= last_end[tid]);
    last_end[tid] = e["ts"].get<double>() + e["dur"].get<double>();
    CHECK(e["name"] == t.task_name(tid));
    CHECK(e["args"].contains("result"));
    CHECK(e["args"].contains("parked_at"));
  }
  CHECK(slices == count_kind(t, EventKind::poll_begin));
}

TEST_CASE("the Chrome export turns wakes into flow arrows whose starts and finishes pair up", "[trace][export]") {
  const trace::Trace t = record_program();
  const json doc = chrome_of(t);
  std::map<std::uint64_t, double> starts, finishes;
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] == "s") {
      CHECK(starts.emplace(e["id"].get<std::uint64_t>(), e["ts"].get<double>()).second);
    } else if (e["ph"] == "f") {
      CHECK(e["bp"] == "e");
      CHECK(finishes.emplace(e["id"].get<std::uint64_t>(), e["ts"].get<double>()).second);
    }
  }
  CHECK(!starts.empty());
  REQUIRE(starts.size() == finishes.size());
  for (const auto& [id, ts] : starts) {
    INFO("flow " << id);
    REQUIRE(finishes.contains(id));
    CHECK(finishes[id] >= ts);  // an arrow goes forward in time
  }
}

TEST_CASE("the Chrome export shows lints and marks as instant events", "[trace][export]") {
  const trace::Trace t = record_program();
  const json doc = chrome_of(t);
  std::size_t lints = 0, marks = 0;
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] != "i") continue;
    if (e["cat"] == "lint") {
      ++lints;
      CHECK(e["args"].contains("lint"));
    }
    if (e["cat"] == "mark") {
      ++marks;
      CHECK(e["args"]["label"] == e["name"]);
    }
  }
  CHECK(lints == count_kind(t, EventKind::lint));
  CHECK(lints >= 1);  // the forgotten future
  CHECK(marks == 2);
}

TEST_CASE("the Chrome export shows channel and lock events as instants that carry the whole event",
          "[trace][export]") {
  // A bounded channel a producer fills and a mutex two tasks take in turn, both named.
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().current_thread().virtual_time().trace(rec).build();
    rt.block_on([]() -> Task<void> {
      auto [tx, rx] = sync::mpsc::channel<int>(1, "jobs");
      auto producer = spawn(
          [](sync::mpsc::Sender<int> out) -> Task<void> {
            for (int i = 0; i < 3; ++i) (void)co_await out.send(i);
          }(std::move(tx)),
          "producer");
      while (co_await rx.recv()) {
      }
      (void)co_await producer;
      sync::Mutex<int> m(0, "shared");
      auto guard = co_await m.lock();
      *guard += 1;
    }());
  }
  const trace::Trace t = rec.take();
  const json doc = chrome_of(t);
  std::vector<trace::Event> want;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (trace::is_resource_event(t[i].kind)) want.push_back(t[i]);
  REQUIRE(want.size() >= 8);
  std::size_t k = 0;
  std::size_t labels = 0;
  std::set<std::string> names;
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] != "i" || e["cat"] != "resource") continue;
    REQUIRE(k < want.size());
    const trace::Event& w = want[k++];
    const json& args = e["args"];
    CHECK(args["event"] == std::string(trace::kind_name(w.kind)));
    CHECK(args["resource"] == w.a);
    CHECK(args["value"] == w.b);
    CHECK(args["flags"] == w.flags);
    CHECK(e["tid"] == w.task);
    names.insert(args["resource_name"].get<std::string>());
    if (w.kind == EventKind::resource_created)
      CHECK(args["resource_kind"] == std::string(trace::resource_kind_name(static_cast<trace::ResourceKind>(w.flags))));
    if (w.kind == EventKind::channel_value) {
      CHECK(args["label"] == t.value_label(w));  // a string id means nothing outside this trace
      ++labels;
    }
  }
  CHECK(k == want.size());
  CHECK(labels == 3);  // the producer's three ints
  CHECK(names == std::set<std::string>{"jobs", "shared"});
}

TEST_CASE("the exports carry a channel value's label as text", "[trace][export][labels]") {
  const trace::Trace t = record_values();
  std::vector<std::string> chrome_labels;
  const json doc = chrome_of(t);
  for (const json& e : doc["traceEvents"])
    // Metadata events have no "cat" and instants of other kinds no "event": value() reads them as "".
    if (e.value("cat", "") == "resource" && e["args"].value("event", "") == "channel_value")
      chrome_labels.push_back(e["args"]["label"]);
  CHECK(chrome_labels == std::vector<std::string>{"\"order 1\"", "\"order 2\"", "42"});

  std::ostringstream out;
  trace::write_json_lines(t, out);
  std::istringstream in(out.str());
  std::vector<std::string> line_labels;
  for (std::string line; std::getline(in, line);) {
    const json j = json::parse(line);
    if (j.at("kind") == "channel_value") line_labels.push_back(j.at("label"));
  }
  CHECK(line_labels == chrome_labels);
}

TEST_CASE("events sharing a virtual instant are spread a nanosecond apart in the Chrome export", "[trace][export]") {
  const json doc = chrome_of(record_tiny());
  // Every poll and instant lands on its own nanosecond, in recorded order: no two share a timestamp.
  std::set<double> seen;
  for (const json& e : doc["traceEvents"])
    if (e["ph"] == "i") CHECK(seen.insert(e["ts"].get<double>()).second);
}

TEST_CASE("the JSON Lines export writes one parsable object per event", "[trace][export]") {
  const trace::Trace t = record_program();
  std::ostringstream out;
  trace::write_json_lines(t, out);
  std::istringstream in(out.str());
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    INFO("line " << n + 1 << ": " << line);
    const json j = json::parse(line);
    REQUIRE(n < t.size());
    const trace::Event e = t[n];
    CHECK(j.at("time_ns") == e.time_ns);
    CHECK(j.at("kind") == trace::kind_name(e.kind));
    CHECK(j.at("task") == e.task);
    CHECK(j.contains("task_name"));
    switch (e.kind) {
      case EventKind::poll_end: CHECK(j.contains("result")); break;
      case EventKind::wake:
        CHECK(j.contains("source"));
        CHECK(j.contains("self"));
        CHECK(j.contains("by_ref"));
        break;
      case EventKind::lint: CHECK(j.contains("lint")); break;
      case EventKind::mark: CHECK(j.at("label").is_string()); break;
      case EventKind::channel_value:
        CHECK(j.at("label") == t.value_label(e));
        CHECK(j.at("resource") == e.a);
        break;
      case EventKind::task_completed: CHECK(j.contains("outcome")); break;
      default: break;
    }
    ++n;
  }
  CHECK(n == t.size());
}
