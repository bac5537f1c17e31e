// What a channel records of the values it is sent (trace/value_label.hpp, EventKind::channel_value):
// the label rules, the label of each value right before its send, nothing for unlabelled types or
// untraced runs, and the recorder's cap on distinct labels. The last test runs on current_thread,
// multi_thread(2) and multi_thread(4); the others on current_thread only (exact event sequences).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/value_label.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
using trace::EventKind;
namespace mpsc = asynclab::sync::mpsc;
namespace oneshot = asynclab::sync::oneshot;
namespace broadcast = asynclab::sync::broadcast;
namespace watch = asynclab::sync::watch;

namespace shop {
struct Order {
  int id;
};
std::atomic<int> orders_labelled{0};
std::string asynclab_label(const Order& o) {
  orders_labelled.fetch_add(1, std::memory_order_relaxed);
  return "order " + std::to_string(o.id);
}
enum class Size { small = 1, large = 7 };
struct Opaque {
  int secret;
};
}  // namespace shop

namespace {

// One resource's value and send events as lines: "value \"a\"", "send 1 sent".
std::vector<std::string> value_events(const TraceQuery& q, std::uint32_t id) {
  static const char* send_names[] = {"sent", "full", "closed"};
  std::vector<std::string> out;
  for (const auto& e : q.events_if([&](const trace::Event& ev) { return trace::is_resource_event(ev.kind) && ev.a == id; })) {
    if (e.kind == EventKind::channel_value) out.push_back("value " + q.trace().value_label(e));
    if (e.kind == EventKind::channel_send) out.push_back("send " + std::to_string(e.b) + " " + send_names[e.flags]);
  }
  return out;
}

std::size_t values_recorded(const trace::Trace& t) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) n += t[i].kind == EventKind::channel_value;
  return n;
}

Task<void> send_when_free(mpsc::Sender<std::string> tx, std::string value) { (void)co_await tx.send(std::move(value)); }

}  // namespace

TEST_CASE("a value's label: numbers as written, text quoted, enums by number, pairs and tuples in parentheses",
          "[trace][labels]") {
  using trace::value_label;
  CHECK(value_label(42) == "42");
  CHECK(value_label(-7LL) == "-7");
  CHECK(value_label(std::uint8_t{200}) == "200");
  CHECK(value_label(0.1) == "0.1");
  CHECK(value_label(2.5f) == "2.5");
  CHECK(value_label(true) == "true");
  CHECK(value_label('x') == "'x'");
  CHECK(value_label(std::string("order 1")) == "\"order 1\"");
  CHECK(value_label(std::string_view("hi")) == "\"hi\"");
  CHECK(value_label(static_cast<const char*>("c str")) == "\"c str\"");
  CHECK(value_label(static_cast<const char*>(nullptr)) == "null");
  CHECK(value_label(shop::Size::large) == "7");
  CHECK(value_label(std::make_pair(1, std::string("a"))) == "(1, \"a\")");
  CHECK(value_label(std::make_tuple(1, 2.5, 'c')) == "(1, 2.5, 'c')");
}

TEST_CASE("a label longer than 32 characters keeps 31 and ends in an ellipsis, never cutting a character",
          "[trace][labels]") {
  using trace::value_label;
  CHECK(trace::max_label_chars == 32);
  CHECK(value_label(std::string("exactly thirty characters, ok.")) == "\"exactly thirty characters, ok.\"");  // 32 characters
  CHECK(value_label(std::string("exactly thirty characters, ok!!")) == "\"exactly thirty characters, ok!…");  // 33
  CHECK(value_label(std::string("a string much longer than thirty-two characters")) == "\"a string much longer than thir…");
  const std::string accents = value_label(std::string(40, 'x').replace(0, 0, "ééé"));
  CHECK(accents == "\"éééxxxxxxxxxxxxxxxxxxxxxxxxxxx…");
  CHECK(value_label(std::string(1'000'000, 'y')).size() == 31 + std::string_view("…").size());
}

TEST_CASE("a type gets a label from the ADL function asynclab_label, and a type with none has no label",
          "[trace][labels]") {
  STATIC_REQUIRE(trace::Labelled<shop::Order>);
  STATIC_REQUIRE(trace::Labelled<std::pair<shop::Order, int>>);
  STATIC_REQUIRE_FALSE(trace::Labelled<shop::Opaque>);
  STATIC_REQUIRE_FALSE(trace::Labelled<std::tuple<int, shop::Opaque>>);
  STATIC_REQUIRE_FALSE(trace::Labelled<std::vector<int>>);
  CHECK(trace::value_label(shop::Order{5}) == "order 5");
  CHECK(trace::value_label(std::make_pair(shop::Order{2}, 3)) == "(order 2, 3)");
}

TEST_CASE("a traced mpsc channel records each value's label right before its send, by send, try_send and a permit",
          "[mpsc][trace][labels]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<std::string>(2, "orders");
      (void)co_await tx.send("order 1");
      REQUIRE(tx.try_send("order 2"));
      REQUIRE_FALSE(tx.try_send("refused"));  // full: no value recorded
      auto waiter = spawn(send_when_free(tx, "order 3"));
      co_await sleep(1ms);
      (void)co_await rx.recv();  // the freed slot goes to the waiter
      (void)co_await waiter;
      (void)co_await rx.recv();
      auto permit = co_await tx.reserve();
      REQUIRE(permit);
      permit->send("order 4");
      auto [utx, urx] = mpsc::unbounded_channel<int>("numbers");
      REQUIRE(utx.send(42));
      REQUIRE(utx.send(-1));
      rx.close();
      auto refused = co_await tx.send("too late");  // closed: no value recorded
      CHECK_FALSE(refused);
    });
  }
  TraceQuery q(rec.trace());
  CHECK(value_events(q, q.resource_named("orders")) ==
        std::vector<std::string>{"value \"order 1\"", "send 1 sent", "value \"order 2\"", "send 2 sent", "send 2 full",
                                 "send 2 full", "value \"order 3\"", "send 2 sent", "value \"order 4\"", "send 2 sent",
                                 "send 2 closed"});
  CHECK(value_events(q, q.resource_named("numbers")) ==
        std::vector<std::string>{"value 42", "send 1 sent", "value -1", "send 2 sent"});
  // The sender's task records the value, as it records the send.
  for (std::size_t i = 0; i + 1 < rec.trace().size(); ++i) {
    const auto e = rec.trace()[i];
    if (e.kind != EventKind::channel_value) continue;
    const auto next = rec.trace()[i + 1];
    CHECK(next.kind == EventKind::channel_send);
    CHECK(next.task == e.task);
    CHECK(next.a == e.a);
  }
}

TEST_CASE("oneshot, broadcast and watch record the label of each value they are sent", "[oneshot][broadcast][watch][trace][labels]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [otx, orx] = oneshot::channel<shop::Order>("reply");
      REQUIRE(std::move(otx).send(shop::Order{9}));
      (void)co_await orx;
      auto [btx, brx] = broadcast::channel<double>(2, "prices");
      REQUIRE(btx.send(1.5));
      REQUIRE(btx.send(2.25));
      auto [wtx, wrx] = watch::channel<int>(0, "setting");
      REQUIRE(wtx.send(1));
      CHECK(wtx.send_replace(2) == 1);
      wtx.send_modify([](int& v) { v *= 10; });
      CHECK_FALSE(wtx.send_if_modified([](int&) { return false; }));  // not modified: nothing sent
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  CHECK(value_events(q, q.resource_named("reply")) == std::vector<std::string>{"value order 9", "send 1 sent"});
  CHECK(value_events(q, q.resource_named("prices")) ==
        std::vector<std::string>{"value 1.5", "send 1 sent", "value 2.25", "send 2 sent"});
  CHECK(value_events(q, q.resource_named("setting")) ==
        std::vector<std::string>{"value 1", "send 1 sent", "value 2", "send 1 sent", "value 20", "send 1 sent"});
}

TEST_CASE("an integer or enum that fits in 32 bits is kept in its event, written out only when read", "[trace][labels]") {
  using trace::inline_value;
  using trace::ValueForm;
  const auto form_of = [](const auto& v) { return inline_value(v) ? inline_value(v)->form : ValueForm::label; };
  CHECK(form_of(42) == ValueForm::signed_int);
  CHECK(inline_value(-7)->bits == static_cast<std::uint32_t>(-7));
  CHECK(form_of(std::int64_t{-2147483648LL}) == ValueForm::signed_int);
  CHECK(form_of(std::int64_t{-2147483649LL}) == ValueForm::label);  // one below: formatted as text
  CHECK(form_of(std::uint64_t{4294967295ULL}) == ValueForm::unsigned_int);
  CHECK(form_of(std::uint64_t{4294967296ULL}) == ValueForm::label);
  CHECK(form_of(std::uint8_t{200}) == ValueForm::unsigned_int);
  CHECK(form_of(shop::Size::large) == ValueForm::signed_int);  // an enum, by its number
  CHECK(form_of(true) == ValueForm::label);                    // "true", not 1
  CHECK(form_of('x') == ValueForm::label);                     // "'x'", not 120
  CHECK(form_of(2.5) == ValueForm::label);
  CHECK(form_of(shop::Order{1}) == ValueForm::label);  // a custom label always wins

  // A traced run records them so, and reading the trace gives what value_label gives.
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<std::int64_t>("numbers");
      for (std::int64_t v : {std::int64_t{0}, std::int64_t{-5}, std::int64_t{1} << 40, std::int64_t{2147483647}})
        REQUIRE(tx.send(v));
      co_return;
    });
  }
  const trace::Trace& t = rec.trace();
  TraceQuery q(t);
  CHECK(value_events(q, q.resource_named("numbers")) ==
        std::vector<std::string>{"value 0", "send 1 sent", "value -5", "send 2 sent", "value 1099511627776", "send 3 sent",
                                 "value 2147483647", "send 4 sent"});
  std::vector<ValueForm> forms;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == EventKind::channel_value) forms.push_back(static_cast<ValueForm>(t[i].flags));
  CHECK(forms == std::vector<ValueForm>{ValueForm::signed_int, ValueForm::signed_int, ValueForm::label, ValueForm::signed_int});
  for (const std::string_view s : t.strings()) CHECK(s != "-5");  // only the one too big for the event is a string
}

TEST_CASE("an unlabelled type records no value, and an untraced run formats no label at all", "[mpsc][trace][labels]") {
  trace::Recorder rec;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::channel<shop::Opaque>(4, "opaque");
      (void)co_await tx.send(shop::Opaque{1});
      (void)co_await rx.recv();
    });
  }
  TraceQuery q(rec.trace());
  CHECK(value_events(q, q.resource_named("opaque")) == std::vector<std::string>{"send 1 sent"});
  CHECK(values_recorded(rec.trace()) == 0);

  const int labelled_before = shop::orders_labelled.load();
  auto rt = virtual_runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = mpsc::channel<shop::Order>(4, "untraced");
    for (int i = 0; i < 3; ++i) (void)co_await tx.send(shop::Order{i});
    (void)co_await rx.recv();
  });
  CHECK(shop::orders_labelled.load() == labelled_before);
}

TEST_CASE("a trace interns at most max_distinct_labels labels, past that a new label records no value, a known one still does",
          "[mpsc][trace][labels]") {
  trace::Recorder rec;
  for (std::size_t i = 0; i < trace::Recorder::max_distinct_labels; ++i) CHECK(rec.intern_label(std::to_string(i)) != 0);
  const std::size_t strings_at_cap = rec.trace().strings().size();
  CHECK(rec.intern_label("one more") == 0);
  CHECK(rec.intern_label("7") != 0);
  CHECK(rec.intern_label("") == 0);
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = mpsc::unbounded_channel<double>("many");
      REQUIRE(tx.send(7.0));  // "7" is in the table already
      REQUIRE(tx.send(0.5));  // a new label, over the cap
      auto [itx, irx] = mpsc::unbounded_channel<int>("ints");
      REQUIRE(itx.send(1 << 20));  // an int is kept in its event: no string, so the cap does not apply
      co_return;
    });
  }
  TraceQuery q(rec.trace());
  CHECK(value_events(q, q.resource_named("many")) == std::vector<std::string>{"value 7", "send 1 sent", "send 2 sent"});
  CHECK(value_events(q, q.resource_named("ints")) == std::vector<std::string>{"value 1048576", "send 1 sent"});
  CHECK(rec.trace().strings().size() <= strings_at_cap + 8);  // the run's task and resource names, no labels

  (void)rec.take();  // a new trace starts with no labels counted
  CHECK(rec.intern_label("one more") != 0);
}

TEST_CASE("on worker threads every sent value's label is recorded by its sender just before the send", "[mpsc][trace][labels]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  constexpr int producers = 4;
  constexpr int per = 50;
  trace::Recorder rec;
  std::vector<int> received;
  {
    auto rt = flavor.runtime(rec);
    received = rt.block_on([&]() -> Task<std::vector<int>> {
      auto [tx, rx] = mpsc::channel<int>(3, "work");
      std::vector<JoinHandle<void>> handles;
      for (int p = 0; p < producers; ++p) {
        auto produce = [](mpsc::Sender<int> out, int first) -> Task<void> {
          for (int i = 0; i < per; ++i) (void)co_await out.send(first + i);
        };
        handles.push_back(spawn(produce(tx, p * 1000)));
      }
      { auto mine = std::move(tx); }
      std::vector<int> got;
      while (auto v = co_await rx.recv()) got.push_back(*v);
      co_await join_all(handles);
      co_return got;
    });
  }
  REQUIRE(received.size() == producers * per);
  const auto& t = rec.trace();
  TraceQuery q(t);
  const auto id = q.resource_named("work");
  REQUIRE(id != 0);
  // Per sending task, in its own order: each sent is right after its value.
  std::vector<std::string> labels;
  std::size_t sends = 0, unpaired = 0;
  std::map<std::uint32_t, std::string> pending_label;  // task -> label not yet followed by its send
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto e = t[i];
    if (!trace::is_resource_event(e.kind) || e.a != id) continue;
    if (e.kind == EventKind::channel_value) {
      if (pending_label.count(e.task)) ++unpaired;
      pending_label[e.task] = t.value_label(e);
    } else if (e.kind == EventKind::channel_send) {
      const auto it = pending_label.find(e.task);
      if (e.flags == static_cast<std::uint16_t>(trace::SendResult::sent)) {
        ++sends;
        if (it == pending_label.end()) {
          ++unpaired;
        } else {
          labels.push_back(it->second);
          pending_label.erase(it);
        }
      } else if (it != pending_label.end()) {
        ++unpaired;
      }
    } else if (e.kind != EventKind::resource_created && e.kind != EventKind::resource_limits) {
      if (pending_label.count(e.task)) ++unpaired;
    }
  }
  CHECK(sends == producers * per);
  CHECK(unpaired == 0);
  CHECK(pending_label.empty());
  std::vector<std::string> expected;
  for (int v : received) expected.push_back(std::to_string(v));
  std::sort(labels.begin(), labels.end());
  std::sort(expected.begin(), expected.end());
  CHECK(labels == expected);
}
