// The swimlane timeline drawn in a terminal (visualizer/terminal/swimlanes.hpp): one row per task,
// one column per slice of the run, read back as text the way a learner reads it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <clocale>
#include <cwchar>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/sim/http.hpp"
#include "model/trace_index.hpp"
#include "support/harness.hpp"
#include "terminal/swimlanes.hpp"
#include "visualizer/model_scenarios.hpp"

using namespace asynclab;
using namespace asynclab::vis;
using asynclab::testing::showcase_trace;
using trace::Event;
using trace::EventKind;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) ++j;
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A lane's row, split where the learner's eye splits it: the label, and the cells between the frames.
struct Row {
  std::string label;               // the name as printed, without the padding
  std::vector<std::string> cells;  // one code point per column
  std::size_t label_columns = 0;   // columns before the left frame
  std::size_t columns = 0;         // the whole line
};

std::optional<Row> parse_row(const std::string& line) {
  const auto points = code_points(line);
  std::size_t left = 0;
  while (left < points.size() && points[left] != "│") ++left;
  if (left == points.size() || left < 2) return std::nullopt;
  std::size_t right = points.size() - 1;
  if (right <= left || points[right] != "│") return std::nullopt;
  Row row;
  for (std::size_t i = 1; i < left; ++i) row.label += points[i];
  while (!row.label.empty() && row.label.back() == ' ') row.label.pop_back();
  row.cells.assign(points.begin() + static_cast<std::ptrdiff_t>(left) + 1,
                   points.begin() + static_cast<std::ptrdiff_t>(right));
  row.label_columns = left;
  row.columns = points.size();
  return row;
}

std::vector<Row> rows_of(const std::string& text) {
  std::vector<Row> rows;
  for (const std::string& line : lines_of(text))
    if (auto row = parse_row(line)) rows.push_back(std::move(*row));
  return rows;
}

std::optional<Row> row_named(const std::string& text, std::string_view name) {
  for (Row& row : rows_of(text))
    if (row.label == name) return row;
  return std::nullopt;
}

// The first column holding `glyph`, or -1.
int column_of(const Row& row, std::string_view glyph) {
  for (std::size_t c = 0; c < row.cells.size(); ++c)
    if (row.cells[c] == glyph) return static_cast<int>(c);
  return -1;
}

bool has(const Row& row, std::string_view glyph) { return column_of(row, glyph) >= 0; }

bool is_poll(const std::string& cell) {
  return cell == "█" || (cell.size() == 1 && cell[0] >= '2' && cell[0] <= '9') || cell == "#";
}

// Removes ANSI SGR sequences (ESC [ ... m).
std::string strip_sgr(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i = s.find('m', i);
      continue;
    }
    out += s[i];
  }
  return out;
}

SwimlaneOptions options(int width, SwimlaneAxis axis = SwimlaneAxis::automatic) {
  SwimlaneOptions o;
  o.width = width;
  o.axis = axis;
  return o;
}

Task<void> take_both(sync::Mutex<int>& first, sync::Mutex<int>& second) {
  auto g1 = co_await first.lock();
  co_await yield_now();  // let the other task take its first lock
  auto g2 = co_await second.lock();
  *g1 += 1;
  *g2 += 1;
}

// Two tasks take two mutexes in opposite orders (as in tests/sync/lock_deadlock_test.cpp): the first
// seed under which they deadlock, and the trace of that run.
trace::Trace deadlock_trace() {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    trace::Recorder rec;
    sync::Mutex<int> a(0, "first");
    sync::Mutex<int> b(0, "second");
    bool stuck = false;
    {
      auto rt = Runtime::builder()
                    .current_thread()
                    .virtual_time()
                    .seed(seed)
                    .explore_schedules()
                    .trace(rec)
                    .build();
      stuck = !rt.try_block_on([](sync::Mutex<int>& x, sync::Mutex<int>& y) -> Task<void> {
                   auto alice = spawn(take_both(x, y), "alice");
                   auto bob = spawn(take_both(y, x), "bob");
                   (void)co_await alice;
                   (void)co_await bob;
                 }(a, b))
                   .has_value();
    }
    if (stuck) return rec.take();
  }
  FAIL("no seed in 1..50 deadlocks");
  return {};
}

// A hand-made trace of about `events` events: `tasks` tasks, each woken by a timer and polled in
// turn, round after round, one microsecond of virtual time per round.
trace::Trace generated_trace(std::size_t events, std::uint32_t tasks) {
  trace::Trace t;
  t.reserve(events + 4 * tasks + 2);
  t.push(Event{0, EventKind::runtime_started, 0, 1, 0, 0, 0});
  for (std::uint32_t id = 1; id <= tasks; ++id) {
    const std::uint32_t name = t.add_string("task " + std::to_string(id));
    const std::uint32_t site = t.add_site({name, 0});
    t.push(Event{0, EventKind::task_spawned, 0, 0, id, 0, site});
  }
  std::uint64_t now = 0;
  while (t.size() + 3 * tasks < events) {
    now += 1000;
    for (std::uint32_t id = 1; id <= tasks; ++id) {
      t.push(Event{now, EventKind::wake, 0, static_cast<std::uint16_t>(trace::WakeSource::timer), id, 0, 0});
      t.push(Event{now, EventKind::poll_begin, 0, 0, id, 0, 0});
      t.push(Event{now, EventKind::poll_end, 0, static_cast<std::uint16_t>(trace::PollResult::pending), id, 0,
                   0});
    }
  }
  for (std::uint32_t id = 1; id <= tasks; ++id) {
    t.push(Event{now, EventKind::poll_begin, 0, 0, id, 0, 0});
    t.push(
        Event{now, EventKind::poll_end, 0, static_cast<std::uint16_t>(trace::PollResult::ready), id, 0, 0});
    t.push(
        Event{now, EventKind::task_completed, 0, static_cast<std::uint16_t>(trace::Outcome::ok), id, 0, 0});
  }
  t.push(Event{now, EventKind::runtime_stopped, 0, 0, 0, 0, 0});
  return t;
}

}  // namespace

TEST_CASE("the timeline has one row per task, in id order, named, with exactly `width` cells",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const int width = GENERATE(12, 57, 100, 240);
  const SwimlaneAxis axis = GENERATE(SwimlaneAxis::time, SwimlaneAxis::sequence);
  CAPTURE(width, static_cast<int>(axis));
  const std::string text = render_swimlanes(index, options(width, axis));
  INFO(text);

  const std::vector<Row> rows = rows_of(text);
  REQUIRE(rows.size() == index.tasks().size() + 1);  // and the blocking lane
  for (std::size_t i = 0; i < index.tasks().size(); ++i) CHECK(rows[i].label == index.tasks()[i].name);
  CHECK(rows.back().label == "blocking lane 1");
  for (const Row& row : rows) {
    CAPTURE(row.label);
    CHECK(row.cells.size() == static_cast<std::size_t>(width));
    CHECK(row.label_columns == rows.front().label_columns);
    CHECK(row.columns == rows.front().label_columns + 1 + static_cast<std::size_t>(width) + 1);
  }
}

TEST_CASE(
    "a task that finishes sooner has its done mark further left: fetch b (10 ms) before fetch a (30 ms)",
    "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const SwimlaneAxis axis = GENERATE(SwimlaneAxis::automatic, SwimlaneAxis::time, SwimlaneAxis::sequence);
  CAPTURE(static_cast<int>(axis));
  const std::string text = render_swimlanes(index, options(100, axis));
  INFO(text);
  const auto a = row_named(text, "fetch a");
  const auto b = row_named(text, "fetch b");
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(has(*a, "✓"));
  REQUIRE(has(*b, "✓"));
  CHECK(column_of(*b, "✓") < column_of(*a, "✓"));
  // Nothing is drawn for a task once it is done.
  for (std::size_t c = static_cast<std::size_t>(column_of(*b, "✓")) + 1; c < b->cells.size(); ++c)
    CHECK(b->cells[c] == " ");
}

TEST_CASE("task rows follow the ids where worker threads recorded two spawns in the other order, "
          "as the GUI's lanes",
          "[vis][terminal]") {
  const trace::Trace t = asynclab::testing::spawns_out_of_id_order_trace();
  const TraceIndex index(t);
  const SwimlaneLayout layout = layout_swimlanes(index, options(40));
  std::vector<std::uint32_t> ids;
  for (const SwimlaneRow& row : layout.lanes)
    if (!row.is_worker && row.task != 0) ids.push_back(row.task);
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
  // With room for three, the first three ids.
  SwimlaneOptions three = options(40);
  three.max_lanes = 3;
  ids.clear();
  for (const SwimlaneRow& row : layout_swimlanes(index, three).lanes)
    if (!row.is_worker && row.task != 0) ids.push_back(row.task);
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3});
}

TEST_CASE("on the time axis, columns are equal slices of the clock and a done mark sits at its time",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const std::string text = render_swimlanes(index, options(100, SwimlaneAxis::time));
  INFO(text);
  CHECK_THAT(text, Catch::Contains("one column = 300 µs"));  // the run lasts 30 ms
  const auto a = row_named(text, "fetch a");
  const auto b = row_named(text, "fetch b");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(column_of(*b, "✓") == 33);  // 10 ms / 300 µs
  CHECK(column_of(*a, "✓") == 99);  // 30 ms: the run's last instant, in the last column
}

TEST_CASE("a virtual-time run is drawn poll by poll, with the clock marked on the axis", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const SwimlaneLayout layout = layout_swimlanes(index, options(100));
  CHECK(layout.axis == SwimlaneAxis::sequence);
  const std::string text = render_swimlanes(index, options(100));
  INFO(text);
  CHECK_THAT(text, Catch::Contains("poll by poll"));
  CHECK_THAT(text, Catch::Contains("0 ms") && Catch::Contains("10 ms") && Catch::Contains("30 ms"));
  // One poll opens each stretch of columns: no two tasks are polled in the same column.
  const std::vector<Row> rows = rows_of(text);
  for (std::size_t c = 0; c < 100; ++c) {
    int polled = 0;
    for (const Row& row : rows) polled += is_poll(row.cells[c]) ? 1 : 0;
    CAPTURE(c);
    CHECK(polled <= 1);
  }
}

TEST_CASE("on the sequence axis a wake shares its column with the poll or completion that caused it",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const std::string text = render_swimlanes(index, options(100, SwimlaneAxis::sequence));
  INFO(text);
  const auto producer = row_named(text, "producer");
  const auto consumer = row_named(text, "consumer");
  REQUIRE(producer);
  REQUIRE(consumer);
  // The producer waits on a full buffer; each receive by the consumer wakes it ("c").
  int channel_wakes = 0;
  for (std::size_t c = 0; c < producer->cells.size(); ++c) {
    if (producer->cells[c] != "c") continue;
    ++channel_wakes;
    CAPTURE(c);
    CHECK((is_poll(consumer->cells[c]) || consumer->cells[c] == "✓"));
  }
  CHECK(channel_wakes >= 2);
  // A timer's wake comes between polls, in a column where no task is polled.
  const std::vector<Row> rows = rows_of(text);
  const auto fetch_b = row_named(text, "fetch b");
  REQUIRE(fetch_b);
  const int timer = column_of(*fetch_b, "t");
  REQUIRE(timer >= 0);
  for (const Row& row : rows) CHECK_FALSE(is_poll(row.cells[static_cast<std::size_t>(timer)]));
}

TEST_CASE("the racer's losing sleep is drawn as a cancel mark before its done mark", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const SwimlaneAxis axis = GENERATE(SwimlaneAxis::time, SwimlaneAxis::sequence);
  CAPTURE(static_cast<int>(axis));
  const std::string text = render_swimlanes(index, options(100, axis));
  INFO(text);
  const auto racer = row_named(text, "racer");
  REQUIRE(racer);
  REQUIRE(has(*racer, "✗"));
  CHECK(column_of(*racer, "✗") < column_of(*racer, "✓"));
  CHECK_THAT(text, Catch::Contains("✗ cancelled"));
  // No other task cancelled anything.
  for (const char* name : {"fetch a", "fetch b", "producer", "consumer", "worker 1", "worker 2"}) {
    CAPTURE(name);
    CHECK_FALSE(has(*row_named(text, name), "✗"));
  }
}

TEST_CASE("the producer waits, idle or scheduled, between its polls while the buffer is full",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const SwimlaneAxis axis = GENERATE(SwimlaneAxis::time, SwimlaneAxis::sequence);
  CAPTURE(static_cast<int>(axis));
  const SwimlaneLayout layout = layout_swimlanes(index, options(100, axis));
  const SwimlaneRow* producer = nullptr;
  for (const SwimlaneRow& lane : layout.lanes)
    if (lane.label == "producer") producer = &lane;
  REQUIRE(producer);
  // poll ... waiting ... poll: a gap between two of its polls.
  std::vector<CellKind> kinds;
  for (const Cell& c : producer->cells)
    if (kinds.empty() || kinds.back() != c.kind) kinds.push_back(c.kind);
  bool gap = false;
  for (std::size_t i = 0; i + 2 < kinds.size(); ++i) {
    const bool waiting = kinds[i + 1] == CellKind::idle || kinds[i + 1] == CellKind::scheduled;
    const auto polled = [](CellKind k) { return k == CellKind::polled || k == CellKind::polls; };
    if (polled(kinds[i]) && waiting) {
      for (std::size_t j = i + 2; j < kinds.size(); ++j)
        if (polled(kinds[j])) gap = true;
    }
  }
  CHECK(gap);
}

TEST_CASE("a blocking job is drawn on a lane of its own", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const std::string text = render_swimlanes(index, options(100, SwimlaneAxis::time));
  INFO(text);
  const auto lane = row_named(text, "blocking lane 1");
  REQUIRE(lane);
  // 15 ms of a 30 ms run, from the start: about half the width.
  int busy = 0;
  for (const std::string& cell : lane->cells) busy += cell == "▬" ? 1 : 0;
  CHECK(busy >= 45);
  CHECK(busy <= 55);
  CHECK(lane->cells.front() == "▬");
}

TEST_CASE("a cursor hides what happens after it: before fetch a completes, its row has no done mark",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const TaskInfo& fetch_a = *index.task(index.find_task("fetch a"));
  const TaskInfo& fetch_b = *index.task(index.find_task("fetch b"));
  const SwimlaneAxis axis = GENERATE(SwimlaneAxis::time, SwimlaneAxis::sequence);
  CAPTURE(static_cast<int>(axis));
  SwimlaneOptions o = options(100, axis);
  o.upto = fetch_a.completed_event;  // fetch a's completion is the first event not drawn
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  const auto a = row_named(text, "fetch a");
  const auto b = row_named(text, "fetch b");
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(has(*a, "✓"));
  CHECK(has(*b, "✓"));  // fetch b finished long before
  CHECK(fetch_b.completed_event < o.upto);
  CHECK_THAT(text, Catch::Contains("▼"));
  CHECK_THAT(text,
             Catch::Contains("up to event " + std::to_string(o.upto) + " of " + std::to_string(t.size())));
  // The axis does not move with the cursor: the same columns as the whole run.
  CHECK(layout_swimlanes(index, o).bounds == layout_swimlanes(index, options(100, axis)).bounds);

  o.upto = fetch_a.completed_event + 1;
  CHECK(has(*row_named(render_swimlanes(index, o), "fetch a"), "✓"));
}

TEST_CASE("a cursor before a task's spawn leaves its row out", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  SwimlaneOptions o = options(80);
  o.upto = index.task(index.find_task("racer"))->spawned_event;
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  CHECK(row_named(text, "worker 2"));
  CHECK_FALSE(row_named(text, "racer"));
  CHECK_FALSE(row_named(text, "blocking lane 1"));

  o.upto = 0;
  CHECK_THAT(render_swimlanes(index, o), Catch::Contains("no tasks yet"));
}

TEST_CASE("plain text has no escape sequences, colour adds SGR sequences and changes nothing else",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  SwimlaneOptions o = options(90);
  o.highlight_task = index.find_task("racer");
  const std::string plain = render_swimlanes(index, o);
  CHECK(plain.find('\x1b') == std::string::npos);
  o.color = true;
  const std::string coloured = render_swimlanes(index, o);
  CHECK_THAT(coloured, Catch::Contains("\x1b[32m✓"));  // ready green
  CHECK_THAT(coloured, Catch::Contains("\x1b[31m✗"));  // cancelled red
  CHECK_THAT(coloured, Catch::Contains("\x1b[0m"));
  CHECK(strip_sgr(coloured) == plain);
  // Every line that opens a colour closes it, so nothing leaks into what is printed next.
  for (const std::string& line : lines_of(coloured)) {
    CAPTURE(line);
    const std::size_t last = line.rfind('\x1b');
    if (last != std::string::npos) CHECK(line.compare(last, 4, "\x1b[0m") == 0);
  }
}

TEST_CASE("every glyph drawn is one terminal column wide", "[vis][terminal]") {
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
    WARN("no C.UTF-8 locale: wcwidth cannot be asked");
    return;
  }
  const trace::Trace showcase = showcase_trace();
  const trace::Trace deadlock = deadlock_trace();
  std::string text = render_swimlanes(TraceIndex(showcase), options(100, SwimlaneAxis::time)) +
                     render_swimlanes(TraceIndex(showcase), options(100, SwimlaneAxis::sequence)) +
                     render_swimlanes(TraceIndex(deadlock), options(60));
  for (const std::string& cp : code_points(text)) {
    if (cp == "\n") continue;
    std::mbstate_t state{};
    wchar_t wc = 0;
    REQUIRE(std::mbrtowc(&wc, cp.data(), cp.size(), &state) == cp.size());
    CAPTURE(cp);
    CHECK(::wcwidth(wc) == 1);
  }
  std::setlocale(LC_CTYPE, "C");
}

TEST_CASE("two tasks deadlocked on two mutexes are marked stuck, with what each waits on and who holds it",
          "[vis][terminal]") {
  const trace::Trace t = deadlock_trace();
  const TraceIndex index(t);
  const std::string text = render_swimlanes(index, options(60));
  INFO(text);
  const auto alice = row_named(text, "alice");
  const auto bob = row_named(text, "bob");
  REQUIRE(alice);
  REQUIRE(bob);
  CHECK(has(*alice, "⊘"));
  CHECK(has(*bob, "⊘"));
  const std::vector<std::string> notes = layout_swimlanes(index, options(60)).stuck_notes;
  CHECK(std::find(notes.begin(), notes.end(),
                  "⊘ alice waits for ever on mutex \"second\", held by bob — on the wait-for cycle") !=
        notes.end());
  CHECK(std::find(notes.begin(), notes.end(),
                  "⊘ bob waits for ever on mutex \"first\", held by alice — on the wait-for cycle") !=
        notes.end());
  CHECK_THAT(text, Catch::Contains("⊘ alice waits for ever on mutex \"second\""));  // wrapped to the width
  CHECK_THAT(text, Catch::Contains("⊘ stuck for ever"));                            // in the legend
  // The stuck tasks are cancelled when the runtime is dropped, after being reported.
  CHECK(column_of(*alice, "⊘") < column_of(*alice, "✗"));
}

TEST_CASE("a trace without tasks says so in one line", "[vis][terminal]") {
  const trace::Trace empty;
  CHECK(render_swimlanes(TraceIndex(empty), options(80)) ==
        "timeline: no tasks (the trace has no spawned task to draw)\n");
  trace::Trace started;
  started.push(Event{0, EventKind::runtime_started, 0, 1, 0, 0, 0});
  CHECK_THAT(render_swimlanes(TraceIndex(started), options(80)), Catch::Contains("no tasks"));
}

TEST_CASE("beyond max_lanes the other tasks are counted, and the highlighted task is always drawn",
          "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  SwimlaneOptions o = options(60);
  o.max_lanes = 3;
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  CHECK(rows_of(text).size() == 3 + 1);  // and the blocking lane
  CHECK_THAT(text, Catch::Contains("… and 6 more tasks"));
  CHECK_THAT(text, Catch::Contains("9 tasks"));

  o.highlight_task = index.find_task("racer");
  const std::string pointed = render_swimlanes(index, o);
  INFO(pointed);
  CHECK(row_named(pointed, "racer"));
  CHECK_THAT(pointed, Catch::Contains("▸racer"));
  CHECK_FALSE(row_named(pointed, "fetch b"));  // the last of the three made room for it
}

TEST_CASE("long task names are cut to the label column with an ellipsis", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  SwimlaneOptions o = options(40);
  o.label_width = 5;
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  CHECK(row_named(text, "fetc…"));
  CHECK(row_named(text, "main"));
  for (const Row& row : rows_of(text)) CHECK(row.label_columns == 1 + 5 + 1);
}

TEST_CASE("swimlane_width_for fits the whole drawing in the terminal's columns", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  const int columns = GENERATE(60, 80, 132);
  CAPTURE(columns);
  SwimlaneOptions o;
  o.width = swimlane_width_for(index, o, columns);
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  for (const Row& row : rows_of(text)) CHECK(row.columns == static_cast<std::size_t>(columns));
  // The title and the legend wrap or fit too.
  for (const std::string& line : lines_of(text))
    CHECK(code_points(line).size() <= static_cast<std::size_t>(columns));
}

TEST_CASE("a trace of a million events is drawn, folding many polls into each column", "[vis][terminal]") {
  const trace::Trace t = generated_trace(1'000'000, 50);
  REQUIRE(t.size() >= 999'000);
  const TraceIndex index(t);
  for (const SwimlaneAxis axis : {SwimlaneAxis::automatic, SwimlaneAxis::time, SwimlaneAxis::sequence}) {
    CAPTURE(static_cast<int>(axis));
    SwimlaneOptions o = options(120, axis);
    o.max_lanes = 20;
    const std::string text = render_swimlanes(index, o);
    const std::vector<Row> rows = rows_of(text);
    REQUIRE(rows.size() == 20);
    CHECK_THAT(text, Catch::Contains("… and 30 more tasks"));
    for (const Row& row : rows) {
      CHECK(row.cells.size() == 120);
      CHECK(row.cells[60] == "#");  // each column holds dozens of this task's polls
    }
    o.upto = t.size() / 2;
    CHECK(rows_of(render_swimlanes(index, o)).size() == 20);
  }
}

namespace {
Task<int> parse_for_workers(int i) {
  sim::block_for(std::chrono::milliseconds(10));
  co_return i;
}
Task<void> four_parses_for_workers() {
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(spawn(parse_for_workers(i), "parse " + std::to_string(i)));
  for (auto& h : hs) (void)co_await h;
}
}  // namespace

TEST_CASE("a multi-worker trace gets a row per worker first, and no shared worker-blocked row", "[vis][swimlanes]") {
  trace::Recorder rec;
  {
    auto rt = Runtime::builder().multi_thread(2).virtual_time().trace(rec).build();
    rt.block_on(four_parses_for_workers());
  }
  const TraceIndex index(rec.trace());
  const SwimlaneLayout layout = layout_swimlanes(index, options(100, SwimlaneAxis::time));
  REQUIRE(layout.lanes.size() == 2 + 5);
  CHECK(layout.lanes[0].is_worker);
  CHECK(layout.lanes[0].label == "worker 0");
  CHECK(layout.lanes[1].is_worker);
  CHECK(layout.lanes[1].worker == 1);
  CHECK(layout.lanes[2].label == "main");
  for (const SwimlaneRow& row : layout.lanes) CHECK(row.label != "worker blocked");
  // Both workers parse from 0 ms to 10 ms (the run ends at 20 ms): the first column is a poll on each.
  CHECK(layout.lanes[0].cells[0].kind == CellKind::polled);
  CHECK(layout.lanes[1].cells[0].kind == CellKind::polled);
}

namespace {

// Two fetches in one task, one after another or joined, traced on the simulated network.
trace::Trace two_fetches(bool joined) {
  sim::Network net;
  net.host("a.example").latency(std::chrono::milliseconds(100)).body_size(10);
  net.host("b.example").latency(std::chrono::milliseconds(200)).body_size(20);
  trace::Recorder rec;
  auto rt = Runtime::builder().virtual_time().trace(rec).network(std::move(net)).build();
  rt.block_on([joined]() -> Task<void> {
    if (joined) {
      auto both = co_await join(sim::http::get("http://a.example/"), sim::http::get("http://b.example/"));
      (void)both;
    } else {
      auto a = co_await sim::http::get("http://a.example/");
      auto b = co_await sim::http::get("http://b.example/");
      (void)a;
      (void)b;
    }
  });
  return rec.take();
}

// The columns a row's spans cover (━ or an end mark).
std::pair<int, int> span_columns(const Row& row) {
  int first = -1, last = -1;
  for (std::size_t c = 0; c < row.cells.size(); ++c)
    if (row.cells[c] == "━" || row.cells[c] == "✗" || row.cells[c] == "?") {
      if (first < 0) first = static_cast<int>(c);
      last = static_cast<int>(c);
    }
  return {first, last};
}

}  // namespace

TEST_CASE("with nested rows, a task's requests are drawn under it: a staircase one after another, side by side joined",
          "[vis][terminal]") {
  SwimlaneOptions o = options(60, SwimlaneAxis::time);
  o.nested = true;
  const trace::Trace sequential = two_fetches(false);
  const std::string staircase = render_swimlanes(TraceIndex(sequential), o);
  INFO(staircase);
  const auto a = row_named(staircase, "  GET a.example/");
  const auto b = row_named(staircase, "  GET b.example/");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->label_columns == row_named(staircase, "main")->label_columns);  // one label column for all
  CHECK(span_columns(*a).first == 0);
  CHECK(span_columns(*b).first >= span_columns(*a).second);  // b starts when a has answered
  CHECK_THAT(staircase, Catch::Contains("━ inside a task"));

  const trace::Trace joined = two_fetches(true);
  const std::string side_by_side = render_swimlanes(TraceIndex(joined), o);
  INFO(side_by_side);
  const auto ja = row_named(side_by_side, "  GET a.example/");
  const auto jb = row_named(side_by_side, "  GET b.example/");
  REQUIRE(ja);
  REQUIRE(jb);
  CHECK(span_columns(*ja).first == 0);
  CHECK(span_columns(*jb).first == 0);  // both in flight from the start
  CHECK(span_columns(*jb).second > span_columns(*ja).second);

  // Without the option, no rows inside tasks; before the cursor reaches a request, no row for it.
  CHECK_FALSE(row_named(render_swimlanes(TraceIndex(sequential), options(60, SwimlaneAxis::time)), "  GET a.example/"));
  SwimlaneOptions early = o;
  early.upto = 3;
  CHECK_FALSE(row_named(render_swimlanes(TraceIndex(sequential), early), "  GET b.example/"));
}

TEST_CASE("with nested rows, the racer's losing branch ends in a cut at the racer's cancel mark", "[vis][terminal]") {
  const trace::Trace t = showcase_trace();
  const TraceIndex index(t);
  SwimlaneOptions o = options(100, SwimlaneAxis::sequence);
  o.nested = true;
  const std::string text = render_swimlanes(index, o);
  INFO(text);
  const auto racer = row_named(text, "racer");
  REQUIRE(racer);
  // The rows right under the racer: one of them is cut (✗) in the column of the racer's own ✗.
  const auto rows = rows_of(text);
  const auto at = std::ranges::find_if(rows, [](const Row& r) { return r.label == "racer"; });
  REQUIRE(at != rows.end());
  bool cut_there = false;
  for (auto r = std::next(at); r != rows.end() && r->label.starts_with("  "); ++r)  // rows inside are indented
    cut_there |= column_of(*r, "✗") == column_of(*racer, "✗");
  CHECK(cut_there);
}
