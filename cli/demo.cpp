// `asynclab demo`: the built-in scenario. See demo.hpp.
#include "demo.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "asynclab/asynclab.hpp"
#include "asynclab/trace/file.hpp"
#include "exit_codes.hpp"
#include "trace_commands.hpp"

namespace asynclab::cli {

namespace {

using namespace std::chrono_literals;

// Prints one line of the story, stamped with the runtime's (virtual) clock.
class Narrator {
 public:
  explicit Narrator(std::ostream& out) : out_(out) {}
  void say(std::string_view what) {
    const auto t = static_cast<std::uint64_t>(asynclab::now().time_since_epoch().count());
    out_ << fmt::format("  [{:>7}] {}\n", t == 0 ? "0 ms" : format_duration(t), what);
  }

 private:
  std::ostream& out_;
};

// A simulated fetch: it takes `latency` (a sleep, so in virtual time it costs no real time).
Task<std::string> fetch(std::string what, Duration latency) {
  co_await sleep(latency);
  co_return what;
}

// A self-referential future, the reason Rust has Pin: its first poll points `cursor` at its own
// `value` (an async fn's state machine does this with its locals), and every later poll reads
// through that pointer. Moved after that first poll, the pointer would still aim at the old place.
struct Leftovers {
  using Output = int;
  int value = 3;
  const int* cursor = nullptr;
  Poll<int> poll(Context& cx) {
    if (cursor == nullptr) {
      cursor = &value;
      cx.waker().wake_by_ref();  // come back at once: the second poll reads through the pointer
      return Poll<int>::pending();
    }
    return Poll<int>::ready(*cursor);
  }
  const void* self_reference() const { return cursor; }
};

Task<int> scenario(Narrator& n) {
  n.say("main: fetch a, b and c (100, 200 and 300 ms) at once with join");
  auto [a, b, c] = co_await join(fetch("a", 100ms), fetch("b", 200ms), fetch("c", 300ms));
  n.say(fmt::format("join: got {}, {} and {} — after 300 ms, the slowest, not 600 ms, the sum", a, b, c));
  mark("three fetches joined");

  n.say("main: race a slow fetch (500 ms) against a 250 ms sleep with select");
  auto raced = co_await select(fetch("slow", 500ms), sleep(250ms));
  if (raced.index() == 1)
    n.say("select: the sleep won; the slow fetch was dropped mid-flight (cancelled), its timer disarmed");
  else
    n.say(fmt::format("select: the fetch won with \"{}\"", std::get<0>(raced)));
  mark("select decided");

  auto handle = spawn(fetch("background", 50ms), "background fetch");
  n.say("main: spawned \"background fetch\" (50 ms) as a task of its own, then awaits its JoinHandle");
  auto got = co_await handle;
  n.say(got ? fmt::format("spawn: the JoinHandle gave \"{}\"", *got) : "spawn: " + got.error().to_string());

  JoinSet<std::string> set;
  set.spawn(fetch("worker 1", 30ms), "worker 1");
  set.spawn(fetch("worker 2", 10ms), "worker 2");
  set.spawn(fetch("worker 3", 20ms), "worker 3");
  n.say("main: a JoinSet of three workers taking 30, 10 and 20 ms");
  while (auto result = co_await set.join_next()) {
    n.say(*result ? fmt::format("join_next: {} finished (results come in completion order)", **result)
                  : "join_next: " + result->error().to_string());
  }
  mark("join set drained");

  // The restaurant of the seed documents: a waiter hands orders to the cook through a channel that
  // holds one order, and two cooks share one stove (a mutex).
  n.say("main: the waiter sends 3 orders into a channel that holds 1; the cook takes 10 ms per order");
  auto [to_cook, orders] = sync::mpsc::channel<int>(1, "orders");
  auto waiter = spawn(
      [](sync::mpsc::Sender<int> out) -> Task<void> {
        for (int order = 1; order <= 3; ++order) (void)co_await out.send(order);
      }(std::move(to_cook)),
      "waiter");
  auto cook = spawn(
      [](sync::mpsc::Receiver<int> in) -> Task<int> {
        int cooked = 0;
        while (auto order = co_await in.recv()) {
          co_await sleep(10ms);
          ++cooked;
        }
        co_return cooked;
      }(std::move(orders)),
      "cook");
  (void)co_await waiter;
  auto cooked = co_await cook;
  n.say(fmt::format("mpsc: {} orders cooked; the waiter waited each time the channel was full (backpressure)",
                    cooked ? *cooked : 0));
  mark("orders served");

  n.say("main: two chefs need the one stove (a Mutex) for 5 ms each");
  auto stove = std::make_shared<sync::Mutex<int>>(0, "stove");
  auto chef = [](std::shared_ptr<sync::Mutex<int>> m) -> Task<void> {
    auto burner = co_await m->lock();
    co_await sleep(5ms);
    *burner += 1;
  };
  auto first = spawn(chef(stove), "chef 1");
  auto second = spawn(chef(stove), "chef 2");
  (void)co_await first;
  (void)co_await second;
  n.say("mutex: chef 2 waited until chef 1 released the stove");

  n.say("main: a self-referential future in a Pinned: moved before its first poll (fine), then awaited");
  Pinned<Leftovers> plate(Leftovers{});
  Pinned<Leftovers> carried(std::move(plate));
  const int left = co_await carried;
  n.say(fmt::format("pin: it was pinned where it was first polled and read {} through its own pointer", left));
  Pinned<Leftovers> tray(Leftovers{});
  Context peek(noop_waker());
  (void)tray.poll(peek);  // pinned now, pointing into itself
  Pinned<Leftovers> dropped_tray(std::move(tray));  // what Rust's Pin forbids at compile time
  try {
    (void)dropped_tray.poll(peek);
  } catch (const std::logic_error&) {
    n.say("pin: a second one was moved after its first poll; its pointer dangles, so polling it was refused");
  }
  mark("pinning shown");

  n.say("main: done");
  co_return 0;
}

}  // namespace

trace::Trace record_demo(std::uint64_t seed) {
  trace::Recorder recorder;
  {
    std::ostringstream unheard;  // the GUI tells the story itself
    auto rt = Runtime::builder().current_thread().virtual_time().seed(seed).trace(recorder).build();
    Narrator narrator(unheard);
    rt.block_on(scenario(narrator));
  }
  return recorder.take();
}

int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  trace::Recorder recorder;
  out << fmt::format("asynclab demo — virtual time, seed {}\n", options.seed);
  {
    auto rt = Runtime::builder().current_thread().virtual_time().seed(options.seed).trace(recorder).build();
    Narrator narrator(out);
    try {
      rt.block_on(scenario(narrator));
    } catch (const std::exception& e) {
      err << fmt::format("asynclab demo: the scenario failed: {}\n", e.what());
      return exit_failed;
    }
  }  // the runtime is dropped here, so the trace holds its whole life
  trace::Trace recorded = recorder.take();
  out << fmt::format("recorded {} events\n", recorded.size());
  if (options.timeline.show) {
    out << "\n";
    print_timeline(recorded, options.timeline, out);
    out << "\n";
  }

  if (options.output) {
    if (auto saved = trace::save(recorded, *options.output); !saved) {
      err << fmt::format("asynclab demo: {}\n", saved.error());
      return exit_failed;
    }
    out << fmt::format("wrote {} — try: asynclab trace info {}\n", options.output->string(),
                       options.output->string());
  }
  return exit_ok;
}

}  // namespace asynclab::cli
