// Lesson 07 — spawn and JoinHandle: a task of its own, running while main does other work.
//
// The seed's program spawns a task that sleeps and returns "task complete", prints "Doing other
// work...", then awaits the JoinHandle. Printing takes no time, so here main's "other work" is an
// await of its own (a request to the simulated API): that is what lets the two lanes overlap on the
// timeline. With `panic` on, the spawned task throws and the handle gives back a JoinError instead
// of a value — main carries on.
//
// The lesson also carries a request id along, the way `tokio::task_local!` does (and tracing's
// spans, seed B's "context propagation"). A spawned task does not inherit it: with `propagate` off,
// the report task's lines print without one.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

constexpr int served_request = 42;

// `task_local! { static REQUEST_ID: u32 }`. A plain thread_local would not do: one thread polls
// every task, so a value main left in it would leak into whichever task ran next. Instead a
// RequestScope sets it around each poll of the one future it wraps and puts the old value back
// after, which is how tokio's `LocalKey::scope` works.
thread_local std::optional<int> current_request;

template <Future F>
class RequestScope {
 public:
  using Output = output_t<F>;
  RequestScope(int id, F inner) : id_(id), inner_(std::move(inner)) {}

  Poll<Output> poll(Context& cx) {
    struct Restore {
      std::optional<int> saved;
      ~Restore() { current_request = saved; }
    } restore{std::exchange(current_request, id_)};
    return inner_.poll(cx);
  }

 private:
  int id_;
  F inner_;
};

// say() with the request id in front, as a tracing span would add it.
template <class... Args>
void log(fmt::format_string<Args...> format, Args&&... args) {
  const std::string who =
      current_request ? fmt::format("req {}", *current_request) : "no request id";
  say("[{}] {}", who, fmt::format(format, std::forward<Args>(args)...));
}

// The spawned work: `async { sleep(..).await; "task complete" }`. With `panics` it throws where
// Rust code would panic; the exception stays inside this task and becomes its JoinError.
Task<std::string> report(Duration how_long, bool panics) {
  log("report: started");
  co_await sleep(how_long);
  if (panics) throw std::runtime_error("the report template is missing");
  log("report: done");
  co_return "task complete";
}

Task<void> serve(Duration task_time, bool panics, bool propagate) {
  log("main: spawning the report task");
  // spawn returns at once: the task is queued, and first polled when main yields to the executor.
  // The request id goes along only if we wrap the task's future in a scope of its own.
  JoinHandle<std::string> handle =
      propagate ? spawn(RequestScope(*current_request, report(task_time, panics)), "report")
                : spawn(report(task_time, panics), "report");

  log("main: Doing other work...");
  auto profile = co_await sim::http::get("https://api.example/profile");
  log("main: other work done ({} bytes); now awaiting the handle",
      profile ? profile->body.size() : 0);
  mark("other work done");

  auto result = co_await handle;
  if (result) {
    log("main: {}", *result);
  } else if (result.error().is_panic()) {
    log("main: the task panicked: {}", result.error().panic_message());
  } else {
    log("main: the task was cancelled");
  }
  mark("handle joined");
}

}  // namespace

void scenario_07_spawn(ScenarioRun& run) {
  const auto& p = run.params();
  sim::Network net;
  net.url("https://api.example/profile").latency(p.millis("work_ms")).body_size(830);
  // main itself runs inside the request's scope, as a server's handler would.
  run.block_on(run.builder().network(net),
               RequestScope(served_request,
                            serve(p.millis("task_ms"), p.flag("panic"), p.flag("propagate"))));
}

}  // namespace asynclab::lessons
