// Small out-of-line pieces of the runtime: the clock's now(), the no-op waker, lesson marks, the
// stuck report's text, and what ASYNCLAB_MAIN runs.
#include <cstdio>
#include <stdexcept>

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

std::string StuckReport::render() const {
  std::string out = "the runtime is stuck: no task can run, no timer is armed, and ";
  out += std::to_string(tasks.size()) + (tasks.size() == 1 ? " task is" : " tasks are") + " still waiting\n";
  for (const auto& t : tasks) {
    out += "  - " + t.name + " (task " + std::to_string(t.id) + ")";
    if (!t.parked_at.empty()) out += ", parked at " + t.parked_at;
    if (t.lost_waker)
      out += ": lost waker — it returned Pending but no waker clone is alive, so nothing can ever wake it";
    else
      out += ": waiting; " + std::to_string(t.live_wakers) + " waker clone(s) are held by things that will never fire";
    out += "\n";
  }
  return out;
}

StuckError::StuckError(StuckReport report) : std::runtime_error(report.render()), report_(std::move(report)) {}

namespace detail {

namespace {
template <class T>
int run_main_impl(Task<T> (*fn)()) {
  try {
    auto rt = Runtime::builder().current_thread().build();
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
