#pragma once
// spawn and JoinHandle — `tokio::spawn` and `tokio::task::JoinHandle`.
//
// Rules:
// * spawn(f, name) hands a future to the running runtime as a new task and returns at once; the task
//   is scheduled and first polled when the spawner yields back to the executor. It must be called
//   from inside a runtime (a task, or block_on's future), as tokio's spawn must.
// * spawn also takes a callable returning a future (a coroutine lambda): the callable is kept in the
//   task, so its captures live as long as the task does.
// * Awaiting a JoinHandle gives std::expected<T, JoinError>: the value, a panic (an exception
//   escaped the task) or a cancellation (abort(), or runtime shutdown). The value can be taken once.
// * A coroutine lambda called on the spot (`auto t = [s]() -> Task<int> {...}();`) dies at the `;`:
//   give spawn the lambda itself. (Built with GCC 12 rather than Clang 19, a lambda with non-trivial
//   captures must also be named before `co_await spawn(...)` of it: runtime/README.md, "The compiler".)
// * Dropping a JoinHandle detaches the task: it keeps running. abort() cancels it: the task's future
//   is dropped (its destructors run) the next time the scheduler reaches it, never in the middle of
//   a poll.
#include <cassert>
#include <expected>
#include <source_location>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "asynclab/coop.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/future.hpp"
#include "asynclab/join_error.hpp"

namespace asynclab {

namespace detail {
// Worker threads (kept out of line, so the single-threaded paths stay small): checks COMPLETE and
// stores `waker` as the join waker in one step under the task's join lock, which the finishing
// worker also takes (detail/task_header.hpp). True when the task is complete.
bool complete_or_park(TaskHeader* task, const Waker& waker);
// Takes the join waker out under the join lock and drops it after the lock is released.
void take_join_waker(TaskHeader* task);
}  // namespace detail

template <class T>
class [[nodiscard("dropping a JoinHandle detaches the task; keep it to await or abort the task")]] JoinHandle {
 public:
  using Output = std::expected<T, JoinError>;

  explicit JoinHandle(detail::TaskOutput<T>* cell) : cell_(cell) {}
  JoinHandle(JoinHandle&& other) noexcept : cell_(std::exchange(other.cell_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      detach();
      cell_ = std::exchange(other.cell_, nullptr);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  ~JoinHandle() { detach(); }

  [[noreturn, gnu::cold, gnu::noinline]] static void polled_after_completion() {
    throw std::logic_error("JoinHandle polled after completion: its result was already taken (or it was moved from)");
  }

  Poll<Output> poll(Context& cx) {
    return coop::budgeted<Output>(cx, [&] { return poll_unbudgeted(cx); });
  }
  // One poll without the cooperative budget (asynclab/coop.hpp): what poll() does once it may proceed.
  Poll<Output> poll_unbudgeted(Context& cx) {
    // Tokio panics the same way; reachable through borrow(handle) once its result was taken.
    if (!cell_) [[unlikely]]
      polled_after_completion();
    if (cell_->concurrent) [[unlikely]] {
      if (!complete_or_park(cell_, cx.waker())) return Poll<Output>::pending();
    } else if (!cell_->is_complete()) {
      if (!cell_->join_waker.will_wake(cx.waker())) cell_->join_waker = cx.waker();
      return Poll<Output>::pending();
    }
    Output out = take();
    return Poll<Output>::ready(std::move(out));
  }

  // Cancels the task (see the rules above). Aborting a finished task does nothing.
  void abort() {
    // A finished task (every task, once its runtime is gone) has nothing to cancel.
    if (cell_ && !cell_->is_complete()) cell_->scheduler->abort(cell_);
  }
  bool is_finished() const { return cell_ && cell_->is_complete(); }
  std::uint32_t id() const { return cell_ ? cell_->id : 0; }

  // Gives up the handle's reference to the task cell to the caller (JoinSet keeps cells directly).
  detail::TaskOutput<T>* release_cell() { return std::exchange(cell_, nullptr); }

 private:
  Output take() {
    detail::TaskOutput<T>* c = std::exchange(cell_, nullptr);
    struct Release {
      detail::TaskHeader* h;
      ~Release() { h->release(); }
    } release{c};
    if (c->has_value()) {
      if constexpr (std::is_void_v<T>) {
        c->take_value();
        return Output();
      } else {
        return Output(c->take_value());
      }
    }
    if (c->panic) return std::unexpected(JoinError::panic(c->id, c->panic));
    return std::unexpected(JoinError::cancelled(c->id));
  }
  void detach() {
    if (!cell_) return;
    if (cell_->concurrent) [[unlikely]] take_join_waker(cell_);
    else cell_->join_waker.reset();
    std::exchange(cell_, nullptr)->release();
  }
  detail::TaskOutput<T>* cell_;
};

namespace detail {

template <class F>
decltype(auto) as_future(F&& f) {
  if constexpr (Future<std::remove_cvref_t<F>>) {
    return std::remove_cvref_t<F>(std::forward<F>(f));
  } else {
    static_assert(std::is_invocable_v<std::decay_t<F>&>,
                  "spawn takes a Future (a Task, a hand-written future) or a callable returning one");
    return DeferredFuture<std::decay_t<F>>(std::forward<F>(f));
  }
}

template <class F>
using spawned_future_t = std::remove_cvref_t<decltype(as_future(std::declval<F>()))>;

inline Scheduler& current_scheduler(const char* what) {
  Scheduler* s = Scheduler::current();
  if (!s) throw std::logic_error(std::string(what) + " must be called from inside an asynclab runtime (a task or block_on)");
  return *s;
}

}  // namespace detail

template <class F>
auto spawn(F&& f, std::string_view name = {}, std::source_location loc = std::source_location::current())
    -> JoinHandle<output_t<detail::spawned_future_t<F>>> {
  auto& s = detail::current_scheduler("spawn");
  auto* cell = s.spawn(detail::as_future(std::forward<F>(f)), name, loc);  // with the handle's reference
  return JoinHandle<output_t<detail::spawned_future_t<F>>>(cell);
}

}  // namespace asynclab
