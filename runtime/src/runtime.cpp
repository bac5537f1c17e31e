// Small out-of-line pieces of the runtime: the clock's now(), the no-op waker, lesson marks, the
// stuck report's text, and what ASYNCLAB_MAIN runs.
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "asynclab/runtime.hpp"
#include "asynclab/stuck.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

Clock::time_point Clock::now() {
  auto* s = detail::Scheduler::current();
  if (!s) throw std::logic_error("asynclab::now() must be called from inside a runtime (a task or block_on)");
  return time_point(duration(s->now_ns()));
}

namespace {
void* noop_clone(void* data) { return data; }
void noop(void*) {}
constexpr WakerVTable noop_vtable{&noop_clone, &noop, &noop, &noop};
}  // namespace

const Waker& noop_waker() {
  // Never dropped: the no-op vtable does nothing on drop anyway.
  static const Waker waker(&noop_vtable, nullptr);
  return waker;
}

void mark(std::string_view label) {
  auto* s = detail::Scheduler::current();
  if (!s || !s->recorder()) return;
  s->emit(trace::EventKind::mark, s->running_id(), 0, s->recorder()->intern(label));
}

std::size_t StuckReport::lost_wakers() const {
  std::size_t n = 0;
  for (const auto& t : tasks) n += t.lost_waker ? 1 : 0;
  return n;
}

const StuckTask* StuckReport::task(std::uint32_t id) const {
  for (const auto& t : tasks)
    if (t.id == id) return &t;
  return nullptr;
}

std::string StuckReport::render() const {
  auto who = [&](std::uint32_t id) {
    const StuckTask* t = task(id);
    return t ? "\"" + t->name + "\" (task " + std::to_string(id) + ")" : "task " + std::to_string(id);
  };
  std::string out = is_deadlock() ? "deadlock: the runtime is stuck, and its tasks wait on each other in a cycle\n"
                                  : "the runtime is stuck: no task can run, no timer is armed, and ";
  if (!is_deadlock())
    out += std::to_string(tasks.size()) + (tasks.size() == 1 ? " task is" : " tasks are") + " still waiting\n";
  for (const auto& t : tasks) {
    out += "  - " + who(t.id);
    if (!t.parked_at.empty()) out += ", parked at " + t.parked_at;
    if (!t.waits_on.empty()) {
      out += ": waits on " + t.waits_on;
      if (!t.held_by.empty()) {
        out += " held by ";
        for (std::size_t i = 0; i < t.held_by.size(); ++i) out += (i ? ", " : "") + who(t.held_by[i]);
      }
      if (!t.resource_state.empty()) out += " (" + t.resource_state + ")";
    } else if (t.joins) {
      out += ": awaits the JoinHandle of " + who(t.joins) + ", which cannot finish";
    } else if (t.lost_waker) {
      out += ": lost waker — it returned Pending but no waker clone is alive, so nothing can ever wake it";
    } else {
      out += ": waiting; " + std::to_string(t.live_wakers) + " waker clone(s) are held by things that will never fire";
    }
    out += "\n";
  }
  if (is_deadlock()) {
    out += "  wait-for cycle: ";
    for (std::uint32_t id : cycle) out += who(id) + " -> ";
    out += who(cycle.front()) + "\n";
  }
  return out;
}

StuckError::StuckError(StuckReport report) : std::runtime_error(report.render()), report_(std::move(report)) {}

namespace detail {

namespace {
template <class T>
int run_main_impl(Task<T> (*fn)()) {
  try {
    // #[tokio::main] builds the multi_thread runtime with a worker per core; so does this.
    const unsigned cores = std::max(1u, std::min(std::thread::hardware_concurrency(), Runtime::Builder::max_workers));
    auto rt = Runtime::builder().multi_thread(cores).build();
    if constexpr (std::is_void_v<T>) {
      rt.block_on(fn);
      return 0;
    } else {
      return rt.block_on(fn);
    }
  } catch (const StuckError& e) {
    std::fprintf(stderr, "%s", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "main panicked: %s\n", e.what());
    return 101;
  } catch (...) {
    std::fprintf(stderr, "main panicked with a non-standard exception\n");
    return 101;
  }
}
}  // namespace

int run_main(Task<int> (*fn)()) { return run_main_impl(fn); }
int run_main(Task<void> (*fn)()) { return run_main_impl(fn); }

}  // namespace detail
}  // namespace asynclab
