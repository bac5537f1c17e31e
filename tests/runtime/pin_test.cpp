// Pinned<F> (runtime/include/asynclab/pin.hpp): a hand-written future that must not move once
// polled. Moving before the first poll is fine; the first poll pins it; a move after that is
// recorded, its self-reference is seen to dangle, and polling it again refuses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "support/harness.hpp"
#include "support/trace_query.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using trace::EventKind;
using trace::PinAction;

namespace {

// A self-referential future, as an async fn's state machine is: on its first poll it points `cursor`
// at its own `value`, then answers Pending once; the second poll reads through the pointer.
struct SelfRef {
  using Output = int;
  int value = 41;
  const int* cursor = nullptr;
  Poll<int> poll(Context& cx) {
    if (cursor == nullptr) {
      cursor = &value;
      cx.waker().wake_by_ref();
      return Poll<int>::pending();
    }
    return Poll<int>::ready(*cursor + 1);
  }
  const void* self_reference() const { return cursor; }
};

// The pin events of a run as "action home" lines.
std::vector<std::string> pin_steps(const trace::Trace& t) {
  static const char* names[] = {"placed", "moved", "pinned", "moved_after_pin", "dropped", "self_ref"};
  std::vector<std::string> out;
  for (const trace::Event& e : TraceQuery(t).events(EventKind::pin)) out.push_back(std::string(names[e.flags]) + " " + std::to_string(e.b));
  return out;
}

}  // namespace

TEST_CASE("a Pinned future may move before its first poll and is pinned where it is first polled", "[pin]") {
  trace::Recorder rec;
  int got = 0;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Pinned<SelfRef> made(SelfRef{});
      Pinned<SelfRef> moved(std::move(made));  // not polled yet: nothing points into it
      got = co_await moved;
    });
  }
  CHECK(got == 42);
  CHECK(pin_steps(rec.trace()) ==
        std::vector<std::string>{"placed 1", "moved 2", "pinned 2", "self_ref 2", "dropped 2"});
}

TEST_CASE("moving a Pinned future after its first poll leaves its self-reference dangling, and polling it throws",
          "[pin]") {
  trace::Recorder rec;
  std::string refused;
  {
    auto rt = virtual_runtime(rec);
    rt.block_on([&]() -> Task<void> {
      Pinned<SelfRef> first(SelfRef{});
      Context cx(noop_waker());
      CHECK_FALSE(first.poll(cx).is_ready());  // pinned at home 1, pointing into itself
      Pinned<SelfRef> second(std::move(first));  // what Rust's Pin forbids
      try {
        (void)second.poll(cx);
      } catch (const std::logic_error& e) {
        refused = e.what();
      }
      co_return;
    });
  }
  CHECK_THAT(refused, Catch::Contains("moved"));
  // The moved future states where its self-reference points: still into home 1, which it has left —
  // the dangling arrow the viewer draws.
  CHECK(pin_steps(rec.trace()) == std::vector<std::string>{"placed 1", "pinned 1", "self_ref 1", "moved_after_pin 2",
                                                           "self_ref 1", "dropped 2"});
}

TEST_CASE("Pinned futures are numbered per runtime, so the same program records the same trace", "[pin]") {
  auto run = [] {
    trace::Recorder rec;
    {
      auto rt = virtual_runtime(rec);
      rt.block_on([]() -> Task<void> {
        Pinned<SelfRef> a(SelfRef{});
        Pinned<SelfRef> b(SelfRef{});
        (void)co_await a;
        (void)co_await b;
      });
    }
    return rec.take();
  };
  const trace::Trace one = run(), two = run();
  const auto events = TraceQuery(one).events(EventKind::pin);
  REQUIRE_FALSE(events.empty());
  std::vector<std::uint32_t> ids;
  for (const trace::Event& e : events) ids.push_back(e.a);
  CHECK(*std::min_element(ids.begin(), ids.end()) == 1);
  CHECK(*std::max_element(ids.begin(), ids.end()) == 2);
  CHECK(pin_steps(one) == pin_steps(two));
}
